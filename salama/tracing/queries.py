"""What the tracing pages and the API show: requests, and each match as one side may see it.

A match is always read through ``access.visible_matches`` (the consent gate included). Of the
counterpart, a principal on the seeker's side only sees that there is a possible match, with
the reasons in words, until both sides have confirmed; then the names. A principal on the other
side sees that a request looks for a person their organisation registered, with a link to their
own case of that person, and the seeker's name only once both have confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from salama.cases.models import Case
from salama.core.policy import Principal, visible
from salama.people.name_agreement import NAME_REASONS
from salama.tracing.access import sides, visible_matches, visible_requests, visible_steps
from salama.tracing.choices import MatchReason, MatchStatus
from salama.tracing.models import ReunificationStepRecord, TracingMatch, TracingRequest

_NAME_PARTS = frozenset(NAME_REASONS)


@dataclass
class MatchView:
    match: TracingMatch
    sides: frozenset[str]
    revealed: bool  # the counterpart's (or, on the other side, the seeker's) names are shown
    counterpart_name: str = ""
    counterpart_case: Case | None = None  # the viewer's own case on the other side
    seeker_case: Case | None = None  # the request's case, when the viewer sees it
    seeker_name: str = ""
    reasons: list[str] = field(default_factory=list)
    steps: list[ReunificationStepRecord] = field(default_factory=list)
    can_confirm: bool = False

    @property
    def on_seeker_side(self) -> bool:
        return "seeker" in self.sides

    @property
    def kind(self) -> str:
        return "request" if self.match.other_request_id else "person"


def reason_labels(codes: list[str]) -> list[str]:
    labels = dict(MatchReason.choices)
    return [str(labels[c]) for c in codes if c in labels and c not in _NAME_PARTS]


def match_view(principal: Principal, match: TracingMatch) -> MatchView:
    where = sides(principal, match)
    confirmed = match.status == MatchStatus.CONFIRMED
    view = MatchView(
        match=match,
        sides=where,
        revealed=confirmed or "other" in where,
        reasons=reason_labels(list(match.reasons)),
        steps=list(visible_steps(principal).filter(match=match).select_related("recorded_by")),
    )
    if "seeker" in where or confirmed:
        view.seeker_name = match.request.case.person.full_name
    if "seeker" in where:
        view.seeker_case = match.request.case
    if view.revealed:
        if match.person_id is not None:
            view.counterpart_name = match.person.full_name  # type: ignore[union-attr]
        elif match.other_request_id is not None:
            view.counterpart_name = match.other_request.case.person.full_name  # type: ignore[union-attr]
    if "other" in where:
        cases = visible(principal, "cases.case")
        if match.other_request_id is not None:
            view.counterpart_case = cases.filter(pk=match.other_request.case_id).first()  # type: ignore[union-attr]
        else:
            view.counterpart_case = cases.filter(person_id=match.person_id).first()
    confirmed_sides = {
        s
        for s, at in (("seeker", match.seeker_confirmed_at), ("other", match.other_confirmed_at))
        if at is not None
    }
    view.can_confirm = match.status == MatchStatus.PROPOSED and bool(where - confirmed_sides)
    return view


def request_matches(principal: Principal, tracing_request: TracingRequest) -> list[MatchView]:
    """The matches of a request the principal sees, best first; rejected ones last."""
    found = (
        visible_matches(principal)
        .filter(Q(request=tracing_request) | Q(other_request=tracing_request))
        .select_related(
            "request__case__person__data_key",
            "person__data_key",
            "other_request__case__person__data_key",
        )
    )
    views = [match_view(principal, m) for m in found]
    return sorted(views, key=lambda v: (v.match.status == MatchStatus.REJECTED, -v.match.score))


def matches_about_case(principal: Principal, case: Case) -> list[MatchView]:
    """Matches where the case's person is the one sought (the other side), from the case page."""
    found = (
        visible_matches(principal)
        .filter(person_id=case.person_id)
        .select_related(
            "request__case__person__data_key",
            "person__data_key",
            "other_request__case__person__data_key",
        )
    )
    return [match_view(principal, m) for m in found]


def requests_of_case(principal: Principal, case: Case) -> QuerySet[TracingRequest]:
    return visible_requests(principal).filter(case=case).select_related("case__person__data_key")


def request_rows(principal: Principal, status: str = "") -> QuerySet[TracingRequest]:
    rows = visible_requests(principal).select_related("case__person__data_key", "case")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")


def waiting_matches(principal: Principal) -> list[MatchView]:
    """Proposed matches the principal may still confirm (their side has not), best first."""
    found = (
        visible_matches(principal)
        .filter(status=MatchStatus.PROPOSED)
        .select_related(
            "request__case__person__data_key",
            "person__data_key",
            "other_request__case__person__data_key",
        )
        .order_by("-score")[:100]
    )
    return [v for v in (match_view(principal, m) for m in found) if v.can_confirm]
