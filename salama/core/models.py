"""Shared primitives: subjects' data keys and the audit chain."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core import crypto, keystore
from salama.core.keystore_models import WrappedKey  # noqa: F401  (the key store's table)

# The process's cache of unwrapped data keys (``cache_clear()`` empties it).
_unwrap_cached = keystore.dek_cache


class DataKey(models.Model):
    """One data subject's data key. The key itself lives only in the key store
    (``salama.core.keystore``), wrapped by the key-encryption key; this row in the data database
    holds its id (what records point to), which KEK wraps it, and when it was shredded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kek_id = models.CharField(max_length=16, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    # The wrapped key of a new DataKey until saving puts it in the key store.
    _pending: keystore.StoredKey | None = None

    class Meta:
        verbose_name = _("data key")

    def __str__(self) -> str:
        return f"DataKey {self.id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        pending = self._pending
        if pending is not None:
            # The key store first: a data row must never point to a key that was not stored.
            # (If the data transaction then rolls back, the store holds an unused key.)
            keystore.store().put_many([pending])
        super().save(*args, **kwargs)
        self._pending = None

    @classmethod
    def new(cls) -> DataKey:
        """A new unsaved key with a fresh random DEK wrapped under the current KEK; saving it
        puts the wrapped key in the key store first."""
        key = cls(id=uuid.uuid4())
        key.kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), str(key.id))
        key._pending = keystore.StoredKey(str(key.id), key.kek_id, wrapped)
        return key

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    def unwrap(self) -> bytes:
        if self.shredded_at is not None:
            raise crypto.SubjectErased(f"data key {self.id} was destroyed (subject erased)")
        return keystore.data_key(str(self.id), self._pending)


class AuditHead(models.Model):
    """The single row that holds the tip of the audit chain; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_id}"


class AuditEntry(models.Model):
    """One append-only, hash-chained record of something a person did or saw.

    The hash is an HMAC under the audit key (settings.SALAMA_AUDIT_KEY), which lives outside
    the database; see salama.core.audit.
    """

    id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The record this entry belongs to for timelines, e.g. the case a note was added to.
    scope_id = models.CharField(max_length=64, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1: plain SHA-256 (entries written before the chain was keyed); 2: HMAC-SHA256 under the
    # audit key named by key_id. Rows that do not say are legacy, so a row inserted by hand
    # after the first keyed entry is reported as a downgrade.
    chain_version = models.PositiveSmallIntegerField(db_default=1)
    key_id = models.CharField(max_length=16, db_default="", blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["actor_id", "created_at"], name="core_audit_actor_idx"),
            models.Index(fields=["organisation_id", "created_at"], name="core_audit_org_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries are append-only")
