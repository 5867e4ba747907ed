"""Appending many audit entries at once, for bulk paths (an import of 100,000 rows).

``append_many`` writes exactly the entries that as many calls of ``audit.record`` would write
(same content, same keyed HMAC chain), but takes the head's lock once, chains the hashes in
memory and inserts the rows in bulk. Call it inside the transaction that makes the changes it
records: if that transaction rolls back, neither the entries nor the moved head remain.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from salama.core import audit
from salama.core.models import AuditEntry, AuditHead

BULK_BATCH = 2000


@dataclass(frozen=True)
class PendingEntry:
    """What one ``audit.record(action, ...)`` call would be given."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    fields: Iterable[str] = ()
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    scope: models.Model | None = None


def _insert(entries: Sequence[AuditEntry]) -> None:
    """One prepared INSERT run for every entry: the values as the ORM would write them, without
    compiling a multi-row statement per batch (which cost as much as hashing the entries)."""
    alias = router.db_for_write(AuditEntry)
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = list(AuditEntry._meta.concrete_fields)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(AuditEntry._meta.db_table),
        ", ".join(quote(str(f.column)) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(entries), BULK_BATCH):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(e, f.attname), connection) for f in columns]
                    for e in entries[start : start + BULK_BATCH]
                ],
            )


@transaction.atomic
def append_many(
    pending: Sequence[PendingEntry],
    *,
    actor: Any = None,
    organisation: Any = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> list[AuditEntry]:
    """Append ``pending`` in order, all by one actor for one organisation; returns the entries."""
    if not pending:
        return []
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and request is not None:
        organisation = getattr(request, "organisation", None)
    ring = audit.keyring()
    head = AuditHead.objects.select_for_update().filter(pk=1).first() or audit._new_head()
    actor_id = actor.pk if actor is not None else None
    label = actor_label or (actor.get_username() if actor is not None else "")
    organisation_id = getattr(organisation, "pk", organisation)
    ip = audit.client_ip(request)
    now = timezone.now()
    entries: list[AuditEntry] = []
    last_id, last_hash = head.last_id, head.last_hash
    for item in pending:
        object_type, object_id = item.object_type, item.object_id
        if item.obj is not None:
            object_type, object_id = audit._object_ref(item.obj)
        changes = item.changes or {}
        entry = AuditEntry(
            id=last_id + 1,
            created_at=now,
            actor_id=actor_id,
            actor_label=label,
            organisation_id=organisation_id,
            action=item.action,
            object_type=object_type,
            object_id=object_id,
            scope_id=audit._object_ref(item.scope)[1] if item.scope is not None else "",
            fields=sorted(set(item.fields) | set(changes.keys())),
            changes={
                k: [audit._canonical(v[0]), audit._canonical(v[1])] for k, v in changes.items()
            },
            ip=ip,
            prev_hash=last_hash,
            chain_version=audit.KEYED_CHAIN,
            key_id=ring.current_id,
        )
        entry.hash = audit.entry_hash(entry, ring)
        entries.append(entry)
        last_id, last_hash = entry.id, entry.hash
    _insert(entries)
    head.last_id, head.last_hash = last_id, last_hash
    head.save(update_fields=["last_id", "last_hash"])
    if settings.SALAMA_AUDIT_ANCHOR_INTERVAL > 0 and time.monotonic() >= audit._next_anchor_at:
        transaction.on_commit(audit._anchor_after_commit, robust=True)
    return entries
