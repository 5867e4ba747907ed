"""What the screening pages and the screening API read of a case, written once.

Each function takes a case fetched through salama.cases.access (visible to the caller).
"""

from __future__ import annotations

from salama.cases.models import Case
from salama.screening.models import IdentificationDecision, Screening, VulnerabilityAssessment


def case_screenings(case: Case) -> list[Screening]:
    """The case's screenings, drafts and amendments included."""
    return list(case.screenings.select_related("created_by", "amends"))


def case_assessments(case: Case) -> list[VulnerabilityAssessment]:
    """The case's vulnerability assessments, drafts and amendments included."""
    return list(case.vulnerability_assessments.select_related("created_by", "amends"))


def case_decisions(case: Case) -> list[IdentificationDecision]:
    """The identification decisions recorded on the case."""
    return list(case.identification_decisions.select_related("recorded_by"))
