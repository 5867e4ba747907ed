"""Integrations (webhook subscriptions of an organisation) and the log of their deliveries."""

from __future__ import annotations

import uuid as uuidlib

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.integrations.choices import DeliveryStatus, DisabledReason


class Integration(models.Model):
    """A system outside Salama that hears of an organisation's events by signed webhooks.

    The signing secret is wrapped under the key-encryption key (like a data key) and shown once;
    only its first characters are kept in clear, to tell secrets apart.
    """

    uuid = models.UUIDField(default=uuidlib.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="integrations"
    )
    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    scopes = models.JSONField(_("scopes"), default=list)
    secret_kek_id = models.CharField(max_length=32)
    secret_wrapped = models.BinaryField()
    secret_prefix = models.CharField(max_length=16)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(
        max_length=20, choices=DisabledReason.choices, default=DisabledReason.NONE, blank=True
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("integrations:detail", args=[self.uuid])


class Delivery(models.Model):
    """One event sent (or to be sent) to one integration, with the outcome of its attempts.

    The payload is kept for re-sending: it holds only what the integration's scopes let out
    (ids and codes, never names or free text). The receiver's answer body is never stored.
    """

    uuid = models.UUIDField(default=uuidlib.uuid4, unique=True, editable=False)
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuidlib.uuid4)
    event = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="integr_delivery_due_idx"),
            models.Index(fields=["integration", "-created_at"], name="integr_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.integration}"


from salama.integrations.import_models import ImportJob, ImportStatus  # noqa: E402, F401
