"""Tracing requests, the matches proposed for them, and the steps to reunification.

A request is made on a case: the case's person is the seeker. What it says of the sought person
(names in any script, the place of separation) is identifying and encrypted under the seeker's
data key, so erasing the seeker shreds their requests too. Ages, sex, relationship and the month
of separation are kept in clear: the matcher compares them without decrypting anything.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField
from salama.people.choices import Sex
from salama.tracing.choices import (
    CloseReason,
    MatchStatus,
    Relationship,
    RequestStatus,
    ReunificationStep,
)


class TracingRequest(models.Model):
    """The case's person looks for a relative."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="tracing_requests"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    sought_given_name = EncryptedTextField(
        _("given name of the sought person"), max_length_plain=200
    )
    sought_family_name = EncryptedTextField(
        _("family name of the sought person"), max_length_plain=200
    )
    # Other spellings, in any script: ["محمد علي", "Mohamed Aly"].
    sought_other_names = EncryptedJSONField(_("other names and spellings"), default=list)
    sought_sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNKNOWN)
    sought_birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sought_age = models.PositiveSmallIntegerField(_("approximate age now"), null=True, blank=True)
    relationship = models.CharField(
        _("relationship to the seeker"), max_length=20, choices=Relationship.choices
    )
    separation_place = EncryptedTextField(_("place of separation"), max_length_plain=200)
    separation_year = models.PositiveSmallIntegerField(
        _("year of separation"), null=True, blank=True
    )
    separation_month = models.PositiveSmallIntegerField(
        _("month of separation"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    close_reason = models.CharField(
        _("why closed"), max_length=20, choices=CloseReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tracing request")
        verbose_name_plural = _("tracing requests")
        indexes = [models.Index(fields=["status", "organisation"], name="tracing_req_status_idx")]

    def __str__(self) -> str:
        return f"Tracing request {str(self.id)[:8]}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tracing:request-detail", args=[self.id])

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]

    @property
    def is_open(self) -> bool:
        return self.status != RequestStatus.CLOSED

    @property
    def sought_full_name(self) -> str:
        return " ".join(p for p in (self.sought_given_name, self.sought_family_name) if p)

    def sought_names(self) -> list[str]:
        """Every name the sought person is known by, the main one first."""
        names = [self.sought_full_name] + [str(n) for n in self.sought_other_names or []]
        return [n for n in names if n.strip()]

    def sought_year(self, year: int) -> int | None:
        """The sought person's birth year: as given, else from the approximate age."""
        if self.sought_birth_year:
            return self.sought_birth_year
        if self.sought_age is not None:
            return year - self.sought_age
        return None


class TracingMatch(models.Model):
    """A possible match of a request with a person (whose tracing consent is in force) or with
    another request (two relatives looking for each other)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    other_request = models.ForeignKey(
        TracingRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    # The seeker's side (the request's case) and the other side (the person's organisation, or
    # the other request's case) each confirm; identifying fields cross only after both did.
    seeker_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seeker_confirmed_at = models.DateTimeField(null=True, blank=True)
    other_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    other_confirmed_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-score", "created_at"]
        verbose_name = _("tracing match")
        verbose_name_plural = _("tracing matches")
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="tracing_match_person_once"),
            models.UniqueConstraint(
                fields=["request", "other_request"], name="tracing_match_request_once"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=True) ^ models.Q(other_request__isnull=True),
                name="tracing_match_one_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"Tracing match {str(self.id)[:8]}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tracing:match-detail", args=[self.id])

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]

    @property
    def both_confirmed(self) -> bool:
        return self.seeker_confirmed_at is not None and self.other_confirmed_at is not None


class ReunificationStepRecord(models.Model):
    """One step from a confirmed match towards reunification, seen from both cases."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    match = models.ForeignKey(TracingMatch, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=20, choices=ReunificationStep.choices)
    happened_on = models.DateField(_("date"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["happened_on", "recorded_at"]
        verbose_name = _("reunification step")
        verbose_name_plural = _("reunification steps")

    def __str__(self) -> str:
        return self.get_step_display()
