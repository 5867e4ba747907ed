"""Cases: the protection work with one person by one organisation, and what hangs off a case."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.cases.choices import (
    CaseType,
    ClosureReason,
    PlanItemStatus,
    ReassignmentStatus,
    Stage,
    TaskKind,
    TaskStatus,
)
from salama.core.fields import EncryptedFileField, EncryptedTextField
from salama.people.choices import Sex


class CaseCounter(models.Model):
    """The last case number used by an organisation in a year (for readable references)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="cases_counter_unique_org_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Case(models.Model):
    """The protection work of one organisation with one person, from screening to closure."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=40)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    case_type = models.CharField(_("case type"), max_length=24, choices=CaseType.choices)
    stage = models.CharField(
        _("stage"), max_length=32, choices=Stage.choices, default=Stage.REGISTERED
    )
    stage_table_version = models.CharField(max_length=8, default="2")
    stage_changed_at = models.DateTimeField(default=timezone.now)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("caseworker"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_cases",
        verbose_name=_("supervisor"),
    )
    jurisdiction = models.CharField(_("jurisdiction (country)"), max_length=2)
    opened_at = models.DateTimeField(default=timezone.now)
    reflection_starts = models.DateField(_("reflection period starts"), null=True, blank=True)
    reflection_ends = models.DateField(_("reflection period ends"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=24, choices=ClosureReason.choices, blank=True
    )
    stage_before_closure = models.CharField(max_length=32, blank=True)
    is_child_case = models.BooleanField(_("child case"), default=False)
    best_interests_flag = models.BooleanField(
        _("best-interests determination needed"), default=False
    )
    summary = EncryptedTextField(_("summary"), max_length_plain=4000)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    retention_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="cases_case_unique_reference"
            )
        ]
        indexes = [
            # The list pages sort by one of these, with the id as tie-breaker: an index that
            # ends in the tie-breaker lets the database read a page without sorting the rest.
            models.Index(
                fields=["organisation", "-opened_at", "id"], name="cases_case_org_opened_idx"
            ),
            models.Index(
                fields=["organisation", "-stage_changed_at", "id"],
                name="cases_case_org_changed_idx",
            ),
            models.Index(
                fields=["assigned_to", "-opened_at", "id"], name="cases_case_mine_opened_idx"
            ),
            models.Index(
                fields=["organisation", "stage", "-opened_at"], name="cases_case_org_stage_idx"
            ),
            # "Does this person have a case here?" is asked per search candidate by the policy;
            # without this index SQLite walks the organisation's cases instead.
            models.Index(fields=["person", "organisation"], name="cases_case_person_org_idx"),
            models.Index(fields=["organisation", "closed_at"], name="cases_case_org_closed_idx"),
            # The home page counts open cases per caseworker and a caseworker's per stage, and
            # lists reflection periods about to end, from the index alone.
            models.Index(
                fields=["organisation", "assigned_to", "stage"], name="cases_case_org_load_idx"
            ),
            models.Index(
                fields=["organisation", "reflection_ends"], name="cases_case_org_reflect_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:case-detail", args=[self.id])

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()

    @property
    def uuid(self) -> uuid.UUID:
        return self.id

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    def reflection_days_left(self, today: dt.date | None = None) -> int | None:
        if self.reflection_ends is None:
            return None
        return (self.reflection_ends - (today or timezone.localdate())).days


class CaseNote(models.Model):
    """A caseworker's note on a case; the text is encrypted under the person's key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("note"), max_length_plain=20000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()


class Attachment(models.Model):
    """A file on a case, encrypted at rest; its original name is encrypted too."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = EncryptedFileField()
    filename = EncryptedTextField(_("file name"), max_length_plain=255)
    description = EncryptedTextField(_("description"), max_length_plain=500)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Attachment {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()


class Task(models.Model):
    """A task or follow-up on a case with a due date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField(_("task"), max_length_plain=300)
    due_on = models.DateField(_("due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # Set on the tasks the system adds (e.g. by a screening), empty on those people add.
    kind = models.CharField(max_length=40, choices=TaskKind.choices, default="", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The contact at which it was agreed, if any (salama.cases.safety).
    contact = models.ForeignKey(
        "cases.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )

    class Meta:
        ordering = ["status", "due_on", "created_at"]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_on"], name="cases_task_due_idx"),
            # Which cases have an overdue task: read from the few open tasks past their date.
            models.Index(fields=["status", "due_on"], name="cases_task_overdue_idx"),
        ]

    def __str__(self) -> str:
        return f"Task {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def shown_title(self) -> str:
        """The title in the reader's language: a task the system added is named by its kind
        (its stored title is in the language of whoever triggered it), one people added by
        what they wrote."""
        if self.kind and self.kind in TaskKind.values:
            return str(TaskKind(self.kind).label)
        return str(self.title)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (
            self.status == TaskStatus.OPEN
            and self.due_on is not None
            and self.due_on < (today or timezone.localdate())
        )


class PlanItem(models.Model):
    """One action of the case plan: a goal, what will be done, by whom and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_items")
    goal = EncryptedTextField(_("goal"), max_length_plain=500)
    action = EncryptedTextField(_("action"), max_length_plain=1000)
    service_type = models.CharField(_("service type"), max_length=32, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )
    source = models.CharField(max_length=64, blank=True, help_text="e.g. domv:<assessment id>")
    # Set when the system generated the goal and action: shown in the reader's language.
    generated_key = models.CharField(max_length=32, blank=True, help_text="e.g. domv.response")
    generated_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The contact at which it was agreed, if any (salama.cases.safety).
    contact = models.ForeignKey(
        "cases.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
    )

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return f"Plan item {self.id}"

    @property
    def shown_goal(self) -> str:
        """The goal in the reader's language if the system generated it, else as typed."""
        from salama.cases.generated import shown_goal

        return shown_goal(self.generated_key, self.generated_params, self.goal)

    @property
    def shown_action(self) -> str:
        """The action in the reader's language if the system generated it, else as typed."""
        from salama.cases.generated import shown_action

        return shown_action(self.generated_key, self.generated_params, self.action)

    @property
    def service_type_label(self) -> str:
        from salama.core.taxonomy import ServiceType

        return (
            str(ServiceType(self.service_type).label)
            if self.service_type in ServiceType.values
            else ""
        )

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()


class ReassignmentRequest(models.Model):
    """A request to hand a case to another caseworker, where the organisation wants approval."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reassignments")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=12, choices=ReassignmentStatus.choices, default=ReassignmentStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Reassignment {self.id} ({self.status})"


# The exploitation record (HTCDS) ---------------------------------------------------------------


def _event_types() -> list[tuple[str, str]]:
    from salama.cases import htcds_sets

    return htcds_sets.choices(htcds_sets.EVENT_TYPE)


def _age_bands() -> list[tuple[str, str]]:
    from salama.cases import htcds_sets

    return htcds_sets.choices(htcds_sets.AGE_BAND)


class ExploitationRecord(models.Model):
    """What was done to the person, in the terms of HTCDS: one per case.

    Every value is a code of an HTCDS value set (salama.cases.htcds_sets) or a country code, and
    none identifies anyone, so all are in clear: the evidence pages count them without
    decrypting. The lists hold codes in the standard's order; the places and dates of
    recruitment, transit and exploitation are its `events`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="exploitation")
    types_of_exploitation = models.JSONField(default=list, blank=True)  # vic_TypeOfExploitation
    types_of_sex_exploitation = models.JSONField(default=list, blank=True)
    forced_labour_industries = models.JSONField(default=list, blank=True)  # ISIC Rev.4 sections
    methods_of_control = models.JSONField(default=list, blank=True)
    methods_of_recruitment = models.JSONField(default=list, blank=True)
    recruitment_websites = models.JSONField(default=list, blank=True)
    exploitation_websites = models.JSONField(default=list, blank=True)
    relationship_to_trafficker = models.JSONField(default=list, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration of the exploitation (months)"), null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exploitation record")

    def __str__(self) -> str:
        return f"Exploitation record {self.id}"


class TraffickingEvent(models.Model):
    """Where and when one stage happened (HTCDS hte_: recruitment, transit or exploitation).

    The date may be known to the year, the month or the day.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(ExploitationRecord, on_delete=models.CASCADE, related_name="events")
    position = models.PositiveSmallIntegerField(default=0)
    event_type = models.CharField(_("stage"), max_length=16, choices=_event_types)
    country = models.CharField(_("country"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["event_type", "country"], name="cases_event_type_country")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.country}"

    @property
    def date_text(self) -> str:
        """The date to the precision known: ``2023``, ``2023-06`` or ``2023-06-14``; or empty."""
        if self.year is None:
            return ""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text


class Perpetrator(models.Model):
    """Someone the person names as having taken part in the trafficking: a pseudonymous record.

    Who they are (names, alias, identifying details, what exactly they did) is encrypted under a
    data key of their own, so that one perpetrator's identity can be destroyed without touching
    the case, and the person's erasure destroys it too (salama.cases.exploitation). Their role,
    citizenship, sex and age band are in clear, for statistics. Referral packets never include
    perpetrators.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    data_key = models.OneToOneField(
        "core.DataKey", on_delete=models.PROTECT, related_name="+", editable=False
    )
    first_name = EncryptedTextField(_("first name"), max_length_plain=200)
    second_name = EncryptedTextField(_("family name"), max_length_plain=200)
    alias = EncryptedTextField(_("alias or nickname"), max_length_plain=200)
    identifying_details = EncryptedTextField(_("identifying details"), max_length_plain=2000)
    role_details = EncryptedTextField(_("what they did"), max_length_plain=2000)
    roles = models.JSONField(default=list, blank=True)  # per_RoleInProcess
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True)
    sex = models.CharField(_("sex"), max_length=12, blank=True, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=8, blank=True, choices=_age_bands)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    # Fields that identify the perpetrator: audited by name only.
    IDENTITY_FIELDS = (
        "first_name",
        "second_name",
        "alias",
        "identifying_details",
        "role_details",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Perpetrator {self.id}"

    def get_data_key(self) -> bytes:
        return self.data_key.unwrap()

    @property
    def identity_erased(self) -> bool:
        return self.data_key.is_shredded


# Risk and safety: risk assessments, safety plans, the contact log, reminders ------------------

# The best-interests assessment and determination live in their own module.
# Supervision approvals live in their own module; imported here so that Django finds them.
from salama.cases.approval_models import (  # noqa: E402
    ApprovalRequest as ApprovalRequest,
)
from salama.cases.approval_models import (  # noqa: E402
    ApprovalSettings as ApprovalSettings,
)
from salama.cases.best_interests_models import (  # noqa: E402, F401
    BestInterestsAssessment,
    BestInterestsDetermination,
)
from salama.cases.safety_models import (  # noqa: E402, F401
    Contact,
    ReminderSent,
    ReviewInterval,
    RiskAssessment,
    SafetyPlan,
)
