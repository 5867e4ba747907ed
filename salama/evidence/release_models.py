"""Anonymised case releases: requested by one person, approved by another, built, downloadable.

The built bundle (a zip of cases.csv, report.json, report.md and codebook.json) is encrypted at
rest under a data key of its own and can be downloaded until it expires; the key is destroyed
then. The report is kept in clear (it holds counts, never a value of a row).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedFileField


class ReleaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved, being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be built")
    EXPIRED = "expired", _("Expired")


class AnonymisedRelease(models.Model):
    """One k-anonymous CTDC/HTCDS dataset of an organisation's cases."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    k = models.PositiveSmallIntegerField(_("k"))
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(
        max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    data_key = models.OneToOneField(
        "core.DataKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bundle = EncryptedFileField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("anonymised release")

    def __str__(self) -> str:
        return f"Release {self.id} (k={self.k})"

    def get_data_key(self) -> bytes:
        if self.data_key is None:
            from salama.core import crypto

            raise crypto.CryptoError("the release has no data key yet")
        return self.data_key.unwrap()

    @property
    def downloadable(self) -> bool:
        return (
            self.status == ReleaseStatus.READY
            and bool(self.bundle)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class PrivacyLedgerEntry(models.Model):
    """One differentially private table published from an organisation's cases: its ε is spent.

    The entries of one (organisation, dataset) form its privacy-loss ledger; their ε add up
    (sequential composition) and may not pass the budget (salama.evidence.privacy_services).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    dataset = models.CharField(max_length=40, default="cases")
    epsilon = models.FloatField()
    measure = models.CharField(max_length=40)
    dimensions = models.JSONField(default=list)
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("privacy ledger entry")
        indexes = [models.Index(fields=["organisation", "dataset"], name="evidence_ledger_org_ds")]

    def __str__(self) -> str:
        return f"ε={self.epsilon} {self.measure} by {','.join(self.dimensions)}"
