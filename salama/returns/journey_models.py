"""The return journey on a case, its steps, its itinerary and its reintegration actions.

What was said in counselling, the reasons of the risk assessment, health notes, travel document
numbers, medical needs on a leg, the place of reception and a reintegration action's description
are identifying data about the person, encrypted under the person's key. Statuses, codes, dates,
countries and the organisations involved are kept in clear for the programme's counts.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField
from salama.returns import rules
from salama.returns.choices import (
    ActionKind,
    Dimension,
    DocumentType,
    Fitness,
    JourneyStatus,
    Level,
    RiskLevel,
)

TEXT_LENGTH = 4000
SHORT_TEXT = 200


class ReturnJourney(models.Model):
    """One assisted voluntary return of a case's person; a case has at most one open journey."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="return_journeys")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="return_journeys"
    )
    country = models.CharField(_("country of return"), max_length=2)
    status = models.CharField(
        _("status"), max_length=24, choices=JourneyStatus.choices, default=rules.COUNSELLING
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    # The informed decision, under the return consent in force when it was taken.
    decision = models.CharField(_("decision"), max_length=8, blank=True, default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    consent = models.ForeignKey(
        "people.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_level = models.CharField(
        _("risk on return"), max_length=8, blank=True, default="", choices=RiskLevel.choices
    )
    risk_reasons = EncryptedTextField(_("reasons"), max_length_plain=TEXT_LENGTH)
    risk_assessed_on = models.DateField(null=True, blank=True)
    fitness = models.CharField(
        _("fitness to travel"), max_length=16, blank=True, default="", choices=Fitness.choices
    )
    health_notes = EncryptedTextField(_("health notes"), max_length_plain=TEXT_LENGTH)
    health_assessed_on = models.DateField(null=True, blank=True)
    document_type = models.CharField(
        _("travel document"), max_length=32, blank=True, default="", choices=DocumentType.choices
    )
    consulate = models.CharField(
        _("issuing consulate"), max_length=SHORT_TEXT, blank=True, default=""
    )
    documents_requested_on = models.DateField(null=True, blank=True)
    document_number = EncryptedTextField(_("document number"), max_length_plain=64)
    documents_issued_on = models.DateField(null=True, blank=True)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    # The referral that hands the person to the receiving organisation in the country of origin.
    reception_referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reception_place = EncryptedTextField(_("place of reception"), max_length_plain=SHORT_TEXT)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("return journey")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=sorted(rules.OPEN)),
                name="returns_one_open_journey_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"return journey {self.short_id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]


class JourneyStep(models.Model):
    """One transition of a journey: which step, when it happened, who recorded it and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journey = models.ForeignKey(ReturnJourney, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=24)
    from_status = models.CharField(max_length=24, blank=True, default="")
    to_status = models.CharField(max_length=24)
    happened_on = models.DateField()
    # Codes only (a risk level, a reason code, a fitness); free text goes in `notes`.
    details = models.JSONField(default=dict, blank=True)
    notes = EncryptedTextField(_("notes"), max_length_plain=TEXT_LENGTH)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {str(self.id)[:8]}"

    def get_data_key(self) -> bytes:
        return self.journey.get_data_key()


class ItineraryLeg(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journey = models.ForeignKey(ReturnJourney, on_delete=models.CASCADE, related_name="legs")
    position = models.PositiveSmallIntegerField()
    from_place = models.CharField(_("from"), max_length=SHORT_TEXT)
    to_place = models.CharField(_("to"), max_length=SHORT_TEXT)
    travel_on = models.DateField(_("date"))
    carrier = models.CharField(_("carrier"), max_length=SHORT_TEXT, blank=True, default="")
    escort = models.BooleanField(_("escorted"), default=False)
    transit_assistance = models.BooleanField(_("transit assistance"), default=False)
    medical_needs = EncryptedTextField(_("medical needs"), max_length_plain=TEXT_LENGTH)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {str(self.id)[:8]}"

    def get_data_key(self) -> bytes:
        return self.journey.get_data_key()


class ReintegrationAction(models.Model):
    """One action of the reintegration plan, funded by an assistance item on the case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journey = models.ForeignKey(
        ReturnJourney, on_delete=models.CASCADE, related_name="reintegration_actions"
    )
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("support"), max_length=24, choices=ActionKind.choices)
    description = EncryptedTextField(_("description"), max_length_plain=TEXT_LENGTH)
    assistance_item = models.ForeignKey(
        "assistance.AssistanceItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {str(self.id)[:8]}"

    def get_data_key(self) -> bytes:
        return self.journey.get_data_key()
