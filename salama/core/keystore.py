"""The key store: wrapped data keys kept apart from the data, with their own short backups.

Why apart: crypto-shredding destroys a subject's wrapped data key. While that key sat in the data
database, every backup of the data taken before the erasure still held it, so the erased person
could be read again from an old backup for as long as backups were kept. Now the wrapped keys live
only in the key store, whose own snapshots are pruned after ``SALAMA_KEYSTORE_BACKUP_DAYS``; once
the last snapshot taken before an erasure is gone, no backup anywhere holds that key
(docs/threat-model.md, "The erasure window").

The store is behind the small ``KeyStore`` interface. ``DatabaseKeyStore`` keeps the keys in a
database of their own (the ``keys`` alias: ``SALAMA_KEYSTORE_URL``, by default the SQLite file
``VAR_DIR/keys.sqlite3``); ``SALAMA_KEYSTORE_BACKEND`` names another class (for example one
backed by a cloud KMS or an HSM) with the same methods.

Unwrapped keys are cached per process (``dek_cache``), and pages fetch the keys of all their
records in one query (``warm``). A record's ``core.DataKey`` row in the data database says whether
its key was shredded; a cached key is never used for a shredded row.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from salama.core import crypto

KEYSTORE_ALIAS = "keys"


def now() -> dt.datetime:
    """The key store's clock: decides which snapshots are older than the backup window.

    Tests replace it (``monkeypatch.setattr(keystore, "now", ...)``) to let days pass."""
    return timezone.now()


@dataclass(frozen=True)
class StoredKey:
    """A data key as the store holds it: wrapped under the KEK ``kek_id``, bound to its id."""

    key_id: str  # the core.DataKey id, as text (str(uuid))
    kek_id: str
    wrapped: bytes


class KeyStore(Protocol):
    """Where wrapped data keys live. Implementations must be safe to call from many threads."""

    def get_many(self, key_ids: Iterable[str]) -> dict[str, StoredKey]:
        """The stored keys among ``key_ids`` (destroyed or unknown ones are absent)."""
        ...

    def put_many(self, keys: Sequence[StoredKey]) -> None:
        """Store ``keys``, replacing any key with the same id (new keys, rotation, restore)."""
        ...

    def destroy(self, key_ids: Iterable[str]) -> int:
        """Destroy the keys for good; returns how many were held."""
        ...

    def pending_rotation(self, current_kek_id: str, batch_size: int) -> Iterator[list[StoredKey]]:
        """Batches of keys not wrapped by ``current_kek_id``; each batch is re-read after the
        caller stores the previous one re-wrapped, so an interrupted rotation resumes."""
        ...

    def counts(self) -> dict[str, int]:
        """Number of stored keys per KEK id."""
        ...

    def iterate(self, batch_size: int) -> Iterator[list[StoredKey]]:
        """Every stored key, in batches (for snapshots)."""
        ...

    def replace_all(self, keys: Iterable[StoredKey]) -> int:
        """Make the store hold exactly ``keys`` (restoring a snapshot); returns how many."""
        ...


def _uuid_text(value: Any) -> str:
    text = str(value)
    if len(text) == 32:  # SQLite returns UUIDs as 32 hex digits in raw reads
        text = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


class DatabaseKeyStore:
    """The keys in a database of their own (``alias``), table ``core_wrappedkey``."""

    def __init__(self, alias: str = KEYSTORE_ALIAS) -> None:
        self.alias = alias

    @property
    def _objects(self) -> Any:
        from salama.core.keystore_models import WrappedKey

        return WrappedKey.objects.using(self.alias)

    def get_many(self, key_ids: Iterable[str]) -> dict[str, StoredKey]:
        ids = list(dict.fromkeys(key_ids))
        found: dict[str, StoredKey] = {}
        for start in range(0, len(ids), 500):
            rows = self._objects.filter(id__in=ids[start : start + 500]).values_list(
                "id", "kek_id", "wrapped"
            )
            for key_id, kek_id, wrapped in rows:
                text = str(key_id)
                found[text] = StoredKey(text, kek_id, bytes(wrapped))
        return found

    def put_many(self, keys: Sequence[StoredKey]) -> None:
        from salama.core.keystore_models import WrappedKey

        if not keys:
            return
        with transaction.atomic(using=self.alias):
            self._objects.bulk_create(
                [WrappedKey(id=k.key_id, kek_id=k.kek_id, wrapped=k.wrapped) for k in keys],
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["kek_id", "wrapped"],
            )

    def destroy(self, key_ids: Iterable[str]) -> int:
        ids = list(key_ids)
        deleted = 0
        with transaction.atomic(using=self.alias):
            for start in range(0, len(ids), 500):
                count, _ = self._objects.filter(id__in=ids[start : start + 500]).delete()
                deleted += count
        return deleted

    def pending_rotation(self, current_kek_id: str, batch_size: int) -> Iterator[list[StoredKey]]:
        while True:
            rows = list(
                self._objects.exclude(kek_id=current_kek_id)
                .order_by("id")
                .values_list("id", "kek_id", "wrapped")[:batch_size]
            )
            if not rows:
                return
            yield [StoredKey(str(i), k, bytes(w)) for i, k, w in rows]

    def counts(self) -> dict[str, int]:
        from django.db.models import Count

        rows = self._objects.values("kek_id").annotate(n=Count("id")).order_by()
        return {row["kek_id"]: row["n"] for row in rows}

    def iterate(self, batch_size: int) -> Iterator[list[StoredKey]]:
        after = None
        while True:
            query = self._objects.order_by("id")
            if after is not None:
                query = query.filter(id__gt=after)
            rows = list(query.values_list("id", "kek_id", "wrapped")[:batch_size])
            if not rows:
                return
            yield [StoredKey(str(i), k, bytes(w)) for i, k, w in rows]
            after = rows[-1][0]

    def replace_all(self, keys: Iterable[StoredKey]) -> int:
        from salama.core.keystore_models import WrappedKey

        count = 0
        with transaction.atomic(using=self.alias):
            self._objects.all().delete()
            batch: list[Any] = []
            for key in keys:
                batch.append(WrappedKey(id=key.key_id, kek_id=key.kek_id, wrapped=key.wrapped))
                if len(batch) >= 1000:
                    self._objects.bulk_create(batch)
                    count += len(batch)
                    batch = []
            self._objects.bulk_create(batch)
            count += len(batch)
        return count


@lru_cache(maxsize=4)
def _store_for(path: str) -> KeyStore:
    store: KeyStore = import_string(path)()
    return store


def store() -> KeyStore:
    """The configured key store (``SALAMA_KEYSTORE_BACKEND``, a dotted class path)."""
    return _store_for(getattr(settings, "SALAMA_KEYSTORE_BACKEND", _DEFAULT_BACKEND))


_DEFAULT_BACKEND = "salama.core.keystore.DatabaseKeyStore"


class KeyStoreRouter:
    """Sends the key store's model to the ``keys`` database, and nothing else there."""

    def _is_keystore(self, model: Any) -> bool:
        return bool(model._meta.app_label == "core" and model._meta.model_name == "wrappedkey")

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return KEYSTORE_ALIAS if self._is_keystore(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return KEYSTORE_ALIAS if self._is_keystore(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        in_store = app_label == "core" and model_name == "wrappedkey"
        if db == KEYSTORE_ALIAS:
            return in_store
        return False if in_store else None


# The process's cache of unwrapped data keys -------------------------------------------------


class _DekCache:
    """An LRU cache of unwrapped data keys by (key id, key ring); thread-safe."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[tuple[str, crypto.KeyRing], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, crypto.KeyRing]) -> bytes | None:
        with self._lock:
            dek = self._data.get(key)
            if dek is not None:
                self._data.move_to_end(key)
            return dek

    def put(self, key: tuple[str, crypto.KeyRing], dek: bytes) -> None:
        with self._lock:
            self._data[key] = dek
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def discard(self, key_ids: Iterable[str]) -> None:
        drop = set(key_ids)
        with self._lock:
            for key in [k for k in self._data if k[0] in drop]:
                del self._data[key]

    def cache_clear(self) -> None:
        with self._lock:
            self._data.clear()

    @property
    def currsize(self) -> int:
        return len(self._data)


dek_cache = _DekCache(maxsize=8192)


def unwrap_stored(key: StoredKey, ring: crypto.KeyRing | None = None) -> bytes:
    return crypto.unwrap_data_key(key.kek_id, key.wrapped, key.key_id, ring)


def data_keys(key_ids: Iterable[str]) -> dict[str, bytes]:
    """The unwrapped data keys of ``key_ids`` that the store holds, fetching the uncached ones in
    one query. Ids the store does not hold (destroyed keys) are absent from the result."""
    ring = crypto.keyring()
    result: dict[str, bytes] = {}
    missing: list[str] = []
    for key_id in key_ids:
        key_id = _uuid_text(key_id)
        dek = dek_cache.get((key_id, ring))
        if dek is None:
            missing.append(key_id)
        else:
            result[key_id] = dek
    if missing:
        for key_id, stored in store().get_many(missing).items():
            dek = unwrap_stored(stored, ring)
            dek_cache.put((key_id, ring), dek)
            result[key_id] = dek
    return result


def warm(key_ids: Iterable[Any]) -> None:
    """Fetch and unwrap, in one query, the keys a page is about to use (ids or ``DataKey``s)."""
    data_keys(_uuid_text(getattr(k, "pk", k)) for k in key_ids if k is not None)


def data_key(key_id: str, pending: StoredKey | None = None) -> bytes:
    """One unwrapped data key; ``pending`` is a key not stored yet (a new, unsaved DataKey)."""
    key_id = _uuid_text(key_id)
    if pending is not None:
        return unwrap_stored(pending)
    dek = data_keys([key_id]).get(key_id)
    if dek is None:
        raise crypto.SubjectErased(f"data key {key_id} is not in the key store (destroyed)")
    return dek


# Snapshots of the key store, with a short window -----------------------------------------------

SNAPSHOT_MAGIC = b"SALAMA-KEYSTORE-SNAPSHOT-1\n"
_SNAPSHOT_NAME = re.compile(r"^keystore-(\d{8}T\d{6}Z)(?:-\d+)?\.snapshot$")
_INFO = "salama/keystore-snapshot"


class SnapshotError(Exception):
    """A snapshot could not be read: altered, truncated, or sealed under a KEK not held."""


def backup_dir() -> Path:
    return Path(settings.SALAMA_KEYSTORE_BACKUP_DIR)


def backup_days() -> int:
    return int(settings.SALAMA_KEYSTORE_BACKUP_DAYS)


def _snapshot_key(ring: crypto.KeyRing, kek_id: str, salt: bytes) -> bytes:
    return crypto.derive_key(ring.key(kek_id), salt=salt, info=_INFO)


def write_snapshot(directory: Path | None = None, *, batch_size: int = 5000) -> Path:
    """Write an encrypted snapshot of the whole key store; returns its path.

    Keys the data database marks as shredded are destroyed first, so no snapshot holds them.
    The snapshot holds only wrapped keys, and is sealed once more with AES-GCM under a key derived
    from the current KEK, so that a stolen snapshot says nothing, not even how many keys it holds
    by id. Its name carries the clock's time, which decides when it is pruned."""
    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    destroy_shredded()
    ring = crypto.keyring()
    created = now().astimezone(dt.UTC)
    rows = [
        [k.key_id, k.kek_id, base64.b64encode(k.wrapped).decode("ascii")]
        for batch in store().iterate(batch_size)
        for k in batch
    ]
    salt = os.urandom(16)
    header = json.dumps(
        {
            "created": created.isoformat(),
            "kek_id": ring.current_id,
            "salt": base64.b64encode(salt).decode("ascii"),
            "count": len(rows),
        }
    ).encode()
    aad = SNAPSHOT_MAGIC + header
    nonce = os.urandom(crypto.NONCE_BYTES)
    body = zlib.compress(json.dumps(rows).encode(), 6)
    sealed = AESGCM(_snapshot_key(ring, ring.current_id, salt)).encrypt(nonce, body, aad)
    stem = f"keystore-{created:%Y%m%dT%H%M%SZ}"
    path = directory / f"{stem}.snapshot"
    serial = 1
    while path.exists():
        path = directory / f"{stem}-{serial}.snapshot"
        serial += 1
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as out:
        out.write(aad + b"\n" + nonce + sealed)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(partial, 0o600)
    partial.replace(path)
    return path


def read_snapshot(path: Path) -> tuple[dt.datetime, list[StoredKey]]:
    """The time a snapshot was taken and the keys it holds; SnapshotError if it does not open."""
    data = Path(path).read_bytes()
    if not data.startswith(SNAPSHOT_MAGIC):
        raise SnapshotError(f"{path} is not a Salama key-store snapshot")
    try:
        header_end = data.index(b"\n", len(SNAPSHOT_MAGIC))
        header_bytes = data[len(SNAPSHOT_MAGIC) : header_end]
        header = json.loads(header_bytes)
        salt = base64.b64decode(header["salt"])
        created = dt.datetime.fromisoformat(header["created"])
        kek_id = str(header["kek_id"])
    except (ValueError, KeyError, TypeError):
        raise SnapshotError(f"{path} has a damaged header") from None
    rest = data[header_end + 1 :]
    nonce, sealed = rest[: crypto.NONCE_BYTES], rest[crypto.NONCE_BYTES :]
    ring = crypto.keyring()
    try:
        cipher = AESGCM(_snapshot_key(ring, kek_id, salt))
    except crypto.UnknownKeyError:
        raise SnapshotError(
            f"{path} is sealed under key-encryption key {kek_id}, which this server does not "
            "hold; add it to SALAMA_KEK_RETIRED"
        ) from None
    try:
        body = cipher.decrypt(nonce, sealed, SNAPSHOT_MAGIC + header_bytes)
    except (InvalidTag, ValueError):
        raise SnapshotError(f"{path} failed authentication (altered or truncated)") from None
    rows = json.loads(zlib.decompress(body))
    return created, [StoredKey(i, k, base64.b64decode(w)) for i, k, w in rows]


def snapshots(directory: Path | None = None) -> list[tuple[dt.datetime, Path]]:
    """The snapshots in ``directory``, oldest first, with the time in their names."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _SNAPSHOT_NAME.match(path.name)
        if match:
            taken = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            found.append((taken, path))
    return sorted(found)


def prune(directory: Path | None = None, *, days: int | None = None) -> list[Path]:
    """Delete the snapshots taken more than ``days`` (``SALAMA_KEYSTORE_BACKUP_DAYS``) ago;
    returns the deleted paths. This is what makes an erasure final in old data backups."""
    days = backup_days() if days is None else days
    cutoff = (now() - dt.timedelta(days=days)).replace(microsecond=0)  # names keep seconds
    deleted = []
    for taken, path in snapshots(directory):
        if taken < cutoff:
            path.unlink()
            deleted.append(path)
    return deleted


def restore_snapshot(path: Path) -> tuple[int, int]:
    """Replace the key store's content by the snapshot's, then destroy again every key the data
    database says was shredded (an erasure after the snapshot must not be undone by it).
    Returns (keys restored, keys destroyed again)."""
    _created, keys = read_snapshot(path)
    restored = store().replace_all(keys)
    destroyed = destroy_shredded()
    return restored - destroyed, destroyed


def destroy_shredded() -> int:
    """Destroy every key the data database marks as shredded that the store still holds (an
    erasure whose process died before its commit hook ran, or a restored snapshot); returns how
    many were still held."""
    from salama.core.models import DataKey

    shredded = [
        str(k)
        for k in DataKey.objects.filter(shredded_at__isnull=False).values_list("id", flat=True)
    ]
    destroyed = store().destroy(shredded) if shredded else 0
    dek_cache.cache_clear()
    return destroyed
