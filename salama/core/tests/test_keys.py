"""Data keys, crypto-shredding and re-wrapping under a new key-encryption key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from salama.core import crypto, keys
from salama.core.models import AuditEntry, DataKey, _unwrap_cached

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    """Every test starts and ends without unwrapped keys or key rings cached in the process."""
    _unwrap_cached.cache_clear()
    crypto._keyring_for.cache_clear()
    yield
    _unwrap_cached.cache_clear()
    crypto._keyring_for.cache_clear()


def make_keys(count: int) -> dict[str, bytes]:
    """`count` saved data keys under the current KEK; returns their plaintext keys by id."""
    created = {}
    for _ in range(count):
        key = DataKey.new()
        key.save()
        created[str(key.id)] = key.unwrap()
    return created


def kek_id(raw: str) -> str:
    return crypto.kek_id_for(base64.urlsafe_b64decode(raw))


def unwrap_fresh(key: DataKey) -> bytes:
    """Unwrap straight from the database row, bypassing every cache."""
    key.refresh_from_db()
    return crypto.unwrap_data_key(key.kek_id, bytes(key.wrapped), str(key.id))


def switch_kek(settings) -> tuple[str, str]:
    """Make a new KEK current and keep the old one as retired. Returns (old, new)."""
    old, new = settings.SALAMA_KEK, crypto.generate_key_text()
    settings.SALAMA_KEK = new
    settings.SALAMA_KEK_RETIRED = [old]
    return old, new


def test_new_data_key_is_wrapped_under_the_current_kek_and_unwraps() -> None:
    key = DataKey.new()
    key.save()
    assert key.kek_id == crypto.keyring().current_id
    dek = key.unwrap()
    assert len(dek) == 32
    assert dek not in bytes(key.wrapped)
    assert unwrap_fresh(DataKey.objects.get(pk=key.pk)) == dek


def test_every_subject_gets_a_different_data_key() -> None:
    assert len(set(make_keys(3).values())) == 3


def test_a_data_key_row_copied_to_another_subject_does_not_unwrap() -> None:
    first, second = DataKey.new(), DataKey.new()
    second.wrapped = first.wrapped
    with pytest.raises(crypto.DecryptionError, match=f"subject {second.id} failed"):
        second.unwrap()


def test_shredded_key_raises_subject_erased() -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()
    keys.shred(key)
    with pytest.raises(crypto.SubjectErased, match=f"data key {key.id} was destroyed"):
        key.unwrap()
    stored = DataKey.objects.get(pk=key.pk)
    assert stored.is_shredded is True
    assert stored.shredded_at is not None
    with pytest.raises(crypto.SubjectErased, match="subject erased"):
        stored.unwrap()


def test_shredding_empties_the_cache_of_unwrapped_keys() -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()
    assert _unwrap_cached.cache_info().currsize == 1
    keys.shred(key)
    assert _unwrap_cached.cache_info().currsize == 0


def test_a_key_under_a_kek_that_is_not_held_raises_unknown_key(settings) -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()  # cached under the old key ring
    settings.SALAMA_KEK = crypto.generate_key_text()
    with pytest.raises(crypto.UnknownKeyError, match=f"key-encryption key {key.kek_id}"):
        DataKey.objects.get(pk=key.pk).unwrap()


def test_rotate_rewraps_every_key_under_the_new_kek(settings) -> None:
    deks = make_keys(5)
    shredded = DataKey.new()
    shredded.save()
    keys.shred(shredded)
    _old, new = switch_kek(settings)
    before = {str(k.id): bytes(k.wrapped) for k in DataKey.objects.filter(wrapped__isnull=False)}

    calls: list[tuple[int, int]] = []
    assert keys.rotate(batch_size=2, progress=lambda done, total: calls.append((done, total))) == 5

    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert keys.key_status() == {kek_id(new): 5}
    # Only the new KEK is held now, and no cache remembers the old unwrapping.
    settings.SALAMA_KEK_RETIRED = []
    _unwrap_cached.cache_clear()
    for key in DataKey.objects.filter(wrapped__isnull=False):
        assert key.kek_id == kek_id(new)
        assert key.rotated_at is not None
        assert bytes(key.wrapped) != before[str(key.id)]
        assert unwrap_fresh(key) == deks[str(key.id)]
        assert key.unwrap() == deks[str(key.id)]
    assert DataKey.objects.get(pk=shredded.pk).wrapped is None


def test_rotate_with_nothing_to_do_rewraps_nothing(settings) -> None:
    switch_kek(settings)
    assert keys.rotate() == 0


def test_rotation_is_resumable_after_an_interruption(settings) -> None:
    deks = make_keys(5)
    old, new = switch_kek(settings)

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys.rotate(batch_size=2, progress=interrupt)
    assert keys.key_status() == {kek_id(old): 3, kek_id(new): 2}

    assert keys.rotate(batch_size=2) == 3
    assert keys.key_status() == {kek_id(new): 5}
    settings.SALAMA_KEK_RETIRED = []
    _unwrap_cached.cache_clear()
    for key in DataKey.objects.all():
        assert unwrap_fresh(key) == deks[str(key.id)]


def test_rotate_command_refuses_when_a_kek_is_not_held(settings) -> None:
    make_keys(2)
    old_id = crypto.keyring().current_id
    settings.SALAMA_KEK = crypto.generate_key_text()
    settings.SALAMA_KEK_RETIRED = []
    with pytest.raises(CommandError, match=f"does not hold: {old_id}. Add the old key"):
        call_command("keys", "rotate", stdout=StringIO())
    assert keys.key_status() == {old_id: 2}
    assert not AuditEntry.objects.filter(action="keys.rotate").exists()


def test_rotate_command_rewraps_reports_and_audits(settings) -> None:
    make_keys(3)
    _old, new = switch_kek(settings)
    out = StringIO()

    call_command("keys", "rotate", "--batch-size", "2", stdout=out)

    assert "re-wrapped 2/3" in out.getvalue()
    assert f"Done: 3 data keys now under {kek_id(new)}." in out.getvalue()
    assert "remove the retired keys from SALAMA_KEK_RETIRED" in out.getvalue()
    entry = AuditEntry.objects.get(action="keys.rotate")
    assert entry.changes == {"rewrapped": [0, 3], "kek": [None, kek_id(new)]}


def test_keys_status_counts_keys_per_kek(settings) -> None:
    old = settings.SALAMA_KEK
    make_keys(3)
    lost = crypto.generate_key_text()
    settings.SALAMA_KEK = lost
    make_keys(1)
    new = crypto.generate_key_text()
    settings.SALAMA_KEK, settings.SALAMA_KEK_RETIRED = new, [old]
    make_keys(2)
    out = StringIO()

    call_command("keys", "status", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"current key-encryption key: {kek_id(new)}"
    assert f"  {kek_id(new)}: 2 data keys (current)" in lines
    assert f"  {kek_id(old)}: 3 data keys (retired, held)" in lines
    assert f"  {kek_id(lost)}: 1 data keys (NOT HELD)" in lines


def test_keys_generate_prints_a_usable_kek(settings) -> None:
    out = StringIO()
    call_command("keys", "generate", stdout=out)
    settings.SALAMA_KEK = out.getvalue().strip()
    assert len(base64.urlsafe_b64decode(settings.SALAMA_KEK)) == 32
    assert crypto.keyring().current_id == kek_id(settings.SALAMA_KEK)
