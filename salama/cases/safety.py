"""Every write to a case's risk assessments, safety plan and contact log.

A risk assessment sets a level (high, medium, low) and the risks considered; its level sets when
it must be reviewed, by the organisation's interval for that level (else Salama's defaults). The
safety plan is revised, never edited: each revision is numbered, and a revision made at a
contact points to it. A contact records when, how and with whom the caseworker spoke, what was
said and agreed, and whether the safety plan was reviewed — confirmed as it is, or revised there
and then; a follow-up task agreed at the contact points to it.

Rules: docs/domain.md#risk-and-safety. Each function is one transaction, checks the actor
against the case (and its content: what is written is identifying data about the person) before
it looks at the input, and writes one audit entry per change, naming encrypted fields only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.accounts.models import Organisation
from salama.cases.access import ensure_case_content
from salama.cases.choices import TaskStatus
from salama.cases.models import Case, Task
from salama.cases.safety_models import (
    DEFAULT_REVIEW_DAYS,
    Contact,
    ContactMode,
    ContactWith,
    PlanReview,
    ReviewInterval,
    Risk,
    RiskAssessment,
    RiskLevel,
    SafetyPlan,
)
from salama.core import audit
from salama.core.errors import ConflictError
from salama.core.policy import Principal, ensure
from salama.core.roles import Perm

# Limits (the forms and the API declare the same).
NOTES_LENGTH = 4000
PLAN_FIELD_LENGTH = 2000
PLAN_ACTIONS_LENGTH = 4000
PLACE_LENGTH = 200
CONTACT_TEXT_LENGTH = 4000
TASK_TITLE_LENGTH = 300
MAX_REVIEW_DAYS = 365
# A contact is logged after it happened: at most this many days back, and not in the future.
CONTACT_DAYS_BACK = 366

PLAN_CHANGED = gettext_lazy(
    "Someone else revised the safety plan while you were working on it. "
    "Reload the page to see their revision, then try again."
)


def _open_for_work(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it to add to it."))
    if case.person.is_erased:
        raise ValidationError(_("The person was erased; nothing more can be recorded."))


def _text(value: str, name: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors.setdefault(name, []).append(
            _("At most %(limit)s characters; shorten it.") % {"limit": limit}
        )
    return value


# Review intervals -------------------------------------------------------------------------------


def review_days(organisation: Organisation | int, level: str) -> int:
    """Days from an assessment at `level` to its review: the organisation's, else the default."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    own = (
        ReviewInterval.objects.filter(organisation_id=org_id, level=level)
        .values_list("days", flat=True)
        .first()
    )
    return own if own is not None else DEFAULT_REVIEW_DAYS[level]


@transaction.atomic
def set_review_interval(
    *,
    actor: Principal,
    organisation: Organisation,
    level: str,
    days: int,
    request: HttpRequest | None = None,
) -> ReviewInterval:
    """Set the organisation's review interval for one risk level (org.manage_settings).

    Assessments made from now on use it; those already made keep the date they were given."""
    ensure(actor, organisation, Perm.ORG_MANAGE_SETTINGS)
    if level not in RiskLevel.values:
        raise ValidationError({"level": _("Choose high, medium or low.")})
    if not 1 <= days <= MAX_REVIEW_DAYS:
        raise ValidationError(
            {"days": _("Give a number of days from 1 to %(max)s.") % {"max": MAX_REVIEW_DAYS}}
        )
    old = review_days(organisation, level)
    interval, _created = ReviewInterval.objects.update_or_create(
        organisation=organisation, level=level, defaults={"days": days}
    )
    audit.record(
        "org.review_interval",
        actor=actor.user,
        obj=organisation,
        organisation=organisation,
        changes={f"review_days.{level}": (old, days)},
        request=request,
    )
    return interval


# Risk assessments --------------------------------------------------------------------------------


@transaction.atomic
def record_risk_assessment(
    *,
    actor: Principal,
    case: Case,
    level: str,
    risks: Sequence[str] = (),
    notes: str = "",
    contact: Contact | None = None,
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Record a new risk assessment; it becomes the case's current one. Its review falls due
    after the organisation's interval for its level."""
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    errors: dict[str, list[str]] = {}
    if level not in RiskLevel.values:
        errors["level"] = [_("Choose the risk level: high, medium or low.")]
    unknown = sorted({r for r in risks if r not in Risk.values})
    if unknown:
        errors["risks"] = [
            _("%(codes)s: not a risk Salama knows. Choose from the list.")
            % {"codes": ", ".join(map(str, unknown))}
        ]
    notes = _text(notes, "notes", NOTES_LENGTH, errors)
    if contact is not None and contact.case_id != case.pk:
        errors["contact"] = [_("Choose a contact of this case.")]
    if errors:
        raise ValidationError(errors)
    chosen = set(risks)
    days = review_days(case.organisation_id, level)
    now = timezone.now()
    assessment = RiskAssessment.objects.create(
        case=case,
        level=level,
        risks=[code for code in Risk.values if code in chosen],
        notes=notes,
        review_days=days,
        next_review_on=timezone.localdate(now) + dt.timedelta(days=days),
        contact=contact,
        assessed_by=actor.user,
        assessed_at=now,
    )
    previous = (
        RiskAssessment.objects.filter(case=case)
        .exclude(pk=assessment.pk)
        .values_list("level", flat=True)
        .first()
    )
    audit.record(
        "case.risk_assessment",
        actor=actor.user,
        obj=assessment,
        organisation=case.organisation,
        fields=["notes"] if notes else [],
        changes={
            "level": (previous, level),
            "risks": (None, assessment.risks),
            "next_review_on": (None, assessment.next_review_on.isoformat()),
        },
        request=request,
        scope=case,
    )
    return assessment


# The safety plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyPlanInput:
    """The whole plan as the person and the caseworker agree it (each part may be empty, not all)."""

    safe_contacts: str = ""
    safe_places: str = ""
    warning_signs: str = ""
    actions: str = ""


def _clean_plan(plan: SafetyPlanInput) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned = {
        "safe_contacts": _text(plan.safe_contacts, "safe_contacts", PLAN_FIELD_LENGTH, errors),
        "safe_places": _text(plan.safe_places, "safe_places", PLAN_FIELD_LENGTH, errors),
        "warning_signs": _text(plan.warning_signs, "warning_signs", PLAN_FIELD_LENGTH, errors),
        "actions": _text(plan.actions, "actions", PLAN_ACTIONS_LENGTH, errors),
    }
    if not errors and not any(cleaned.values()):
        errors["actions"] = [
            _(
                "Write the plan: who the person can call, where they can go, the signs of "
                "danger, or what was agreed."
            )
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def current_revision(case: Case) -> int:
    """The number of the case's latest safety plan revision; 0 when there is none yet."""
    return (
        SafetyPlan.objects.filter(case=case)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
        or 0
    )


def _revise(
    actor: Principal,
    case: Case,
    cleaned: dict[str, str],
    expected_revision: int | None,
    contact: Contact | None,
    request: HttpRequest | None,
) -> SafetyPlan:
    latest = SafetyPlan.objects.filter(case=case).order_by("-revision").first()
    revision = latest.revision if latest else 0
    if expected_revision is not None and expected_revision != revision:
        raise ConflictError(PLAN_CHANGED)
    changed = [
        name for name in SafetyPlan.TEXT_FIELDS if getattr(latest, name, "") != cleaned[name]
    ]
    try:
        with transaction.atomic():
            plan = SafetyPlan.objects.create(
                case=case,
                revision=revision + 1,
                contact=contact,
                revised_by=actor.user,
                **cleaned,
            )
    except IntegrityError:  # someone else saved this revision number first
        raise ConflictError(PLAN_CHANGED) from None
    audit.record(
        "case.safety_plan",
        actor=actor.user,
        obj=plan,
        organisation=case.organisation,
        fields=changed,
        changes={"revision": (revision or None, plan.revision)},
        request=request,
        scope=case,
    )
    return plan


@transaction.atomic
def revise_safety_plan(
    *,
    actor: Principal,
    case: Case,
    plan: SafetyPlanInput,
    expected_revision: int | None,
    request: HttpRequest | None = None,
) -> SafetyPlan:
    """Save a new revision of the safety plan. `expected_revision` is the revision the user
    read (0 when there was none); another revision saved meanwhile is a conflict."""
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    cleaned = _clean_plan(plan)
    return _revise(actor, case, cleaned, expected_revision, None, request)


# The contact log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactInput:
    occurred_at: dt.datetime
    mode: str
    with_whom: str
    place: str = ""
    summary: str = ""
    agreed: str = ""
    # Whether the safety plan was reviewed (PlanReview); with REVISED, `plan` is the new plan.
    plan_review: str = PlanReview.NOT_REVIEWED
    plan: SafetyPlanInput | None = None
    # A follow-up agreed at the contact becomes a task pointing to it.
    follow_up: str = ""
    follow_up_due: dt.date | None = None


def _clean_contact(data: ContactInput, has_plan: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    occurred = data.occurred_at
    if occurred is None:
        errors["occurred_at"] = [_("Give the date and time of the contact.")]
    elif timezone.is_naive(occurred):
        occurred = timezone.make_aware(occurred)
    if occurred is not None:
        if occurred > now + dt.timedelta(minutes=5):
            errors.setdefault("occurred_at", []).append(
                _("The contact is in the future. Log it once it has happened.")
            )
        elif occurred < now - dt.timedelta(days=CONTACT_DAYS_BACK):
            errors.setdefault("occurred_at", []).append(
                _("Log contacts of the last year only; put older ones in a note.")
            )
    if data.mode not in ContactMode.values:
        errors["mode"] = [_("Choose how the contact took place.")]
    if data.with_whom not in ContactWith.values:
        errors["with_whom"] = [_("Choose who the contact was with.")]
    cleaned: dict[str, Any] = {
        "occurred_at": occurred,
        "mode": data.mode,
        "with_whom": data.with_whom,
        "place": _text(data.place, "place", PLACE_LENGTH, errors),
        "summary": _text(data.summary, "summary", CONTACT_TEXT_LENGTH, errors),
        "agreed": _text(data.agreed, "agreed", CONTACT_TEXT_LENGTH, errors),
    }
    if not errors and not cleaned["summary"] and not cleaned["agreed"]:
        errors["summary"] = [_("Say what was discussed or what was agreed.")]
    if data.plan_review not in PlanReview.values:
        errors["plan_review"] = [_("Say whether the safety plan was reviewed.")]
    elif data.plan_review == PlanReview.CONFIRMED and not has_plan:
        errors["plan_review"] = [
            _("The case has no safety plan to confirm yet: write one, or choose “not reviewed”.")
        ]
    elif data.plan_review == PlanReview.REVISED and data.plan is None:
        errors["plan_review"] = [_("Write the revised safety plan.")]
    follow_up = _text(data.follow_up, "follow_up", TASK_TITLE_LENGTH, errors)
    if data.follow_up_due is not None and not follow_up:
        errors.setdefault("follow_up", []).append(
            _("Say what the follow-up is, or clear its due date.")
        )
    cleaned["follow_up"] = follow_up
    plan: dict[str, str] | None = None
    if data.plan_review == PlanReview.REVISED and data.plan is not None:
        try:
            plan = _clean_plan(data.plan)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"plan.{name}", []).extend(messages)
    cleaned["plan"] = plan
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def log_contact(
    *,
    actor: Principal,
    case: Case,
    data: ContactInput,
    expected_revision: int | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Log a contact. With plan_review REVISED, the plan is revised at it (`expected_revision`
    is the revision the user read, as for revise_safety_plan); with CONFIRMED, the current plan
    is recorded as reviewed unchanged. A follow-up becomes a task pointing to the contact."""
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    revision = current_revision(case)
    cleaned = _clean_contact(data, has_plan=revision > 0)
    if data.plan_review != PlanReview.NOT_REVIEWED and expected_revision not in (None, revision):
        raise ConflictError(PLAN_CHANGED)
    contact = Contact.objects.create(
        case=case,
        occurred_at=cleaned["occurred_at"],
        mode=cleaned["mode"],
        with_whom=cleaned["with_whom"],
        place=cleaned["place"],
        summary=cleaned["summary"],
        agreed=cleaned["agreed"],
        plan_review=data.plan_review,
        recorded_by=actor.user,
    )
    audit.record(
        "case.contact",
        actor=actor.user,
        obj=contact,
        organisation=case.organisation,
        fields=[f for f in ("place", "summary", "agreed") if cleaned[f]],
        changes={
            "mode": (None, contact.mode),
            "with_whom": (None, contact.with_whom),
            "plan_review": (None, contact.plan_review),
        },
        request=request,
        scope=case,
    )
    plan = cleaned["plan"]
    if isinstance(plan, dict):
        _revise(actor, case, plan, expected_revision, contact, request)
    elif data.plan_review == PlanReview.CONFIRMED:
        audit.record(
            "case.safety_plan_confirm",
            actor=actor.user,
            obj=contact,
            organisation=case.organisation,
            changes={"revision": (revision, revision)},
            request=request,
            scope=case,
        )
    if cleaned["follow_up"]:
        task = Task.objects.create(
            case=case,
            title=cleaned["follow_up"],
            due_on=data.follow_up_due,
            assigned_to=case.assigned_to or actor.user,
            status=TaskStatus.OPEN,
            created_by=actor.user,
            contact=contact,
        )
        audit.record(
            "case.task_add",
            actor=actor.user,
            obj=task,
            organisation=case.organisation,
            fields=["title"],
            changes={
                "due_on": (None, data.follow_up_due.isoformat() if data.follow_up_due else None),
                "contact": (None, str(contact.pk)),
            },
            request=request,
            scope=case,
        )
    return contact
