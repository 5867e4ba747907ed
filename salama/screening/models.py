"""Screenings for trafficking indicators, identification decisions and DoMV assessments.

A finalised screening or assessment is immutable: it keeps the rule table (name and version) and
the result it was computed with; a later one ``amends`` it. Notes, evidence and legal-basis text
are encrypted under the person's data key.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField
from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionOutcome,
    DecisionStep,
    Exploitation,
    Outcome,
    Polarity,
    Presence,
    RecordStatus,
    ReviewKind,
    ReviewOutcome,
    ReviewRequester,
)

if TYPE_CHECKING:
    from salama.cases.models import Case


class LifecycleRecord(models.Model):
    """What a screening and a vulnerability assessment share: each is answered as a draft,
    finalised with the rule-table version and result it was computed with, and never changes
    after; a correction is a new draft that ``amends`` the final one. Subclasses add ``case``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    case: models.ForeignKey[Case, Case]

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def is_final(self) -> bool:
        return self.status == RecordStatus.FINAL


class Screening(LifecycleRecord):
    """One structured look for trafficking indicators on a case, against one versioned table."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="screenings")
    table = models.CharField(_("indicator table"), max_length=64)
    table_version = models.CharField(_("table version"), max_length=16)
    exploitation = models.CharField(
        _("form of exploitation"), max_length=12, choices=Exploitation.choices
    )
    age_at_recruitment = models.PositiveSmallIntegerField(
        _("age at recruitment"), null=True, blank=True
    )
    act_recorded = models.BooleanField(
        _("an act of recruitment, transport, transfer, harbouring or receipt is recorded"),
        default=False,
    )
    result = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)

    class Meta(LifecycleRecord.Meta):
        indexes = [models.Index(fields=["case", "-created_at"], name="screening_case_idx")]

    def __str__(self) -> str:
        return f"Screening {self.id} ({self.table} v{self.table_version})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("screening:screening-detail", args=[self.id])


class IndicatorAnswer(models.Model):
    """The answer to one indicator of a screening, with its source, date and encrypted note."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    indicator = models.CharField(_("indicator"), max_length=80)
    value = models.CharField(
        _("answer"), max_length=12, choices=AnswerValue.choices, default=AnswerValue.NOT_ASKED
    )
    source = models.CharField(_("source"), max_length=16, choices=AnswerSource.choices, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), max_length_plain=2000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "indicator"], name="screening_answer_unique_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"

    def get_data_key(self) -> bytes:
        return self.screening.case.person.get_data_key()


class IdentificationReferral(models.Model):
    """The case referred to a competent authority for formal identification, on a date.

    The reasonable-grounds decision is due within the jurisdiction's period from this date
    (``rules.deadlines``); ``due_on`` keeps the last day as the deadline table version
    ``deadline_version`` computed it, so a later table never changes an old deadline.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="identification_referrals"
    )
    referred_on = models.DateField(_("referred on"))
    authority_type = models.CharField(_("competent authority (type of body)"), max_length=40)
    authority_name = models.CharField(_("competent authority"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2)
    deadline_version = models.CharField(max_length=16)
    due_on = models.DateField(_("reasonable-grounds decision due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-referred_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Identification referral {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()


class IdentificationDecision(models.Model):
    """A competent authority's formal decision at one step of identification.

    *Reasonable grounds* first (positive: the person is presumed a victim), then *conclusive
    grounds* (positive: identified as a victim). The deadline flags are computed when the
    decision is recorded, with the deadline table version they used: ``late`` when a
    reasonable-grounds decision came after its due day, ``early`` when a conclusive one came
    before the recovery period ended. A decision overturned on reconsideration or appeal is
    ``replaced`` by a new decision with the other outcome.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="identification_decisions"
    )
    step = models.CharField(_("step"), max_length=20, choices=DecisionStep.choices)
    decided_by_org_type = models.CharField(_("competent authority (type of body)"), max_length=40)
    authority_name = models.CharField(_("competent authority"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"))
    outcome = models.CharField(_("outcome"), max_length=32, choices=DecisionOutcome.choices)
    legal_basis = EncryptedTextField(_("legal basis"), max_length_plain=4000)
    referral = models.ForeignKey(
        IdentificationReferral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, blank=True)
    deadline_version = models.CharField(max_length=16, blank=True)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    not_before = models.DateField(_("not before"), null=True, blank=True)
    late = models.BooleanField(_("decided after its deadline"), default=False)
    early = models.BooleanField(_("decided before the recovery period ended"), default=False)
    previous_status = models.CharField(max_length=32, blank=True)
    trafficking_status = models.CharField(max_length=32, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Identification decision {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def event(self) -> str:
        """The stage-table event this decision is (``<step>.<outcome>``)."""
        return f"{self.step}.{self.outcome}"


class Reconsideration(models.Model):
    """A request that a decision be looked at again — by the competent authority
    (reconsideration) or a court or tribunal (appeal, judicial review) — and its outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(
        IdentificationDecision, on_delete=models.CASCADE, related_name="reconsiderations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewKind.choices)
    requested_on = models.DateField(_("requested on"))
    requested_by = models.CharField(
        _("requested by"), max_length=24, choices=ReviewRequester.choices
    )
    grounds = EncryptedTextField(_("grounds"), max_length_plain=4000)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    new_decision = models.OneToOneField(
        IdentificationDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_reconsideration",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_on", "recorded_at"]

    def __str__(self) -> str:
        return f"Reconsideration {self.id}"

    def get_data_key(self) -> bytes:
        return self.decision.case.person.get_data_key()

    @property
    def is_pending(self) -> bool:
        return self.outcome == ReviewOutcome.PENDING


class VulnerabilityAssessment(LifecycleRecord):
    """One DoMV assessment of a case against one version of the factor catalogue."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="vulnerability_assessments"
    )
    catalogue = models.CharField(_("factor catalogue"), max_length=64)
    catalogue_version = models.CharField(_("catalogue version"), max_length=16)
    profile = models.JSONField(default=dict, blank=True)

    class Meta(LifecycleRecord.Meta):
        indexes = [models.Index(fields=["case", "-created_at"], name="screening_domv_case_idx")]

    def __str__(self) -> str:
        return f"Vulnerability assessment {self.id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("screening:assessment-detail", args=[self.id])


class FactorAnswer(models.Model):
    """What was found about one DoMV factor: polarity, presence, harms and encrypted evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        VulnerabilityAssessment, on_delete=models.CASCADE, related_name="factor_answers"
    )
    factor = models.CharField(_("factor"), max_length=64)
    polarity = models.CharField(_("polarity"), max_length=12, choices=Polarity.choices)
    present = models.CharField(
        _("present"), max_length=8, choices=Presence.choices, default=Presence.UNKNOWN
    )
    harms = models.JSONField(_("vulnerable to"), default=list, blank=True)
    evidence = EncryptedTextField(_("evidence"), max_length_plain=4000)
    observed_on = models.DateField(_("observed on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["factor"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "factor"], name="screening_factor_unique_per_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.factor}: {self.present}"

    def get_data_key(self) -> bytes:
        return self.assessment.case.person.get_data_key()


class SituationalEvent(models.Model):
    """A sudden, unforeseen change recorded against a factor of an assessment, with its date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        VulnerabilityAssessment, on_delete=models.CASCADE, related_name="events"
    )
    factor = models.CharField(_("factor"), max_length=64)
    description = EncryptedTextField(_("what happened"), max_length_plain=2000)
    occurred_on = models.DateField(_("occurred on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "created_at"]

    def __str__(self) -> str:
        return f"Situational event {self.id}"

    def get_data_key(self) -> bytes:
        return self.assessment.case.person.get_data_key()
