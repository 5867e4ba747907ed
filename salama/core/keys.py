"""Key rotation: re-wrap every data key under the current key-encryption key.

Rotation never touches field ciphertexts (they are under the data keys, which do not change),
so it is fast and safe to run while Salama serves requests. It is resumable: it only picks
keys still wrapped by a retired KEK, in small committed batches.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salama.core import crypto, faults, keystore
from salama.core.models import DataKey, _unwrap_cached

# Other secrets wrapped by the KEK outside the key store (e.g. webhook signing secrets): each app
# registers a function that re-wraps its own under the current KEK and returns how many it did.
REWRAPPERS: dict[str, Callable[[crypto.KeyRing], int]] = {}


def register_rewrapper(name: str, rewrap: Callable[[crypto.KeyRing], int]) -> None:
    """Have `rotate()` call `rewrap(ring)` after the data keys (from an AppConfig.ready)."""
    REWRAPPERS[name] = rewrap


def create_data_keys(keys: list[DataKey], *, batch_size: int = 1000) -> None:
    """Save many new data keys at once (bulk paths such as imports); one place to store key material.

    The wrapped keys go to the key store first, then the rows to the data database."""
    pending = [k._pending for k in keys if k._pending is not None]
    keystore.store().put_many(pending)
    DataKey.objects.bulk_create(keys, batch_size=batch_size)
    for key in keys:
        key._pending = None


def key_status() -> dict[str, int]:
    """Number of live data keys per KEK id, as the key store holds them (shredded keys are gone)."""
    return keystore.store().counts()


def rotate(*, batch_size: int = 500, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-wrap every data key in the key store not under the current KEK; returns how many.

    Each batch is committed to the key store first, then the KEK ids on the data rows are brought
    in line; a rotation killed in between leaves every key readable (the store is what unwrapping
    reads) and the next run finishes it, including the data rows' KEK ids (``_sync_kek_ids``)."""
    ring = crypto.keyring()
    store = keystore.store()
    total = sum(n for kek_id, n in store.counts().items() if kek_id != ring.current_id)
    done = 0
    for batch in store.pending_rotation(ring.current_id, batch_size):
        rewrapped = []
        for key in batch:
            dek = keystore.unwrap_stored(key, ring)
            kek_id, wrapped = crypto.wrap_data_key(dek, key.key_id, ring)
            rewrapped.append(keystore.StoredKey(key.key_id, kek_id, wrapped))
        store.put_many(rewrapped)
        with transaction.atomic():
            DataKey.objects.filter(pk__in=[k.key_id for k in batch]).update(
                kek_id=ring.current_id, rotated_at=timezone.now()
            )
        done += len(batch)
        faults.point("keys.rotate")
        if progress is not None:
            progress(done, total)
    _sync_kek_ids(ring.current_id, batch_size)
    for rewrap in REWRAPPERS.values():
        rewrap(ring)
    return done


def _sync_kek_ids(current_kek_id: str, batch_size: int) -> None:
    """Data rows still naming an old KEK whose key the store already holds re-wrapped (a
    rotation interrupted between the two databases): record the store's KEK id on them."""
    store = keystore.store()
    stale = DataKey.objects.filter(shredded_at__isnull=True).exclude(kek_id=current_kek_id)
    after = None
    while True:
        query = stale.order_by("pk")
        if after is not None:
            query = query.filter(pk__gt=after)
        ids = list(query.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        held = store.get_many(str(i) for i in ids)
        fixed = [i for i in ids if str(i) in held and held[str(i)].kek_id == current_kek_id]
        if fixed:
            DataKey.objects.filter(pk__in=fixed).update(
                kek_id=current_kek_id, rotated_at=timezone.now()
            )
        after = ids[-1]


def shred(key: DataKey) -> None:
    """Destroy one subject's data key: every ciphertext under it, backups included, is gone.

    The wrapped key is deleted from the key store, and the data row records when; the data
    backups never held the key, and the key store's own snapshots that still hold it are pruned
    after SALAMA_KEYSTORE_BACKUP_DAYS (docs/threat-model.md). The caller audits the erasure it
    is part of. The process-wide cache of unwrapped keys is emptied too, so the plaintext key
    does not outlive the wrapped one in memory.
    """
    now = timezone.now()
    DataKey.objects.filter(pk=key.pk).update(shredded_at=now)
    key.shredded_at = now
    _unwrap_cached.cache_clear()
    key_id = str(key.pk)

    def destroy() -> None:
        keystore.store().destroy([key_id])
        _unwrap_cached.cache_clear()

    # When the erasure commits (at once outside a transaction): an erasure rolled back must not
    # have destroyed the key. Should the process die in between, the row says "shredded", so the
    # key is never used again, and `keystore.destroy_shredded()` (run by every `keys backup`
    # before it snapshots) destroys it.
    transaction.on_commit(destroy)
