"""What the screening pages and the screening API read of a case, written once.

Each function takes a case fetched through salama.cases.access (visible to the caller).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from salama.cases.models import Case
from salama.screening import rules
from salama.screening.choices import DecisionOutcome, DecisionStep
from salama.screening.identification_services import deadline_table
from salama.screening.models import (
    IdentificationDecision,
    IdentificationReferral,
    Screening,
    VulnerabilityAssessment,
)
from salama.screening.rules.deadlines import StepTiming


def case_screenings(case: Case) -> list[Screening]:
    """The case's screenings, drafts and amendments included."""
    return list(case.screenings.select_related("created_by", "amends"))


def case_assessments(case: Case) -> list[VulnerabilityAssessment]:
    """The case's vulnerability assessments, drafts and amendments included."""
    return list(case.vulnerability_assessments.select_related("created_by", "amends"))


def case_decisions(case: Case) -> list[IdentificationDecision]:
    """The identification decisions recorded on the case, newest first, with their
    reconsiderations and what replaced or was replaced."""
    return list(
        case.identification_decisions.select_related(
            "recorded_by", "replaces", "replaced_by", "referral", "case__person__data_key"
        ).prefetch_related("reconsiderations")
    )


@dataclass(frozen=True)
class ReferralRow:
    """A referral to a competent authority with the reasonable-grounds decision answering it."""

    referral: IdentificationReferral
    decision: IdentificationDecision | None
    timing: rules.StepTiming


@dataclass
class Identification:
    """Where a case stands in formal identification, for the page and the API."""

    jurisdiction: str
    rules: rules.JurisdictionRules
    deadline_version: str
    referrals: list[ReferralRow] = field(default_factory=list)
    reasonable_grounds: list[IdentificationDecision] = field(default_factory=list)
    conclusive_grounds: list[IdentificationDecision] = field(default_factory=list)
    waiting_referral: ReferralRow | None = None
    """The referral still waiting for its reasonable-grounds decision (overdue or not)."""
    conclusive_expected: StepTiming | None = None
    """When a positive reasonable-grounds decision stands and no conclusive one yet."""

    @property
    def standing_reasonable_grounds(self) -> IdentificationDecision | None:
        return _standing(self.reasonable_grounds)

    @property
    def standing_conclusive_grounds(self) -> IdentificationDecision | None:
        return _standing(self.conclusive_grounds)

    @property
    def expects_reasonable_grounds(self) -> bool:
        """A reasonable-grounds decision may be recorded: none stands, or a new referral waits."""
        return self.waiting_referral is not None or self.standing_reasonable_grounds is None

    @property
    def expects_conclusive_grounds(self) -> bool:
        """A conclusive decision may be recorded: none stands and a positive reasonable-grounds
        one does (or, where a jurisdiction decides in one step, no referral waits)."""
        if self.standing_conclusive_grounds is not None:
            return False
        reasonable = self.standing_reasonable_grounds
        if reasonable is None:
            return self.waiting_referral is None
        return reasonable.outcome == DecisionOutcome.POSITIVE

    @property
    def may_refer(self) -> bool:
        """A referral may be recorded: none waits, and no decision has identified the person
        or presumed them a victim (after a negative one, a new referral is possible)."""
        if self.waiting_referral is not None or self.standing_conclusive_grounds is not None:
            return False
        reasonable = self.standing_reasonable_grounds
        return reasonable is None or reasonable.outcome == DecisionOutcome.NEGATIVE


def _standing(decisions: list[IdentificationDecision]) -> IdentificationDecision | None:
    for decision in decisions:  # newest first
        if not hasattr(decision, "replaced_by"):
            return decision
    return None


def identification(case: Case, today: dt.date | None = None) -> Identification:
    """The case's referrals, decisions by step, deadlines and flags (late, early, overdue)."""
    today = today or timezone.localdate()
    table = deadline_table()
    jurisdiction = case.jurisdiction.upper()
    here = table.for_jurisdiction(jurisdiction)
    decisions = case_decisions(case)
    result = Identification(jurisdiction=jurisdiction, rules=here, deadline_version=table.version)
    result.reasonable_grounds = [d for d in decisions if d.step == DecisionStep.REASONABLE_GROUNDS]
    result.conclusive_grounds = [d for d in decisions if d.step == DecisionStep.CONCLUSIVE_GROUNDS]
    answers = {
        d.referral_id: d
        for d in reversed(result.reasonable_grounds)
        if d.referral_id and not d.replaces_id
    }
    for referral in case.identification_referrals.all():
        decision = answers.get(referral.pk)
        row = ReferralRow(
            referral=referral,
            decision=decision,
            timing=rules.step_timing(
                due_on=referral.due_on,
                decided_on=decision.decided_on if decision else None,
                today=today,
            ),
        )
        result.referrals.append(row)
        if decision is None and result.waiting_referral is None:
            result.waiting_referral = row
    reasonable = _standing(result.reasonable_grounds)
    if (
        reasonable is not None
        and reasonable.outcome == DecisionOutcome.POSITIVE
        and _standing(result.conclusive_grounds) is None
    ):
        result.conclusive_expected = rules.conclusive_grounds_timing(
            here, positive_reasonable_grounds_on=reasonable.decided_on, decided_on=None, today=today
        )
    return result
