"""Envelope encryption and blind indexes: round trips hold, and every kind of tampering fails."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from salama.core import crypto

keys = st.binary(min_size=32, max_size=32)
subjects = st.uuids().map(str)
labels = st.sampled_from(["people.person", "people.contact", "cases.case"])
field_names = st.sampled_from(["given_name", "family_name", "number", "narrative"])


def aad(
    record_id: str = "4b1f0a52-0000-4000-8000-000000000001", field: str = "given_name"
) -> bytes:
    return crypto.field_aad("people.person", record_id, field)


def flip_bit(blob: bytes, position: int) -> bytes:
    index = position % (len(blob) * 8)
    data = bytearray(blob)
    data[index // 8] ^= 1 << (index % 8)
    return bytes(data)


def b64_key(length: int = 32) -> str:
    return base64.urlsafe_b64encode(bytes(range(length))).decode()


# Round trips -----------------------------------------------------------------------------------


@given(dek=keys, plaintext=st.text(), label=labels, record=subjects, field=field_names)
def test_text_round_trips(dek: bytes, plaintext: str, label: str, record: str, field: str) -> None:
    associated = crypto.field_aad(label, record, field)
    token = crypto.encrypt_text(dek, plaintext, associated)
    assert token.startswith(crypto.CIPHERTEXT_PREFIX)
    assert crypto.decrypt_text(dek, token, associated) == plaintext


@given(dek=keys, plaintext=st.binary(max_size=4096))
def test_bytes_round_trip(dek: bytes, plaintext: bytes) -> None:
    assert (
        crypto.decrypt_bytes(dek, crypto.encrypt_bytes(dek, plaintext, aad()), aad()) == plaintext
    )


@given(plaintext=st.text(min_size=1))
def test_the_same_text_encrypts_differently_each_time(plaintext: str) -> None:
    dek = crypto.new_data_key()
    assert crypto.encrypt_text(dek, plaintext, aad()) != crypto.encrypt_text(dek, plaintext, aad())


@given(subject=subjects)
def test_data_key_wrap_round_trips(subject: str) -> None:
    dek = crypto.new_data_key()
    kek_id, wrapped = crypto.wrap_data_key(dek, subject)
    assert kek_id == crypto.keyring().current_id
    assert dek not in wrapped
    assert crypto.unwrap_data_key(kek_id, wrapped, subject) == dek


# Tampering fails loudly ------------------------------------------------------------------------


@given(dek=keys, plaintext=st.text(), position=st.integers(min_value=0))
def test_a_flipped_bit_in_the_ciphertext_fails(dek: bytes, plaintext: str, position: int) -> None:
    blob = crypto.encrypt_bytes(dek, plaintext.encode(), aad())
    tampered = crypto.CIPHERTEXT_PREFIX + base64.b64encode(flip_bit(blob, position)).decode()
    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
        crypto.decrypt_text(dek, tampered, aad())


@given(dek=keys, plaintext=st.text(), record=subjects, other=subjects)
def test_a_ciphertext_moved_to_another_record_fails(
    dek: bytes, plaintext: str, record: str, other: str
) -> None:
    token = crypto.encrypt_text(dek, plaintext, aad(record))
    if other != record:
        with pytest.raises(crypto.DecryptionError, match=f"/{other}/given_name failed"):
            crypto.decrypt_text(dek, token, aad(other))


@given(dek=keys, plaintext=st.text())
def test_a_ciphertext_swapped_into_another_field_fails(dek: bytes, plaintext: str) -> None:
    token = crypto.encrypt_text(dek, plaintext, aad(field="given_name"))
    with pytest.raises(crypto.DecryptionError, match="family_name failed authentication"):
        crypto.decrypt_text(dek, token, aad(field="family_name"))


@given(dek=keys, wrong=keys, plaintext=st.text())
def test_a_wrong_data_key_fails(dek: bytes, wrong: bytes, plaintext: str) -> None:
    token = crypto.encrypt_text(dek, plaintext, aad())
    if wrong != dek:
        with pytest.raises(crypto.DecryptionError, match="encrypted under another key"):
            crypto.decrypt_text(wrong, token, aad())


@given(subject=subjects, other=subjects)
def test_a_data_key_unwrapped_for_another_subject_fails(subject: str, other: str) -> None:
    kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), subject)
    if other != subject:
        with pytest.raises(crypto.DecryptionError, match=f"subject {other} failed authentication"):
            crypto.unwrap_data_key(kek_id, wrapped, other)


@given(subject=subjects, position=st.integers(min_value=0))
def test_a_flipped_bit_in_a_wrapped_data_key_fails(subject: str, position: int) -> None:
    kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), subject)
    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
        crypto.unwrap_data_key(kek_id, flip_bit(wrapped, position), subject)


@given(subject=subjects, length=st.integers(min_value=0, max_value=59))
def test_a_truncated_wrapped_data_key_fails(subject: str, length: int) -> None:
    kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), subject)
    with pytest.raises(crypto.DecryptionError, match=f"subject {subject}"):
        crypto.unwrap_data_key(kek_id, wrapped[:length], subject)


def test_a_data_key_under_an_unknown_key_encryption_key_fails() -> None:
    _kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), "s")
    with pytest.raises(crypto.UnknownKeyError, match="0123456789abcdef, which this server"):
        crypto.unwrap_data_key("0123456789abcdef", wrapped, "s")


@given(dek=keys, plaintext=st.text(), cut=st.integers(min_value=0))
def test_a_truncated_ciphertext_fails(dek: bytes, plaintext: str, cut: int) -> None:
    blob = crypto.encrypt_bytes(dek, plaintext.encode(), aad())
    short = blob[: cut % len(blob)]
    with pytest.raises(crypto.DecryptionError, match="truncated|failed authentication"):
        crypto.decrypt_bytes(dek, short, aad())
    token = crypto.CIPHERTEXT_PREFIX + base64.b64encode(short).decode()
    with pytest.raises(crypto.DecryptionError, match="truncated|failed authentication"):
        crypto.decrypt_text(dek, token, aad())


@given(value=st.text().filter(lambda text: not text.startswith(crypto.CIPHERTEXT_PREFIX)))
def test_a_value_without_the_v1_prefix_fails(value: str) -> None:
    with pytest.raises(crypto.DecryptionError, match="not a Salama ciphertext"):
        crypto.decrypt_text(crypto.new_data_key(), value, aad())


@pytest.mark.parametrize("payload", ["not base64!", "abc", "ab=c", "é"])
def test_a_v1_value_that_is_not_base64_fails(payload: str) -> None:
    with pytest.raises(crypto.DecryptionError, match="not base64"):
        crypto.decrypt_text(crypto.new_data_key(), crypto.CIPHERTEXT_PREFIX + payload, aad())


def test_a_decrypted_value_that_is_not_utf8_text_fails() -> None:
    dek = crypto.new_data_key()
    blob = crypto.encrypt_bytes(dek, b"\xff\xfe", aad())
    token = crypto.CIPHERTEXT_PREFIX + base64.b64encode(blob).decode()
    with pytest.raises(crypto.DecryptionError, match="not UTF-8 text"):
        crypto.decrypt_text(dek, token, aad())


# Key-encryption keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b64_key(16), "must decode to 32 bytes, got 16"),
        (b64_key(33), "must decode to 32 bytes, got 33"),
        ("", "must decode to 32 bytes, got 0"),
        ("é" * 44, "is not valid base64"),
        ("a", "is not valid base64"),
    ],
)
def test_a_kek_that_is_not_32_bytes_of_base64_is_refused(settings, raw: str, message: str) -> None:
    settings.SALAMA_KEK = raw
    with pytest.raises(ImproperlyConfigured, match=f"SALAMA_KEK {message}"):
        crypto.keyring()


def test_a_malformed_retired_kek_is_refused_by_position(settings) -> None:
    settings.SALAMA_KEK_RETIRED = [b64_key(), b64_key(31)]
    with pytest.raises(ImproperlyConfigured, match=r"SALAMA_KEK_RETIRED\[1\] must decode"):
        crypto.keyring()


def test_a_malformed_index_key_is_refused(settings) -> None:
    settings.SALAMA_INDEX_KEY = b64_key(8)
    with pytest.raises(ImproperlyConfigured, match="SALAMA_INDEX_KEY must decode to 32 bytes"):
        crypto.blind_index("123", "phone")


def test_a_generated_key_is_a_valid_kek(settings) -> None:
    settings.SALAMA_KEK = crypto.generate_key_text()
    ring = crypto.keyring()
    assert list(ring.keys) == [ring.current_id]


def test_kek_id_does_not_contain_the_key() -> None:
    key = bytes(range(32))
    assert crypto.kek_id_for(key) == crypto.kek_id_for(key)
    assert key.hex()[:16] != crypto.kek_id_for(key)
    assert crypto.kek_id_for(key) != crypto.kek_id_for(bytes(32))


def test_a_key_wrapped_under_a_retired_kek_still_unwraps(settings) -> None:
    dek = crypto.new_data_key()
    kek_id, wrapped = crypto.wrap_data_key(dek, "subject")
    settings.SALAMA_KEK_RETIRED = [settings.SALAMA_KEK]
    settings.SALAMA_KEK = crypto.generate_key_text()
    assert crypto.keyring().current_id != kek_id
    assert crypto.unwrap_data_key(kek_id, wrapped, "subject") == dek


# Blind indexes ---------------------------------------------------------------------------------


@given(value=st.text(), purpose=st.sampled_from(["phone", "passport"]))
def test_blind_index_is_deterministic(value: str, purpose: str) -> None:
    assert crypto.blind_index(value, purpose) == crypto.blind_index(value, purpose)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("AB 123-456", "ab123456"),
        ("  P1234567 ", "p1234567"),
        ("+962 (79) 555.0101", "962795550101"),
        ("STRASSE", "straße"),
        ("Ａｂ１２", "ab12"),
    ],
)
def test_blind_index_normalises_case_spaces_and_punctuation(first: str, second: str) -> None:
    assert crypto.blind_index(first, "passport") == crypto.blind_index(second, "passport")


def test_blind_index_tells_different_values_apart() -> None:
    assert crypto.blind_index("AB123456", "passport") != crypto.blind_index("AB123457", "passport")


@given(value=st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1))
def test_blind_index_differs_by_purpose(value: str) -> None:
    assert crypto.blind_index(value, "phone") != crypto.blind_index(value, "passport")


def test_blind_index_of_nothing_but_punctuation_is_empty() -> None:
    assert crypto.blind_index(" -./ ", "phone") == ""


def test_blind_index_depends_on_the_index_key(settings) -> None:
    before = crypto.blind_index("AB123456", "passport")
    settings.SALAMA_INDEX_KEY = crypto.generate_key_text()
    assert crypto.blind_index("AB123456", "passport") != before


@given(token=st.text(min_size=1), salt=st.text(), other=st.text())
def test_token_hash_differs_by_salt(token: str, salt: str, other: str) -> None:
    first = crypto.token_hash(token, salt=salt)
    assert first == crypto.token_hash(token, salt=salt)
    assert -(2**63) <= first < 2**63
    if salt != other:
        assert first != crypto.token_hash(token, salt=other)


def test_token_hash_differs_by_token() -> None:
    assert crypto.token_hash("amira", salt="1990") != crypto.token_hash("amina", salt="1990")


def test_field_aad_binds_label_record_and_field() -> None:
    record = str(uuid.uuid4())
    assert crypto.field_aad("people.person", record, "given_name") == (
        f"salama/field/people.person/{record}/given_name".encode()
    )
