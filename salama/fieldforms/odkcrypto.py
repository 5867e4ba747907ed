"""ODK encrypted forms: the organisation's key pair and opening what a device encrypted.

How a device encrypts a finalised submission (ODK's encrypted-forms specification, as ODK
Collect's EncryptionUtils and ODK Briefcase's decryption implement it):

- a random 256-bit AES key per submission, encrypted with the form's RSA public key
  (RSA/OAEP, SHA-256) and sent base64-encoded in the manifest's ``base64EncryptedKey``;
- an IV seed: the MD5 of the instanceID (UTF-8) followed by the AES key; before each file one
  byte of the seed is incremented (byte ``i % 16`` for the i-th file, counting from 0), so every
  file has its own IV; the media files are encrypted first, in manifest order, and
  ``submission.xml`` last;
- each file is AES/CFB (128-bit segments) with PKCS#5 padding and named ``<name>.enc``;
- ``base64EncryptedElementSignature``: the RSA-encrypted MD5 of the lines form id, version,
  base64EncryptedKey, instanceID, ``<file>::<md5 hex>`` per media file and for submission.xml.

The private key never leaves the server and is stored only sealed under a data key, which the
key-encryption key wraps (salama.core.crypto): a database dump alone opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK's mode; no longer recommended
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from salama.core import crypto
from salama.core.models import DataKey

RSA_BITS = 2048


class SubmissionDecryptionError(crypto.CryptoError):
    """An encrypted submission could not be opened (wrong key, damaged or tampered files)."""


def _private_aad(organisation_id: int) -> bytes:
    return f"salama/fieldforms/private-key/{organisation_id}".encode()


def new_key_pair(organisation_id: int) -> tuple[str, DataKey, bytes]:
    """(public key as XLSForm's base64 DER, a new unsaved data key, the sealed private key)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key = DataKey.new()
    sealed = crypto.encrypt_bytes(key.unwrap(), private_der, _private_aad(organisation_id))
    return base64.b64encode(public_der).decode("ascii"), key, sealed


def open_private_key(organisation_id: int, key: DataKey, sealed: bytes) -> rsa.RSAPrivateKey:
    der = crypto.decrypt_bytes(key.unwrap(), bytes(sealed), _private_aad(organisation_id))
    private = serialization.load_der_private_key(der, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    return private


# Devices have used SHA-256 OAEP with MGF1 over SHA-256 (Bouncy Castle) or SHA-1 (SunJCE,
# Enketo); very old clients SHA-1 throughout. Each is tried; a wrong one fails cleanly.
_OAEP_VARIANTS = (
    (hashes.SHA256, hashes.SHA256),
    (hashes.SHA256, hashes.SHA1),
    (hashes.SHA1, hashes.SHA1),
)


def rsa_decrypt(private: rsa.RSAPrivateKey, blob: bytes) -> bytes:
    for algorithm, mgf in _OAEP_VARIANTS:
        try:
            return private.decrypt(
                blob,
                padding.OAEP(mgf=padding.MGF1(algorithm=mgf()), algorithm=algorithm(), label=None),
            )
        except ValueError:
            continue
    raise SubmissionDecryptionError(
        "the submission's key does not open with this organisation's private key"
    )


def iv_sequence(instance_id: str, aes_key: bytes, count: int) -> list[bytes]:
    """The IV of each file in encryption order (media files first, submission.xml last)."""
    seed = bytearray(
        hashlib.md5(instance_id.encode("utf-8") + aes_key, usedforsecurity=False).digest()
    )
    ivs = []
    for counter in range(count):
        seed[counter % 16] = (seed[counter % 16] + 1) % 256
        ivs.append(bytes(seed))
    return ivs


def aes_cfb_decrypt(aes_key: bytes, iv: bytes, blob: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(aes_key), CFB(iv)).decryptor()
    plain = decryptor.update(blob) + decryptor.finalize()
    pad = plain[-1] if plain else 0
    if 1 <= pad <= 16 and plain.endswith(bytes([pad]) * pad):
        plain = plain[:-pad]
    return plain


@dataclass(frozen=True)
class EncryptedManifest:
    form_id: str
    version: str | None
    instance_id: str
    encrypted_key: str
    media: tuple[str, ...]  # the .enc names, in order
    xml_file: str
    signature: str


def decrypt_submission(
    private: rsa.RSAPrivateKey, manifest: EncryptedManifest, files: dict[str, bytes]
) -> tuple[bytes, dict[str, bytes]]:
    """(submission.xml, {media name without .enc: bytes}); checks the element signature."""
    try:
        aes_key = rsa_decrypt(private, base64.b64decode(manifest.encrypted_key, validate=True))
    except ValueError:
        raise SubmissionDecryptionError("base64EncryptedKey is not base64") from None
    if len(aes_key) != 32:
        raise SubmissionDecryptionError("the submission's AES key is not 256 bits")
    order = [*manifest.media, manifest.xml_file]
    missing = [name for name in order if name not in files]
    if missing:
        raise SubmissionDecryptionError(f"files listed in the manifest are missing: {missing}")
    ivs = iv_sequence(manifest.instance_id, aes_key, len(order))
    plain = {
        name.removesuffix(".enc"): aes_cfb_decrypt(aes_key, iv, files[name])
        for name, iv in zip(order, ivs, strict=True)
    }
    lines = [manifest.form_id]
    if manifest.version is not None:
        lines.append(manifest.version)
    lines += [manifest.encrypted_key, manifest.instance_id]
    for name in order:
        bare = name.removesuffix(".enc")
        lines.append(f"{bare}::{hashlib.md5(plain[bare], usedforsecurity=False).hexdigest()}")
    expected = hashlib.md5(
        ("\n".join(lines) + "\n").encode("utf-8"), usedforsecurity=False
    ).digest()
    try:
        signature = rsa_decrypt(private, base64.b64decode(manifest.signature, validate=True))
    except ValueError:
        raise SubmissionDecryptionError("the element signature is not base64") from None
    if signature != expected:
        raise SubmissionDecryptionError(
            "the element signature does not match the decrypted files (damaged or tampered)"
        )
    xml = plain.pop(manifest.xml_file.removesuffix(".enc"))
    return xml, plain


def random_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"
