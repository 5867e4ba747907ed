"""Who may see screenings, identification decisions and vulnerability assessments: whoever may
see their case (salama.cases.access). Referral recipients never see them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from salama.cases.access import visible_cases
from salama.core.policy import Principal, get_or_404, has_perm, register
from salama.core.roles import Perm
from salama.screening.models import IdentificationDecision, Screening, VulnerabilityAssessment


def visible_screenings(principal: Principal | None) -> QuerySet[Screening]:
    return Screening.objects.filter(case__in=visible_cases(principal))


def visible_assessments(principal: Principal | None) -> QuerySet[VulnerabilityAssessment]:
    return VulnerabilityAssessment.objects.filter(case__in=visible_cases(principal))


def visible_decisions(principal: Principal | None) -> QuerySet[IdentificationDecision]:
    return IdentificationDecision.objects.filter(case__in=visible_cases(principal))


def access_screening(
    principal: Principal | None, screening_id: Any, *, for_write: bool = False
) -> Screening:
    screening = get_or_404(
        visible_screenings(principal).select_related("case__person__data_key"), id=screening_id
    )
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return screening


def access_assessment(
    principal: Principal | None, assessment_id: Any, *, for_write: bool = False
) -> VulnerabilityAssessment:
    assessment = get_or_404(
        visible_assessments(principal).select_related("case__person__data_key"),
        id=assessment_id,
    )
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return assessment


def register_rules() -> None:
    register(Screening, visible_screenings)
    register(VulnerabilityAssessment, visible_assessments)
    register(IdentificationDecision, visible_decisions)
