"""Reintegration monitoring: the programme's settings, a returnee's schedule and its visits.

A schedule belongs to a case (the host organisation's) and, when the person was received by an
organisation in the country of origin, to that reception referral: the receiving organisation
records the visits through the referral and never sees the case; the host reads the scores on
its case page. Without a referral the host records the visits itself.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField

__all__ = [
    "MonitoringProgramme",
    "MonitoringSchedule",
    "MonitoringVisit",
]

DEFAULT_MONTHS = [3, 6, 12]
DEFAULT_THRESHOLD = Decimal("0.50")


def default_months() -> list[int]:
    return list(DEFAULT_MONTHS)


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    CANCELLED = "cancelled", _("Cancelled")


class VisitPlace(models.TextChoices):
    HOME = "home", _("At home")
    OFFICE = "office", _("At the office")
    COMMUNITY = "community", _("In the community")
    PHONE = "phone", _("By phone or video call")


class AttemptChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    MESSAGE = "message", _("Text or messaging app")
    HOME_VISIT = "home_visit", _("Visit to the last known address")
    THROUGH_FAMILY = "through_family", _("Through family or community")


class CancelReason(models.TextChoices):
    MIGRATED_AGAIN = "migrated_again", _("Left the country again")
    DECLINED = "declined", _("Declined further monitoring")
    DECEASED = "deceased", _("Died")
    PROGRAMME_ENDED = "programme_ended", _("Programme ended")


class MonitoringProgramme(models.Model):
    """An organisation's monitoring settings: when visits fall due and the follow-up threshold."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="monitoring_programme"
    )
    visit_months = models.JSONField(_("visits, months after arrival"), default=default_months)
    threshold = models.DecimalField(
        _("follow-up threshold"), max_digits=3, decimal_places=2, default=DEFAULT_THRESHOLD
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Monitoring programme of organisation {self.organisation_id}"


class MonitoringSchedule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="monitoring_schedules"
    )
    host_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Who records the visits: the reception referral's receiver, or the host when there is none.
    monitoring_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reception_referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_schedules",
    )
    arrived_on = models.DateField(_("arrived on"))
    country = models.CharField(_("country of return"), max_length=2, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-arrived_on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "arrived_on"], name="returns_schedule_one_per_arrival"
            )
        ]

    def __str__(self) -> str:
        return f"Monitoring schedule {self.id}"


class MonitoringVisit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(
        MonitoringSchedule, on_delete=models.CASCADE, related_name="visits"
    )
    month = models.PositiveSmallIntegerField(_("months after arrival"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        max_length=16, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=16, choices=VisitPlace.choices, blank=True)
    # The answers say how the person lives: sealed with the person's key like the case.
    answers = EncryptedJSONField(_("answers"))
    weight_version = models.CharField(max_length=8, blank=True)
    economic = models.FloatField(null=True, blank=True)
    social = models.FloatField(null=True, blank=True)
    psychosocial = models.FloatField(null=True, blank=True)
    composite = models.FloatField(null=True, blank=True)
    below_threshold = models.JSONField(default=list, blank=True)
    # Lost contact: each attempt as {"on": ISO date, "channel": code}.
    attempts = models.JSONField(default=list, blank=True)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "month"], name="returns_visit_one_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"Monitoring visit {self.id}"

    def get_data_key(self) -> bytes:
        return self.schedule.case.person.get_data_key()

    def scores(self) -> dict[str, float | None]:
        return {
            "economic": self.economic,
            "social": self.social,
            "psychosocial": self.psychosocial,
            "composite": self.composite,
        }
