"""A bulk import of persons and cases: the uploaded table (encrypted), its mapping and report."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    CHECKED = "checked", _("Checked: every row can be imported")
    INVALID = "invalid", _("Rows to fix: nothing was imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Stopped by an error: nothing was imported")


class ImportJob(models.Model):
    """One uploaded file. Its rows are identifying data: encrypted under a key of its own and
    dropped once imported. Only its uploader sees it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="imports"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    headers = models.JSONField(default=list)
    table = EncryptedJSONField()  # {"rows": [[...], ...]}
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    default_case_type = models.CharField(max_length=30, blank=True)
    block_duplicates = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    commit = models.BooleanField(default=False)  # the last run: import (True) or check only
    report = EncryptedJSONField()  # {"errors": [[row, column, message]], "duplicates": [...]}
    error_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("integrations:import-detail", args=[self.pk])

    def get_data_key(self) -> bytes:
        return self.data_key.unwrap()
