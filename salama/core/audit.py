"""The audit chain: append-only, hash-chained entries written in the caller's transaction.

Each entry's hash covers its content and the previous entry's hash, so editing, deleting or
reordering any entry breaks every hash after it; `salama audit verify` names the first break.
Identifying values never enter the chain: changes record field names, and old/new values only
for fields the caller declares non-identifying.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from salama.core.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        # JSON engines may hand a float back as an integer (jsonb: 1e16 → 10000000000000000),
        # which would change the hash; a string survives every round trip.
        return repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def entry_hash(entry: AuditEntry) -> str:
    payload = [
        entry.id,
        entry.created_at.isoformat(),
        entry.actor_id,
        entry.actor_label,
        entry.organisation_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.scope_id,
        _canonical(entry.fields),
        _canonical(entry.changes),
        entry.ip,
        entry.prev_hash,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address in the canonical form the database stores (and the hash covers)."""
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    if not ip:
        return None
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return None
    # GenericIPAddressField rewrites IPv6 addresses on save; hash what will be stored.
    prepared: str = AuditEntry._meta.get_field("ip").get_prep_value(ip)
    return prepared


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    ref = getattr(obj, "uuid", None) or obj.pk
    return obj._meta.label_lower, str(ref)


@transaction.atomic
def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    organisation: Any = None,
    fields: Iterable[str] = (),
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
    scope: models.Model | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction that makes the change it records.

    `changes` must hold only non-identifying values; identifying fields go in `fields` by name.
    `scope` is the record whose timeline shows this entry (a case for its notes and tasks).
    """
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and request is not None:
        organisation = getattr(request, "organisation", None)
    head = AuditHead.objects.select_for_update().filter(pk=1).first() or _new_head()
    entry = AuditEntry(
        id=head.last_id + 1,
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label or (actor.get_username() if actor is not None else ""),
        organisation_id=getattr(organisation, "pk", organisation),
        action=action,
        object_type=object_type,
        object_id=object_id,
        scope_id=_object_ref(scope)[1] if scope is not None else "",
        fields=sorted(set(fields) | set((changes or {}).keys())),
        changes={k: [_canonical(v[0]), _canonical(v[1])] for k, v in (changes or {}).items()},
        ip=client_ip(request),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    head.last_id, head.last_hash = entry.id, entry.hash
    head.save(update_fields=["last_id", "last_hash"])
    return entry


def _new_head() -> AuditHead:
    """The head of an empty chain (after `manage.py flush`); never of a chain with entries."""
    if AuditEntry.objects.exists():
        raise RuntimeError(
            "The audit head is missing while audit entries exist; run `salama audit verify` and "
            "restore it from a backup before anything else is recorded."
        )
    return AuditHead.objects.create(pk=1)


def diff(
    obj: models.Model, before: Mapping[str, Any], *, identifying: Iterable[str] = ()
) -> dict[str, tuple[Any, Any]]:
    """Old/new values of changed non-identifying fields (identifying ones are not returned)."""
    hidden = set(identifying)
    changed: dict[str, tuple[Any, Any]] = {}
    for name, old in before.items():
        new = getattr(obj, name)
        if old != new and name not in hidden:
            changed[name] = (old, new)
    return changed


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    reason: str


def iter_problems(batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield each break (an altered, missing or reordered entry)."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    last_id = 0
    cursor = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=cursor).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.id != expected_id:
                yield ChainProblem(entry.id, f"entries {expected_id}..{entry.id - 1} are missing")
            if entry.prev_hash != expected_prev:
                yield ChainProblem(entry.id, "previous-hash link does not match the entry before")
            if entry_hash(entry) != entry.hash:
                yield ChainProblem(entry.id, "content does not match its hash (entry was altered)")
            expected_prev = entry.hash
            expected_id = entry.id + 1
            last_id = entry.id
        cursor = batch[-1].id
    head = AuditHead.objects.filter(pk=1).first()
    if head is None and last_id:
        yield ChainProblem(last_id, f"chain ends at entry {last_id} but its head is missing")
    if head is not None and (head.last_id != last_id or head.last_hash != expected_prev):
        yield ChainProblem(
            head.last_id, f"chain ends at entry {last_id} but its head records entry {head.last_id}"
        )


def verify() -> ChainProblem | None:
    """The first break in the chain, or None when the whole chain is intact."""
    return next(iter_problems(), None)
