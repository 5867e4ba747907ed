"""Every write to a child's best-interests assessment (BIA) and determination (BID).

Rules (docs/domain.md#best-interests-of-the-child), after the UNHCR Guidelines on Assessing and
Determining the Best Interests of the Child (2021):

- both are for children only: a person under 18 on the day the case was opened (by the date of
  birth, else the age estimated at registration), or a case opened as an unaccompanied child's;
- the caseworkers of the case record and complete assessments; a completed one is not changed
  (a new assessment is recorded instead, so what the panel read stays as it was);
- a determination is made by a panel on a completed assessment of the same case, and recorded by
  a supervisor (case.approve): a caseworker cannot;
- what is written is identifying data about the child, encrypted and audited by field name only;
  dates, statuses, the panel's roles and the decision are codes, audited with their values.

Each function is one transaction and checks the actor against the case before the input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases.access import ensure_case_content
from salama.cases.best_interests_models import (
    TEXT_LENGTH,
    AssessmentStatus,
    BestInterestsAssessment,
    BestInterestsDetermination,
    PanelRole,
    Solution,
)
from salama.cases.choices import CaseType
from salama.cases.models import Case
from salama.core import audit
from salama.core.policy import NotPermitted, Principal
from salama.core.roles import Perm
from salama.core.versioning import bump_version

MIN_PANEL = 2
MAX_PANEL = 12
EARLIEST = dt.date(2000, 1, 1)

ASSESSMENT_CHANGED = gettext_lazy(
    "Someone else saved this assessment while you were working on it. "
    "Reload the page to see their change, then try again."
)


@dataclass(frozen=True)
class AssessmentInput:
    """A best-interests assessment as the user writes it, under the UNHCR headings."""

    assessed_on: dt.date
    child_views_heard: bool = False
    views_how: str = ""
    safety: str = ""
    family: str = ""
    health: str = ""
    education: str = ""
    identity: str = ""
    recommendations: str = ""


def case_is_for_child(case: Case) -> bool:
    """Whether the case's person was a child (under 18) when the case was opened."""
    person = case.person
    if person.date_of_birth is not None:
        age = person.age_on(timezone.localtime(case.opened_at).date())
        return age is not None and age < 18
    if person.is_minor is not None:
        return bool(person.is_minor)
    return case.case_type == CaseType.UNACCOMPANIED_CHILD or bool(case.is_child_case)


def _for_child_and_open(case: Case) -> None:
    if case.person.is_erased:
        raise ValidationError(_("The person was erased; nothing more can be recorded."))
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it to add to it."))
    if not case_is_for_child(case):
        raise ValidationError(
            _(
                "Best-interests assessments and determinations are for children only; the person "
                "was 18 or older when this case was opened."
            )
        )


def _date(value: dt.date | None, field: str, *, not_before: dt.date = EARLIEST) -> dt.date:
    if value is None:
        raise ValidationError({field: _("Give the date.")})
    if value > timezone.localdate():
        raise ValidationError({field: _("The date is in the future.")})
    if value < not_before:
        raise ValidationError(
            {field: _("The date must be on or after %(d)s.") % {"d": not_before.isoformat()}}
        )
    return value


def _clean_assessment(data: AssessmentInput, *, complete: bool) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, object] = {}
    for attr in BestInterestsAssessment.TEXT_FIELDS:
        value = (getattr(data, attr) or "").strip()
        if len(value) > TEXT_LENGTH:
            errors.setdefault(attr, []).append(
                _("At most %(limit)s characters; shorten it.") % {"limit": TEXT_LENGTH}
            )
        cleaned[attr] = value
    try:
        cleaned["assessed_on"] = _date(data.assessed_on, "assessed_on")
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    cleaned["child_views_heard"] = bool(data.child_views_heard)
    if cleaned["child_views_heard"] and not cleaned["views_how"]:
        errors.setdefault("views_how", []).append(
            _("Say how the child was heard and what they said.")
        )
    if complete and not errors:
        if not cleaned["recommendations"]:
            errors.setdefault("recommendations", []).append(
                _("Write the recommendations before completing the assessment.")
            )
        if not cleaned["child_views_heard"] and not cleaned["views_how"]:
            errors.setdefault("views_how", []).append(
                _("Before completing, hear the child or say why their views could not be heard.")
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _audit_assessment(
    action: str,
    actor: Principal,
    assessment: BestInterestsAssessment,
    fields: Iterable[str],
    changes: dict[str, tuple[object, object]],
    request: HttpRequest | None,
) -> None:
    audit.record(
        action,
        actor=actor.user,
        obj=assessment,
        organisation=assessment.case.organisation,
        fields=list(fields),
        changes=changes,
        request=request,
        scope=assessment.case,
    )


@transaction.atomic
def record_best_interests_assessment(
    *,
    actor: Principal,
    case: Case,
    data: AssessmentInput,
    complete: bool = False,
    request: HttpRequest | None = None,
) -> BestInterestsAssessment:
    """Record a best-interests assessment of the case's child, as a draft or completed."""
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _for_child_and_open(case)
    cleaned = _clean_assessment(data, complete=complete)
    status = AssessmentStatus.COMPLETED if complete else AssessmentStatus.DRAFT
    assessment = BestInterestsAssessment(
        case=case,
        assessed_by=actor.user,
        status=status,
        completed_at=timezone.now() if complete else None,
        **cleaned,
    )
    assessment.save()
    _audit_assessment(
        "case.best_interests_assessment",
        actor,
        assessment,
        [f for f in BestInterestsAssessment.TEXT_FIELDS if cleaned[f]],
        {
            "status": (None, str(status)),
            "assessed_on": (None, assessment.assessed_on.isoformat()),
            "child_views_heard": (None, assessment.child_views_heard),
        },
        request,
    )
    return assessment


@transaction.atomic
def change_best_interests_assessment(
    *,
    actor: Principal,
    assessment: BestInterestsAssessment,
    data: AssessmentInput,
    complete: bool = False,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> BestInterestsAssessment:
    """Replace a draft assessment's content, and complete it if `complete`."""
    if assessment.case_id is None:
        raise NotPermitted
    case = assessment.case
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _for_child_and_open(case)
    if assessment.is_completed:
        raise ValidationError(
            _("A completed assessment is not changed; record a new assessment instead.")
        )
    cleaned = _clean_assessment(data, complete=complete)
    bump_version(assessment, expected_version, ASSESSMENT_CHANGED)
    changed = [
        f for f in BestInterestsAssessment.TEXT_FIELDS if getattr(assessment, f) != cleaned[f]
    ]
    changes: dict[str, tuple[object, object]] = {}
    if assessment.assessed_on != cleaned["assessed_on"]:
        changes["assessed_on"] = (assessment.assessed_on.isoformat(), str(cleaned["assessed_on"]))
    if assessment.child_views_heard != cleaned["child_views_heard"]:
        changes["child_views_heard"] = (assessment.child_views_heard, cleaned["child_views_heard"])
    for attr, value in cleaned.items():
        setattr(assessment, attr, value)
    if complete:
        changes["status"] = (str(assessment.status), str(AssessmentStatus.COMPLETED))
        assessment.status = AssessmentStatus.COMPLETED
        assessment.completed_at = timezone.now()
    assessment.save()
    _audit_assessment(
        "case.best_interests_assessment_change", actor, assessment, changed, changes, request
    )
    return assessment


@transaction.atomic
def record_best_interests_determination(
    *,
    actor: Principal,
    case: Case,
    assessment: BestInterestsAssessment,
    decided_on: dt.date | None,
    panel: Iterable[str],
    decision: str,
    reasons: str,
    request: HttpRequest | None = None,
) -> BestInterestsDetermination:
    """Record a panel's best-interests determination, on a completed assessment of the case.

    Only a supervisor (case.approve) records it: the caseworker who assessed does not decide.
    """
    ensure_case_content(actor, case, Perm.CASE_APPROVE)
    _for_child_and_open(case)
    if assessment.case_id != case.pk:
        raise ValidationError({"assessment": _("Choose an assessment of this case.")})
    if not assessment.is_completed:
        raise ValidationError(
            {
                "assessment": _(
                    "A determination needs a completed best-interests assessment; complete the "
                    "assessment first."
                )
            }
        )
    errors: dict[str, list[str]] = {}
    try:
        decided_on = _date(decided_on, "decided_on", not_before=assessment.assessed_on)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    roles = [str(r) for r in panel]
    unknown = sorted({r for r in roles if r not in PanelRole.values})
    if unknown:
        errors.setdefault("panel", []).append(
            _("%(codes)s: not a panel role. Choose from the list.") % {"codes": ", ".join(unknown)}
        )
    elif not MIN_PANEL <= len(roles) <= MAX_PANEL:
        errors.setdefault("panel", []).append(
            _("A panel has %(low)s to %(high)s members; name each by role.")
            % {"low": MIN_PANEL, "high": MAX_PANEL}
        )
    if decision not in Solution.values:
        errors.setdefault("decision", []).append(_("Choose the decision from the list."))
    reasons = (reasons or "").strip()
    if not reasons:
        errors.setdefault("reasons", []).append(_("Give the panel's reasons."))
    elif len(reasons) > TEXT_LENGTH:
        errors.setdefault("reasons", []).append(
            _("At most %(limit)s characters; shorten it.") % {"limit": TEXT_LENGTH}
        )
    if errors:
        raise ValidationError(errors)
    assert decided_on is not None
    determination = BestInterestsDetermination(
        case=case,
        assessment=assessment,
        decided_on=decided_on,
        panel=roles,
        decision=decision,
        reasons=reasons,
        recorded_by=actor.user,
    )
    determination.save()
    audit.record(
        "case.best_interests_determination",
        actor=actor.user,
        obj=determination,
        organisation=case.organisation,
        fields=["reasons"],
        changes={
            "decision": (None, decision),
            "decided_on": (None, decided_on.isoformat()),
            "panel": (None, roles),
            "assessment": (None, str(assessment.pk)),
        },
        request=request,
        scope=case,
    )
    return determination
