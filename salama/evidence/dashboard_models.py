"""The evidence app's own tables for dashboards, indicators and exports.

- ``CaseCount``: the counts the dashboards read, pre-aggregated per organisation, month, country,
  sex and age band, so that no dashboard request scans the case table. Rebuilt per organisation
  by ``salama.evidence.counts.refresh`` (a background task, the ``evidence_refresh`` command, and
  after any domain event of the organisation). Codes and counts only: nothing identifies anyone.
- ``CountsFreshness``: when an organisation's counts were last rebuilt and whether an event has
  made them stale since.
- ``PopulationFigure``: a population table a data officer uploads, the denominator of rates
  per 100,000 (SDG 16.2.2).
- ``ExportJob``: an export asked for, built in the background and kept encrypted until it expires.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseCount(models.Model):
    """One cell of the dashboards' cube: how many (``n``) and, for durations and money, a total."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()  # the first day of the month the counted thing happened in
    country = models.CharField(max_length=2, blank=True)
    sex = models.CharField(max_length=12, blank=True)
    age_band = models.CharField(max_length=8, blank=True)
    measure = models.CharField(max_length=32)
    key = models.CharField(max_length=80, blank=True)
    n = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "measure", "month"], name="evidence_count_org_idx"
            ),
            models.Index(fields=["measure", "month"], name="evidence_count_measure_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}:{self.key} {self.month:%Y-%m} = {self.n}"


class CountsFreshness(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)
    cells = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"counts of organisation {self.organisation_id}"


def _sexes() -> list[tuple[str, Any]]:
    from salama.people.choices import Sex

    return list(Sex.choices)


class PopulationFigure(models.Model):
    """Population of one country, year, sex and age band ("" for all sexes or all ages)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    country = models.CharField(_("country"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    sex = models.CharField(_("sex"), max_length=12, blank=True, choices=_sexes)
    age_band = models.CharField(_("age band"), max_length=8, blank=True)
    population = models.PositiveBigIntegerField(_("population"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "country", "year", "sex", "age_band"],
                name="evidence_population_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.year} {self.sex or '*'} {self.age_band or '*'}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    HXL = "hxl", _("HXL-tagged CSV")


class ExportJob(models.Model):
    """An export: what was asked, by whom, how far it got, and the encrypted file once built.

    The file is encrypted under a data key of its own, wrapped by the KEK like a person's; when
    it expires the file and its key are deleted, which makes any copy of the ciphertext useless.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(  # the membership it was asked through (none: system)
        "accounts.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dataset = models.CharField(_("what"), max_length=40)
    fmt = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    rows = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    kek_id = models.CharField(max_length=32, blank=True)
    wrapped_key = models.BinaryField(null=True, blank=True)
    body = models.BinaryField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "created_at"], name="evidence_export_idx")]

    def __str__(self) -> str:
        return f"export {self.id} ({self.dataset}, {self.fmt})"
