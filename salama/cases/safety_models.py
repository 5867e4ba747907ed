"""Risk and safety on a case: risk assessments, safety plan revisions, the contact log, and
the reminders sent about overdue work (imported by salama.cases.models).

Rules: docs/domain.md#risk-and-safety. Risk assessments and safety plan revisions are
append-only: the current one is the latest. What the person said, where they are safe and what
was agreed is identifying data and is encrypted under the person's key; the risk level, the
risk codes and the dates are in clear so that reviews can be scheduled and counted.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Risk(models.TextChoices):
    """The risks a caseworker considers at each assessment (docs/domain.md#risk-and-safety)."""

    TRAFFICKERS = "traffickers", _("Threats from traffickers, or being trafficked again")
    RETALIATION_FAMILY = "retaliation_family", _("Retaliation against family or friends")
    SELF_HARM = "self_harm", _("Self-harm or suicide")
    HEALTH = "health", _("Physical or mental health")
    LEGAL = "legal", _("Legal or immigration status (detention, removal)")
    DOMESTIC = "domestic", _("Violence at home or where the person stays")
    OTHER = "other", _("Other (say in the notes)")


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    MESSAGE = "message", _("Message")


class ContactWith(models.TextChoices):
    PERSON = "person", _("The person")
    FAMILY = "family", _("Family")
    PROVIDER = "provider", _("A service provider")
    OTHER = "other", _("Someone else")


class PlanReview(models.TextChoices):
    NOT_REVIEWED = "not_reviewed", _("Not reviewed at this contact")
    CONFIRMED = "confirmed", _("Reviewed: still right, unchanged")
    REVISED = "revised", _("Reviewed and revised")


# Salama's defaults for how soon a risk assessment is reviewed, by level (days); an organisation
# may set its own (ReviewInterval).
DEFAULT_REVIEW_DAYS: dict[str, int] = {
    RiskLevel.HIGH: 7,
    RiskLevel.MEDIUM: 30,
    RiskLevel.LOW: 90,
}


class ReviewInterval(models.Model):
    """An organisation's own review interval for one risk level (else DEFAULT_REVIEW_DAYS)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    days = models.PositiveSmallIntegerField(_("review after (days)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "level"], name="cases_review_interval_unique_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.level}: {self.days}"


class Contact(models.Model):
    """One contact with or about the person: when, how, with whom, what was said and agreed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField(_("when"))
    mode = models.CharField(_("how"), max_length=12, choices=ContactMode.choices)
    with_whom = models.CharField(_("with whom"), max_length=12, choices=ContactWith.choices)
    place = EncryptedTextField(_("where"), max_length_plain=200)
    summary = EncryptedTextField(_("what was discussed"), max_length_plain=4000)
    agreed = EncryptedTextField(_("what was agreed"), max_length_plain=4000)
    plan_review = models.CharField(
        _("safety plan"),
        max_length=14,
        choices=PlanReview.choices,
        default=PlanReview.NOT_REVIEWED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        indexes = [models.Index(fields=["case", "-occurred_at"], name="cases_contact_case_idx")]

    def __str__(self) -> str:
        return f"Contact {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()


class RiskAssessment(models.Model):
    """One assessment of the risks the person faces; the case's current one is the latest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="risk_assessments"
    )
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    risks = models.JSONField(_("risks considered"), default=list, blank=True)
    notes = EncryptedTextField(_("notes"), max_length_plain=4000)
    review_days = models.PositiveSmallIntegerField()
    next_review_on = models.DateField(_("next review"))
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-assessed_at"], name="cases_risk_case_idx"),
            models.Index(fields=["next_review_on"], name="cases_risk_review_idx"),
        ]

    def __str__(self) -> str:
        return f"Risk assessment {self.id} ({self.level})"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    def review_overdue(self, today: dt.date | None = None) -> bool:
        return self.next_review_on < (today or timezone.localdate())


class SafetyPlan(models.Model):
    """One revision of the case's safety plan; revisions are numbered 1, 2, … per case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="safety_plans")
    revision = models.PositiveIntegerField()
    safe_contacts = EncryptedTextField(_("safe contacts"), max_length_plain=2000)
    safe_places = EncryptedTextField(_("safe places"), max_length_plain=2000)
    warning_signs = EncryptedTextField(_("warning signs"), max_length_plain=2000)
    actions = EncryptedTextField(_("actions agreed"), max_length_plain=4000)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revised_at = models.DateTimeField(default=timezone.now)

    TEXT_FIELDS = ("safe_contacts", "safe_places", "warning_signs", "actions")

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "revision"], name="cases_safety_plan_unique_revision"
            )
        ]

    def __str__(self) -> str:
        return f"Safety plan {self.case_id} r{self.revision}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()


class ReminderKind(models.TextChoices):
    TASK = "task", _("Overdue task")
    RISK_REVIEW = "risk_review", _("Overdue risk review")


class ReminderSent(models.Model):
    """That a user was reminded of one overdue item (a task, or a risk assessment's review) for
    its due date, so the same item is not announced twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    object_id = models.UUIDField()
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "due_on"], name="cases_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.kind} {self.object_id} to {self.user_id}"
