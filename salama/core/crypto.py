"""Envelope encryption, crypto-shredding and blind indexes (docs/design.md#protecting-the-data).

Every data subject has a random 256-bit data key (DEK). The DEK is stored only wrapped by the
key-encryption key (KEK), which lives outside the database (settings.SALAMA_KEK). Wrapping and
field encryption are AES-256-GCM from `cryptography`; nothing here is a hand-made primitive.

Associated data binds each ciphertext to where it belongs: a wrapped DEK to its subject, a field
value to its model, record and field. A ciphertext copied to another field or record, a flipped
bit or a wrong key therefore fails authentication instead of decrypting to something wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHERTEXT_PREFIX = "v1:"
NONCE_BYTES = 12
KEY_BYTES = 32


class CryptoError(Exception):
    """Base class for failures that must never be silently ignored."""


class DecryptionError(CryptoError):
    """A ciphertext failed authentication: tampered, moved to another field, or the wrong key."""


class SubjectErased(CryptoError):
    """The subject's data key was destroyed; their identifying data is gone for good."""


class UnknownKeyError(CryptoError):
    """A data key is wrapped by a key-encryption key this server does not hold."""


def _decode_key(raw: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(f"{name} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must decode to {KEY_BYTES} bytes, got {len(key)}; "
            "create one with `salama keys generate`"
        )
    return key


def generate_key_text() -> str:
    """A new random 256-bit key, base64url-encoded, for SALAMA_KEK or SALAMA_INDEX_KEY."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def kek_id_for(key: bytes) -> str:
    """A stable public identifier of a KEK that reveals nothing about the key itself."""
    return hmac.new(key, b"salama-kek-id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per key set
class KeyRing:
    """The key-encryption keys this process holds: the current one and any retired ones."""

    current_id: str
    keys: dict[str, bytes]
    # Ciphers built from `keys`, filled by `cipher()`.
    ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    def key(self, kek_id: str) -> bytes:
        try:
            return self.keys[kek_id]
        except KeyError:
            raise UnknownKeyError(
                f"data key is wrapped by key-encryption key {kek_id}, which this server does not "
                "hold; add it to SALAMA_KEK_RETIRED until `salama keys rotate` has finished"
            ) from None

    def cipher(self, kek_id: str) -> AESGCM:
        """The AES-GCM cipher of KEK `kek_id`, built once (a search unwraps a hundred keys)."""
        cipher = self.ciphers.get(kek_id)
        if cipher is None:
            cipher = self.ciphers[kek_id] = AESGCM(self.key(kek_id))
        return cipher


@lru_cache(maxsize=4)
def _keyring_for(current: str, retired: tuple[str, ...]) -> KeyRing:
    current_key = _decode_key(current, "SALAMA_KEK")
    keys = {kek_id_for(current_key): current_key}
    for index, raw in enumerate(retired):
        key = _decode_key(raw, f"SALAMA_KEK_RETIRED[{index}]")
        keys[kek_id_for(key)] = key
    return KeyRing(current_id=kek_id_for(current_key), keys=keys)


def keyring() -> KeyRing:
    return _keyring_for(settings.SALAMA_KEK, tuple(settings.SALAMA_KEK_RETIRED))


def _subject_aad(subject_id: str) -> bytes:
    return f"salama/dek/{subject_id}".encode()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_data_key(dek: bytes, subject_id: str, ring: KeyRing | None = None) -> tuple[str, bytes]:
    """Wrap `dek` under the current KEK, bound to `subject_id`. Returns (kek_id, wrapped)."""
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.key(ring.current_id)).encrypt(nonce, dek, _subject_aad(subject_id))
    return ring.current_id, nonce + sealed


def unwrap_data_key(
    kek_id: str, wrapped: bytes, subject_id: str, ring: KeyRing | None = None
) -> bytes:
    ring = ring or keyring()
    cipher = ring.cipher(kek_id)
    if len(wrapped) < NONCE_BYTES + 16:
        raise DecryptionError(f"wrapped data key of subject {subject_id} is truncated")
    try:
        return cipher.decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _subject_aad(subject_id)
        )
    except InvalidTag:
        raise DecryptionError(
            f"wrapped data key of subject {subject_id} failed authentication "
            "(altered in the database, or wrapped for another subject)"
        ) from None


def derive_key(secret: bytes, *, salt: bytes, info: str) -> bytes:
    """A 256-bit key derived from a high-entropy secret (HKDF-SHA256), e.g. a key that only the
    holder of an emailed token can rebuild. `info` names what the key is for, so one secret never
    yields the same key for two purposes."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info.encode()).derive(
        secret
    )


def field_aad(label: str, record_id: str, field: str) -> bytes:
    return f"salama/field/{label}/{record_id}/{field}".encode()


def encrypt_bytes(dek: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(dek).encrypt(nonce, plaintext, aad)


def decrypt_bytes(dek: bytes | AESGCM, blob: bytes, aad: bytes) -> bytes:
    """Open `blob`; `dek` is the data key, or `field_cipher(dek)` when opening several fields."""
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError(f"ciphertext for {aad.decode(errors='replace')} is truncated")
    cipher = dek if isinstance(dek, AESGCM) else AESGCM(dek)
    try:
        return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError(
            f"ciphertext for {aad.decode(errors='replace')} failed authentication "
            "(tampered, copied from another field or record, or encrypted under another key)"
        ) from None


def encrypt_text(dek: bytes, plaintext: str, aad: bytes) -> str:
    blob = encrypt_bytes(dek, plaintext.encode("utf-8"), aad)
    return CIPHERTEXT_PREFIX + base64.b64encode(blob).decode("ascii")


def field_cipher(dek: bytes) -> AESGCM:
    """The cipher of a data key, to open several of its fields without rebuilding it."""
    return AESGCM(dek)


def decrypt_text(dek: bytes | AESGCM, token: str, aad: bytes) -> str:
    if not token.startswith(CIPHERTEXT_PREFIX):
        raise DecryptionError(
            f"value for {aad.decode(errors='replace')} is not a Salama ciphertext "
            "(it was written around the encryption layer)"
        )
    try:
        blob = base64.b64decode(token[len(CIPHERTEXT_PREFIX) :], validate=True)
    except ValueError:
        raise DecryptionError(
            f"ciphertext for {aad.decode(errors='replace')} is not base64"
        ) from None
    try:
        return decrypt_bytes(dek, blob, aad).decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptionError(
            f"value for {aad.decode(errors='replace')} is not UTF-8 text"
        ) from None


# Blind indexes ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _index_key_for(raw: str) -> bytes:
    return _decode_key(raw, "SALAMA_INDEX_KEY")


def index_key() -> bytes:
    return _index_key_for(settings.SALAMA_INDEX_KEY)


@lru_cache(maxsize=4)
def _token_mac_for(raw: str) -> hmac.HMAC:
    # The keyed state after the key block, copied per token (a query hashes about 120 tokens).
    return hmac.new(_index_key_for(raw), digestmod=hashlib.sha256)


def normalise_exact(value: str) -> str:
    """Canonical form for exact look-ups: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def blind_index(value: str, purpose: str) -> str:
    """Keyed HMAC of a normalised value; equal inputs give equal indexes, nothing else leaks
    but equality (see docs/threat-model.md). `purpose` separates e.g. phones from passports."""
    normalised = normalise_exact(value)
    if not normalised:
        return ""
    mac = hmac.new(index_key(), f"{purpose}\x00{normalised}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def token_hash(token: str, *, salt: str = "") -> int:
    """A search token as a signed 64-bit integer (HMAC-SHA256 under the index key, cut to 8 bytes).

    `salt` binds a token to something else known at query time, e.g. a birth year.
    """
    mac = _token_mac_for(settings.SALAMA_INDEX_KEY).copy()
    mac.update(f"tok\x00{salt}\x00{token}".encode())
    return int.from_bytes(mac.digest()[:8], "big", signed=True)
