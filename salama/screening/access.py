"""Who may see screenings, identification referrals, decisions and their reconsiderations, and
vulnerability assessments: whoever may see their case (salama.cases.access). Referral
recipients never see them. Recording an identification decision or a reconsideration needs
identification.record besides (checked by the services and the pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from salama.cases.access import through_visible_case
from salama.core.policy import Principal, get_or_404, has_perm, register
from salama.core.roles import Perm
from salama.screening.models import (
    IdentificationDecision,
    IdentificationReferral,
    Reconsideration,
    Screening,
    VulnerabilityAssessment,
)


def visible_screenings(principal: Principal | None) -> QuerySet[Screening]:
    return Screening.objects.filter(through_visible_case(principal))


def visible_assessments(principal: Principal | None) -> QuerySet[VulnerabilityAssessment]:
    return VulnerabilityAssessment.objects.filter(through_visible_case(principal))


def visible_decisions(principal: Principal | None) -> QuerySet[IdentificationDecision]:
    return IdentificationDecision.objects.filter(through_visible_case(principal))


def visible_identification_referrals(
    principal: Principal | None,
) -> QuerySet[IdentificationReferral]:
    return IdentificationReferral.objects.filter(through_visible_case(principal))


def visible_reconsiderations(principal: Principal | None) -> QuerySet[Reconsideration]:
    return Reconsideration.objects.filter(through_visible_case(principal, path="decision__case"))


def access_decision(principal: Principal | None, decision_id: Any) -> IdentificationDecision:
    """A decision to record a reconsideration of; 404 when missing or not visible."""
    return get_or_404(
        visible_decisions(principal).select_related("case__person__data_key"), id=decision_id
    )


def access_reconsideration(principal: Principal | None, reconsideration_id: Any) -> Reconsideration:
    return get_or_404(
        visible_reconsiderations(principal).select_related("decision__case__person__data_key"),
        id=reconsideration_id,
    )


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
    register(IdentificationReferral, visible_identification_referrals)
    register(Reconsideration, visible_reconsiderations)
