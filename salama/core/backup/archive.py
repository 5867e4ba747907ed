"""The encrypted archive format of `salama backup`: a tar stream sealed in AES-256-GCM chunks.

Layout of a file::

    header:  b"SALAMABK" | format (1 byte) | backup key id (16 ASCII hex) | salt (32 bytes)
    chunks:  final flag (1 byte) | length (4 bytes, big-endian) | ciphertext + 16-byte tag
    ...      the last chunk has final flag 1, and nothing may follow it

Each archive gets its own file key, HKDF-SHA256 of the backup key with the archive's random
salt, so the nonce of chunk i can simply be i. The additional data of every chunk is the header,
the chunk's index and its final flag: a chunk moved, dropped, replayed from another archive or a
file cut short after a chunk is refused, and so is a flipped byte anywhere. Chunks are at most
1 MiB, so neither side holds a large database in memory.

The plaintext is a tar stream of regular files whose names this module checks: nothing outside
the extraction folder, no links, no devices.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"SALAMABK"
FORMAT = 1
CHUNK = 1024 * 1024
TAG = 16
SALT = 32
KEY_ID_LEN = 16
HEADER_LEN = len(MAGIC) + 1 + KEY_ID_LEN + SALT
_RECORD = struct.Struct(">BI")
_AAD_TAIL = struct.Struct(">QB")
KDF_LABEL_FALLBACK = b"salama-backup-key-from-kek-v1"
KDF_LABEL_FILE = b"salama-backup-archive-file-key-v1"


class ArchiveError(Exception):
    """The archive cannot be read: wrong key, altered, truncated, or not an archive at all."""


def backup_key() -> bytes:
    """The key archives are sealed under: SALAMA_BACKUP_KEY, or (outside production) one derived
    from SALAMA_KEK by HKDF with a label of its own. Never written into an archive."""
    from salama.core.crypto import _decode_key

    raw = getattr(settings, "SALAMA_BACKUP_KEY", "")
    if raw:
        return _decode_key(raw, "SALAMA_BACKUP_KEY")
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured(
            "SALAMA_BACKUP_KEY is not set. Production seals backups under a key of their own: "
            "create one with `salama keys generate` and set SALAMA_BACKUP_KEY or "
            "SALAMA_BACKUP_KEY_FILE (docs/operations.md, 'Backup and restore')."
        )
    kek = _decode_key(settings.SALAMA_KEK, "SALAMA_KEK")
    return HKDF(hashes.SHA256(), 32, salt=None, info=KDF_LABEL_FALLBACK).derive(kek)


def key_id_for(key: bytes) -> str:
    """A public identifier of a backup key that reveals nothing about it."""
    return hmac.new(key, b"salama-backup-key-id", hashlib.sha256).hexdigest()[:KEY_ID_LEN]


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(hashes.SHA256(), 32, salt=salt, info=KDF_LABEL_FILE).derive(key)
    return AESGCM(derived)


def _nonce(index: int) -> bytes:
    return b"\0\0\0\0" + struct.pack(">Q", index)


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what is written to `sink` chunk by chunk."""

    def __init__(self, sink: BinaryIO, key: bytes) -> None:
        super().__init__()
        salt = os.urandom(SALT)
        self.header = MAGIC + bytes([FORMAT]) + key_id_for(key).encode("ascii") + salt
        self._aead = _file_key(key, salt)
        self._sink = sink
        self._buffer = bytearray()
        self._index = 0
        self._finished = False
        sink.write(self.header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self._finished:
            raise ValueError("the archive is already finished")
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, final: bool) -> None:
        flag = 1 if final else 0
        aad = self.header + _AAD_TAIL.pack(self._index, flag)
        sealed = self._aead.encrypt(_nonce(self._index), plain, aad)
        self._sink.write(_RECORD.pack(flag, len(sealed)) + sealed)
        self._index += 1

    def finish(self) -> None:
        """Seal what is left as the final chunk (always written, so truncation shows)."""
        if not self._finished:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._finished = True

    def close(self) -> None:
        self.finish()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plaintext of an archive; raises ArchiveError on any fault."""

    def __init__(self, source: BinaryIO, key: bytes) -> None:
        super().__init__()
        header = source.read(HEADER_LEN)
        if len(header) < HEADER_LEN or not header.startswith(MAGIC):
            raise ArchiveError("This is not a Salama backup archive (its header is missing).")
        if header[len(MAGIC)] != FORMAT:
            raise ArchiveError(
                f"This archive is of format {header[len(MAGIC)]}; this version of Salama reads "
                f"format {FORMAT}."
            )
        key_id = header[len(MAGIC) + 1 : len(MAGIC) + 1 + KEY_ID_LEN].decode("ascii", "replace")
        if not hmac.compare_digest(key_id, key_id_for(key)):
            raise ArchiveError(
                f"This archive was sealed under backup key {key_id}, but this server's backup "
                f"key is {key_id_for(key)}. Set SALAMA_BACKUP_KEY to the key in use when the "
                "archive was made."
            )
        self.header = header
        self._aead = _file_key(key, header[-SALT:])
        self._source = source
        self._index = 0
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        record = self._source.read(_RECORD.size)
        if len(record) < _RECORD.size:
            raise ArchiveError(
                f"The archive is truncated: it ends after chunk {self._index} without its "
                "final chunk. Use another copy."
            )
        flag, length = _RECORD.unpack(record)
        if flag not in (0, 1) or length < TAG or length > CHUNK + TAG:
            raise ArchiveError(f"The archive is damaged at chunk {self._index}.")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise ArchiveError(f"The archive is truncated inside chunk {self._index}.")
        aad = self.header + _AAD_TAIL.pack(self._index, flag)
        try:
            plain = self._aead.decrypt(_nonce(self._index), sealed, aad)
        except InvalidTag:
            raise ArchiveError(
                f"The archive was altered or damaged: chunk {self._index} does not "
                "authenticate. Nothing was restored; use another copy."
            ) from None
        self._index += 1
        if flag == 1:
            if self._source.read(1):
                raise ArchiveError("The archive has data after its final chunk: it was altered.")
            self._done = True
        return plain

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            self._pending = self._next_chunk()
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def drain(self) -> None:
        """Read to the final chunk, so that a file cut short after the tar's end is refused."""
        while not self._done:
            self._next_chunk()
        self._pending = b""


class _Hashing(io.RawIOBase):
    def __init__(self, handle: BinaryIO) -> None:
        super().__init__()
        self._handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._handle.read(len(target))
        self.digest.update(data)
        target[: len(data)] = data
        return len(data)


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


def add_file(tar: tarfile.TarFile, name: str, path: Path) -> Member:
    """Add the file at `path` as `name`, hashing it on the way."""
    info = tarfile.TarInfo(_checked_name(name))
    info.size = path.stat().st_size
    info.mode = 0o600
    with path.open("rb") as handle:
        hashing = _Hashing(handle)
        tar.addfile(info, hashing)
    return Member(name, info.size, hashing.digest.hexdigest())


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> Member:
    info = tarfile.TarInfo(_checked_name(name))
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
    return Member(name, len(data), hashlib.sha256(data).hexdigest())


def _checked_name(name: str) -> str:
    parts = name.split("/")
    if not name or name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ArchiveError(f"The archive holds a member with an unsafe name: {name!r}.")
    return name


def extract_all(tar: tarfile.TarFile, folder: Path) -> Iterator[Member]:
    """Write every member under `folder` (regular files with safe names only), hashing each."""
    for info in tar:
        name = _checked_name(info.name)
        if not info.isreg():
            raise ArchiveError(f"The archive member {name!r} is not a regular file.")
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        source = tar.extractfile(info)
        assert source is not None  # a regular file
        digest = hashlib.sha256()
        with open(target, "xb") as out:
            os.chmod(target, 0o600)
            while block := source.read(CHUNK):
                digest.update(block)
                out.write(block)
        yield Member(name, info.size, digest.hexdigest())
