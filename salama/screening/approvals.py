"""The vulnerability assessment as a step a supervisor approves (salama.cases.approvals).

Registered from ScreeningConfig.ready: the cases app reads an assessment only through this.
A request approves one finalised assessment; it goes stale when a newer final assessment of the
case replaces it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from salama.cases.approvals import Subject, register_subject
from salama.cases.choices import ApprovalKind
from salama.cases.models import Case
from salama.screening.choices import RecordStatus
from salama.screening.models import VulnerabilityAssessment


def _latest_final_id(case: Case) -> str:
    latest = (
        VulnerabilityAssessment.objects.filter(case=case, status=RecordStatus.FINAL)
        .order_by("-finalised_at")
        .values_list("id", flat=True)
        .first()
    )
    return str(latest) if latest else ""


def read(case: Case, assessment_id: str) -> tuple[dict[str, Any], str]:
    try:
        assessment = VulnerabilityAssessment.objects.get(
            case=case, id=assessment_id, status=RecordStatus.FINAL
        )
    except (VulnerabilityAssessment.DoesNotExist, ValueError, ValidationError):
        raise ValidationError(
            {"assessment": _("Choose a finalised vulnerability assessment of this case.")}
        ) from None
    if _latest_final_id(case) != str(assessment.id):
        raise ValidationError(
            {"assessment": _("A newer assessment replaced this one; send the newer one.")}
        )
    snapshot = {
        "assessment": str(assessment.id),
        "catalogue": assessment.catalogue,
        "catalogue_version": assessment.catalogue_version,
        "finalised_at": assessment.finalised_at.isoformat() if assessment.finalised_at else "",
        "proposals": len((assessment.profile or {}).get("proposals", [])),
    }
    return snapshot, str(assessment.id)


def current(case: Case, snapshot: dict[str, Any]) -> str:
    return _latest_final_id(case)


def register() -> None:
    register_subject(ApprovalKind.ASSESSMENT, Subject(read=read, current=current))
