"""Key rotation: re-wrap every data key under the current key-encryption key.

Rotation never touches field ciphertexts (they are under the data keys, which do not change),
so it is fast and safe to run while Salama serves requests. It is resumable: it only picks
keys still wrapped by a retired KEK, in small committed batches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salama.core import crypto, faults
from salama.core.models import DataKey, _unwrap_cached


def create_data_keys(keys: list[DataKey], *, batch_size: int = 1000) -> None:
    """Save many new data keys at once (bulk paths such as imports); one place to store key material."""
    DataKey.objects.bulk_create(keys, batch_size=batch_size)


def key_status() -> dict[str, int]:
    """Number of live data keys per KEK id (shredded keys are not counted)."""
    counts: Counter[str] = Counter(
        DataKey.objects.filter(wrapped__isnull=False).values_list("kek_id", flat=True)
    )
    return dict(counts)


def rotate(*, batch_size: int = 500, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-wrap every live data key not under the current KEK; returns how many were re-wrapped."""
    ring = crypto.keyring()
    pending = DataKey.objects.filter(wrapped__isnull=False).exclude(kek_id=ring.current_id)
    total = pending.count()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(pending.select_for_update().order_by("id")[:batch_size])
            if not batch:
                break
            for key in batch:
                assert key.wrapped is not None  # the query leaves shredded keys out
                dek = crypto.unwrap_data_key(key.kek_id, bytes(key.wrapped), str(key.id), ring)
                key.kek_id, key.wrapped = crypto.wrap_data_key(dek, str(key.id), ring)
                key.rotated_at = timezone.now()
            DataKey.objects.bulk_update(batch, ["kek_id", "wrapped", "rotated_at"])
        done += len(batch)
        faults.point("keys.rotate")
        if progress is not None:
            progress(done, total)
    return done


def shred(key: DataKey) -> None:
    """Destroy one subject's data key: every ciphertext under it, backups included, is gone.

    The caller audits the erasure it is part of. The process-wide cache of unwrapped keys is
    emptied too, so the plaintext key does not outlive the wrapped one in memory.
    """
    now = timezone.now()
    DataKey.objects.filter(pk=key.pk).update(wrapped=None, shredded_at=now)
    key.wrapped, key.shredded_at = None, now
    _unwrap_cached.cache_clear()
