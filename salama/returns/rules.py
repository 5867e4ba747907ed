"""The return journey's rules as plain data and pure functions (docs/domain.md#the-return-journey).

A journey moves through declared transitions only: counselling → an informed decision → a return
risk assessment → a pre-departure health assessment → travel documents requested, then issued →
an itinerary of one or more legs → departure → arrival → reception by an organisation in the
country of origin. A decision to stay ends it; before departure it may end in a no-show or a
cancellation. The table below is the whole of it: a step not listed from a status is refused.

Sources: IOM, "A Framework for Assisted Voluntary Return and Reintegration" (2018) and
"Reintegration Handbook" (2019); UN OHCHR "Recommended Principles and Guidelines on Human Rights
and Human Trafficking" (2002), guideline 6 (safe and, as far as possible, voluntary return).
No Django imports: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Statuses ----------------------------------------------------------------------------------------
COUNSELLING = "counselling"
DECIDED = "decided"
RISK_ASSESSED = "risk_assessed"
FIT_ASSESSED = "fit_assessed"
DOCUMENTS_REQUESTED = "documents_requested"
DOCUMENTS_ISSUED = "documents_issued"
ITINERARY_SET = "itinerary_set"
DEPARTED = "departed"
ARRIVED = "arrived"
RECEIVED = "received"
STAYING = "staying"
NO_SHOW = "no_show"
CANCELLED = "cancelled"

STATUSES: tuple[str, ...] = (
    COUNSELLING,
    DECIDED,
    RISK_ASSESSED,
    FIT_ASSESSED,
    DOCUMENTS_REQUESTED,
    DOCUMENTS_ISSUED,
    ITINERARY_SET,
    DEPARTED,
    ARRIVED,
    RECEIVED,
    STAYING,
    NO_SHOW,
    CANCELLED,
)
FINAL: frozenset[str] = frozenset({RECEIVED, STAYING, NO_SHOW, CANCELLED})
OPEN: frozenset[str] = frozenset(STATUSES) - FINAL
BEFORE_DEPARTURE: frozenset[str] = frozenset(
    {
        COUNSELLING,
        DECIDED,
        RISK_ASSESSED,
        FIT_ASSESSED,
        DOCUMENTS_REQUESTED,
        DOCUMENTS_ISSUED,
        ITINERARY_SET,
    }
)

# Steps (the transitions) -------------------------------------------------------------------------
COUNSEL = "counsel"
DECIDE_RETURN = "decide_return"
DECIDE_STAY = "decide_stay"
ASSESS_RISK = "assess_risk"
ASSESS_HEALTH = "assess_health"
REQUEST_DOCUMENTS = "request_documents"
ISSUE_DOCUMENTS = "issue_documents"
ADD_LEG = "add_leg"
DEPART = "depart"
ARRIVE = "arrive"
RECEIVE = "receive"
NO_SHOW_STEP = "no_show"
CANCEL = "cancel"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    # What the step must carry (checked by the service, named here so the table says it all).
    needs: tuple[str, ...] = ()


def _t(sources: Iterable[str], target: str, *needs: str) -> Transition:
    return Transition(frozenset(sources), target, tuple(needs))


TRANSITIONS: Mapping[str, Transition] = {
    # Counselling may be repeated until the person decides.
    COUNSEL: _t({COUNSELLING}, COUNSELLING, "on", "notes"),
    DECIDE_RETURN: _t({COUNSELLING}, DECIDED, "on", "return_consent"),
    DECIDE_STAY: _t({COUNSELLING}, STAYING, "on"),
    # A risk assessment may be redone (the situation at home changes) until health is assessed.
    ASSESS_RISK: _t({DECIDED, RISK_ASSESSED}, RISK_ASSESSED, "on", "risk_level", "reasons"),
    ASSESS_HEALTH: _t({RISK_ASSESSED, FIT_ASSESSED}, FIT_ASSESSED, "on", "fitness"),
    REQUEST_DOCUMENTS: _t({FIT_ASSESSED}, DOCUMENTS_REQUESTED, "on", "document_type", "consulate"),
    ISSUE_DOCUMENTS: _t({DOCUMENTS_REQUESTED}, DOCUMENTS_ISSUED, "on", "document_number"),
    ADD_LEG: _t({DOCUMENTS_ISSUED, ITINERARY_SET}, ITINERARY_SET, "on", "from_place", "to_place"),
    DEPART: _t({ITINERARY_SET}, DEPARTED, "on"),
    ARRIVE: _t({DEPARTED}, ARRIVED, "on"),
    RECEIVE: _t({ARRIVED}, RECEIVED, "on", "place"),
    NO_SHOW_STEP: _t({ITINERARY_SET}, NO_SHOW, "on", "reason"),
    CANCEL: _t(BEFORE_DEPARTURE, CANCELLED, "on", "reason"),
}
STEPS: tuple[str, ...] = tuple(TRANSITIONS)
# Steps the host organisation takes on the case page; reception is the origin organisation's.
HOST_STEPS: tuple[str, ...] = tuple(s for s in STEPS if s != RECEIVE)

# Codes -------------------------------------------------------------------------------------------
RISK_LEVELS = ("low", "medium", "high")
FITNESS = ("fit", "fit_with_escort", "not_fit")
DOCUMENT_TYPES = ("passport", "emergency_travel_document", "laissez_passer", "other")
NO_SHOW_REASONS = ("unreachable", "changed_mind", "ill", "detained", "other")
CANCEL_REASONS = (
    "consent_withdrawn",
    "changed_mind",
    "risk_too_high",
    "not_fit_to_travel",
    "documents_refused",
    "regularised_in_host_country",
    "other",
)
DIMENSIONS = ("economic", "social", "psychosocial")
LEVELS = ("individual", "community", "structural")
ACTION_KINDS = (
    "business_grant",
    "vocational_training",
    "school_fees",
    "medical",
    "psychosocial_support",
    "other",
)
# The service type of the assistance item that funds each kind of reintegration action.
ACTION_SERVICE_TYPE: Mapping[str, str] = {
    "business_grant": "livelihood",
    "vocational_training": "vocational_training",
    "school_fees": "education",
    "medical": "medical",
    "psychosocial_support": "mental_health",
    "other": "reintegration",
}


class StepRefused(Exception):
    """A step the table or a rule of return does not allow; `code` says which rule."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def allowed_steps(status: str, steps: Iterable[str] = STEPS) -> list[str]:
    """The steps the table allows from `status`, in table order."""
    return [s for s in steps if status in TRANSITIONS[s].sources]


def check_step(status: str, step: str) -> str:
    """The status `step` leads to from `status`; StepRefused when the table does not allow it."""
    transition = TRANSITIONS.get(step)
    if transition is None:
        raise StepRefused("unknown", step=step)
    if status in FINAL:
        raise StepRefused("final", status=status)
    if status not in transition.sources:
        raise StepRefused("not_allowed", status=status, step=step, allowed=allowed_steps(status))
    return transition.target


def decision_refusal(*, has_return_consent: bool) -> str | None:
    """No informed decision to return without the person's return consent in force."""
    return None if has_return_consent else "no_return_consent"


def risk_refusal(*, is_child: bool, has_return_determination: bool) -> str | None:
    """A child returns only where a best-interests determination found return in their best
    interests (UNHCR BID guidelines, 2021; Recommended Principles, guideline 6.8)."""
    if is_child and not has_return_determination:
        return "no_best_interests_determination"
    return None


def departure_refusals(
    *,
    decision: str,
    has_return_consent: bool,
    fitness: str,
    documents_issued: bool,
    legs: int,
    legs_without_escort: int,
) -> list[str]:
    """Every reason a departure is refused now (empty: it may go ahead)."""
    refusals = []
    if decision != "return":
        refusals.append("no_decision")
    if not has_return_consent:
        refusals.append("no_return_consent")
    if fitness not in ("fit", "fit_with_escort"):
        refusals.append("not_fit")
    if not documents_issued:
        refusals.append("no_documents")
    if legs == 0:
        refusals.append("no_itinerary")
    if fitness == "fit_with_escort" and legs_without_escort:
        refusals.append("no_escort")
    return refusals


def stops_on_consent_withdrawal(status: str) -> bool:
    """A withdrawn return consent cancels a journey that has not left yet."""
    return status in BEFORE_DEPARTURE
