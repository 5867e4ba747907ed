"""Who may see and work a return journey.

A journey is seen through its case: by those who see the case (its organisation's supervisors and
the assigned caseworker). The organisation that receives the person in the country of origin
never sees the journey or the case: it reads the reception referral's packet, which carries the
journey's summary (salama.returns.packet), and records the reception on that referral.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salama.cases.access import visible_cases
from salama.core.policy import Principal, ensure, get_or_404, has_perm, in_organisation, register
from salama.core.roles import Perm
from salama.returns.models import ReturnJourney


def visible_journeys(principal: Principal | None) -> QuerySet[ReturnJourney]:
    return ReturnJourney.objects.filter(case__in=visible_cases(principal))


def counted_journeys(principal: Principal | None) -> QuerySet[ReturnJourney]:
    """Journeys the principal may count (no content): those of visible cases, or all of the
    organisation's for those who read its statistics."""
    if in_organisation(principal) and has_perm(principal, Perm.STATS_VIEW):
        assert principal is not None
        return ReturnJourney.objects.filter(organisation=principal.organisation)
    return visible_journeys(principal)


def access_journey(principal: Principal | None, journey_id: Any) -> ReturnJourney:
    return get_or_404(
        visible_journeys(principal).select_related("case__person__data_key", "organisation"),
        id=journey_id,
    )


def ensure_journey(actor: Principal | None, journey: ReturnJourney) -> None:
    """Services: the actor works the journey's case (sees it and may change cases)."""
    ensure(actor, journey, Perm.CASE_CHANGE)


def register_rules() -> None:
    register(ReturnJourney, visible_journeys)
