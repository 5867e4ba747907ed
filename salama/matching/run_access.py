"""Who may see matching runs and agreements.

Runs: the supervisors of the organisation that started them (``matching.run``). Agreements:
the administrators (``org.manage_settings``) of either organisation. Anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from salama.core.policy import Principal, get_or_404, has_perm, in_organisation, register
from salama.core.roles import Perm
from salama.matching.models import MatchingAgreement, MatchRun


def visible_runs(principal: Principal | None) -> QuerySet[MatchRun]:
    if not in_organisation(principal) or not has_perm(principal, Perm.MATCHING_RUN):
        return MatchRun.objects.none()
    assert principal is not None
    return MatchRun.objects.filter(organisation=principal.organisation)


def access_run(principal: Principal | None, run_id: Any) -> MatchRun:
    return get_or_404(visible_runs(principal), pk=run_id)


def visible_agreements(principal: Principal | None) -> QuerySet[MatchingAgreement]:
    if not in_organisation(principal) or not has_perm(principal, Perm.ORG_MANAGE_SETTINGS):
        return MatchingAgreement.objects.none()
    assert principal is not None
    org = principal.organisation
    return MatchingAgreement.objects.filter(Q(proposer=org) | Q(partner=org)).select_related(
        "proposer", "partner"
    )


def access_agreement(principal: Principal | None, agreement_id: Any) -> MatchingAgreement:
    return get_or_404(visible_agreements(principal), pk=agreement_id)


def register_rules() -> None:
    register(MatchRun, visible_runs)
    register(MatchingAgreement, visible_agreements)
