"""Who may see tracing requests and matches, and the consent gate every match passes.

A request is seen through its case (those who see the case, with person.view: it holds
identifying data). A match is seen from the seeker's side (the request's case) and from the other
side (a case of the candidate person, or the person before any case; or the other request's
case), and **only while the consent gate holds**: both the seeker and the counterpart have a
tracing consent in force, recorded by the organisation that registered them. A consent withdrawn
or expired makes the match vanish for everybody, in the same query that lists matches, so there
is nothing to count and nothing to time: a match that fails the gate is exactly like one that
was never proposed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from salama.cases.access import through_visible_case
from salama.core.policy import Principal, ensure, get_or_404, has_perm, register
from salama.core.roles import Perm
from salama.people.access import visible_people
from salama.people.choices import ConsentPurpose
from salama.people.models import Consent
from salama.tracing.models import ReunificationStepRecord, TracingMatch, TracingRequest


def tracing_consent(path: str, today: dt.date | None = None) -> Exists:
    """A filter: the person at ``path`` has a tracing consent in force today, recorded by the
    organisation that registered them (``path`` may span relations: "request__case__person")."""
    day = today or timezone.localdate()
    registered_by = "registered_by" if path == "pk" else f"{path}__registered_by"
    return Exists(
        Consent.objects.filter(
            person=OuterRef(path),
            organisation=OuterRef(registered_by),
            purpose=ConsentPurpose.TRACING,
            withdrawn_at__isnull=True,
            given_on__lte=day,
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    )


def sharing_organisations() -> frozenset[str]:
    """Organisations (by uuid) that agreed to trace across each other's registries."""
    return frozenset(str(u) for u in getattr(settings, "SALAMA_TRACING_SHARING_ORGANISATIONS", []))


def gate(today: dt.date | None = None) -> Q:
    """Matches whose seeker and counterpart both consent to tracing now (and whose persons are
    not erased). Closing a request hides nothing: a confirmed match keeps its steps."""
    seeker = tracing_consent("request__case__person", today) & Q(
        request__case__person__erased_at__isnull=True
    )
    person = (
        Q(person__isnull=False)
        & Q(person__erased_at__isnull=True)
        & tracing_consent("person", today)
    )
    other = (
        Q(other_request__isnull=False)
        & Q(other_request__case__person__erased_at__isnull=True)
        & tracing_consent("other_request__case__person", today)
    )
    return seeker & (person | other)


def visible_requests(principal: Principal | None) -> QuerySet[TracingRequest]:
    if not has_perm(principal, Perm.PERSON_VIEW):
        return TracingRequest.objects.none()
    return TracingRequest.objects.filter(through_visible_case(principal))


def _seeker_side(principal: Principal | None) -> Q:
    return Q(Exists(visible_requests(principal).filter(pk=OuterRef("request"))))


def _other_side(principal: Principal | None) -> Q:
    return Q(Exists(visible_requests(principal).filter(pk=OuterRef("other_request")))) | Q(
        Exists(visible_people(principal).filter(pk=OuterRef("person")))
    )


def visible_matches(principal: Principal | None) -> QuerySet[TracingMatch]:
    """Matches the principal sees from either side, among those passing the consent gate."""
    if not has_perm(principal, Perm.PERSON_VIEW):
        return TracingMatch.objects.none()
    return TracingMatch.objects.filter(gate()).filter(
        _seeker_side(principal) | _other_side(principal)
    )


def visible_steps(principal: Principal | None) -> QuerySet[ReunificationStepRecord]:
    return ReunificationStepRecord.objects.filter(
        Exists(visible_matches(principal).filter(pk=OuterRef("match")))
    )


def sides(principal: Principal | None, match: TracingMatch) -> frozenset[str]:
    """Which sides of a match the principal stands on: "seeker", "other", or both."""
    found = set()
    if visible_requests(principal).filter(pk=match.request_id).exists():
        found.add("seeker")
    if (
        match.other_request_id is not None
        and visible_requests(principal).filter(pk=match.other_request_id).exists()
    ) or (
        match.person_id is not None
        and visible_people(principal).filter(pk=match.person_id).exists()
    ):
        found.add("other")
    return frozenset(found)


def access_request(principal: Principal | None, request_id: Any) -> TracingRequest:
    return get_or_404(
        visible_requests(principal).select_related(
            "case__person__data_key", "organisation", "created_by"
        ),
        id=request_id,
    )


def access_match(principal: Principal | None, match_id: Any) -> TracingMatch:
    return get_or_404(
        visible_matches(principal).select_related(
            "request__case__person__data_key",
            "request__organisation",
            "person__data_key",
            "person__registered_by",
            "other_request__case__person__data_key",
            "other_request__organisation",
        ),
        id=match_id,
    )


def ensure_request(actor: Principal | None, request: TracingRequest) -> None:
    """Services: the actor works the request's case."""
    ensure(actor, request, Perm.CASE_CHANGE)


def ensure_match(actor: Principal | None, match: TracingMatch) -> None:
    """Services: the actor sees the match (either side, consent gate passed) and works cases."""
    ensure(actor, match, Perm.CASE_CHANGE)


def register_rules() -> None:
    register(TracingRequest, visible_requests)
    register(TracingMatch, visible_matches)
    register(ReunificationStepRecord, visible_steps)
