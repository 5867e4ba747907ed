"""Data keys, crypto-shredding and re-wrapping under a new key-encryption key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from salama.core import crypto, keys, keystore
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


def stored(key: DataKey) -> keystore.StoredKey | None:
    """The key as the key store holds it (None once destroyed)."""
    return keystore.store().get_many([str(key.id)]).get(str(key.id))


def unwrap_fresh(key: DataKey) -> bytes:
    """Unwrap straight from the key store, bypassing every cache."""
    held = stored(key)
    assert held is not None
    return crypto.unwrap_data_key(held.kek_id, held.wrapped, str(key.id))


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
    held = stored(key)
    assert held is not None and held.kek_id == key.kek_id
    assert dek not in held.wrapped
    assert unwrap_fresh(DataKey.objects.get(pk=key.pk)) == dek


def test_the_data_database_never_holds_the_wrapped_key() -> None:
    key = DataKey.new()
    key.save()
    held = stored(key)
    assert held is not None
    assert [f.name for f in DataKey._meta.get_fields() if f.name == "wrapped"] == []
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_datakey")
        rows = cursor.fetchall()
    assert not any(held.wrapped == bytes(v) for row in rows for v in row if isinstance(v, bytes))
    assert "core_wrappedkey" not in connection.introspection.table_names()


def test_every_subject_gets_a_different_data_key() -> None:
    assert len(set(make_keys(3).values())) == 3


def test_a_data_key_row_copied_to_another_subject_does_not_unwrap() -> None:
    first, second = DataKey.new(), DataKey.new()
    first.save()
    second.save()
    moved = stored(first)
    assert moved is not None
    keystore.store().put_many([keystore.StoredKey(str(second.id), moved.kek_id, moved.wrapped)])
    with pytest.raises(crypto.DecryptionError, match=f"subject {second.id} failed"):
        DataKey.objects.get(pk=second.pk).unwrap()


def test_shredded_key_raises_subject_erased(django_capture_on_commit_callbacks) -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()
    with django_capture_on_commit_callbacks(execute=True):
        keys.shred(key)
    assert stored(key) is None
    with pytest.raises(crypto.SubjectErased, match=f"data key {key.id} was destroyed"):
        key.unwrap()
    row = DataKey.objects.get(pk=key.pk)
    assert row.is_shredded is True
    assert row.shredded_at is not None
    with pytest.raises(crypto.SubjectErased, match="subject erased"):
        row.unwrap()


def test_shredding_empties_the_cache_of_unwrapped_keys() -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()
    assert _unwrap_cached.currsize == 1
    keys.shred(key)
    assert _unwrap_cached.currsize == 0


def test_a_shredded_row_is_not_unwrapped_even_while_the_store_still_holds_the_key() -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()
    keys.shred(key)  # inside the test's transaction: the store's copy goes only on commit
    assert stored(key) is not None
    with pytest.raises(crypto.SubjectErased):
        DataKey.objects.get(pk=key.pk).unwrap()
    assert keystore.destroy_shredded() == 1
    assert stored(key) is None


def test_an_erasure_rolled_back_keeps_the_key(django_capture_on_commit_callbacks) -> None:
    from django.db import transaction

    key = DataKey.new()
    key.save()
    dek = key.unwrap()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            keys.shred(key)
            raise RuntimeError("the erasure failed after shredding")
    assert callbacks == []
    assert DataKey.objects.get(pk=key.pk).unwrap() == dek


def test_a_key_under_a_kek_that_is_not_held_raises_unknown_key(settings) -> None:
    key = DataKey.new()
    key.save()
    key.unwrap()  # cached under the old key ring
    settings.SALAMA_KEK = crypto.generate_key_text()
    with pytest.raises(crypto.UnknownKeyError, match=f"key-encryption key {key.kek_id}"):
        DataKey.objects.get(pk=key.pk).unwrap()


def test_rotate_rewraps_every_key_under_the_new_kek(
    settings, django_capture_on_commit_callbacks
) -> None:
    deks = make_keys(5)
    shredded = DataKey.new()
    shredded.save()
    with django_capture_on_commit_callbacks(execute=True):
        keys.shred(shredded)
    _old, new = switch_kek(settings)
    live = DataKey.objects.filter(shredded_at__isnull=True)
    before = {str(k.id): stored(k).wrapped for k in live}  # type: ignore[union-attr]

    calls: list[tuple[int, int]] = []
    assert keys.rotate(batch_size=2, progress=lambda done, total: calls.append((done, total))) == 5

    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert keys.key_status() == {kek_id(new): 5}
    # Only the new KEK is held now, and no cache remembers the old unwrapping.
    settings.SALAMA_KEK_RETIRED = []
    _unwrap_cached.cache_clear()
    for key in live.all():  # read again, after the rotation
        assert key.kek_id == kek_id(new)
        assert key.rotated_at is not None
        assert stored(key).wrapped != before[str(key.id)]  # type: ignore[union-attr]
        assert stored(key).kek_id == kek_id(new)  # type: ignore[union-attr]
        assert unwrap_fresh(key) == deks[str(key.id)]
        assert key.unwrap() == deks[str(key.id)]
    assert stored(shredded) is None
    assert DataKey.objects.get(pk=shredded.pk).is_shredded


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
        assert key.kek_id == kek_id(new)
        assert unwrap_fresh(key) == deks[str(key.id)]


def test_a_rotation_killed_between_the_two_databases_is_finished_by_the_next_run(
    settings, monkeypatch
) -> None:
    deks = make_keys(3)
    _old, new = switch_kek(settings)
    real_update = DataKey.objects.filter

    def die_before_the_data_rows(*args, **kwargs):  # the key store is already written
        if "pk__in" in kwargs:
            raise KeyboardInterrupt
        return real_update(*args, **kwargs)

    monkeypatch.setattr(DataKey.objects, "filter", die_before_the_data_rows)
    with pytest.raises(KeyboardInterrupt):
        keys.rotate(batch_size=10)
    monkeypatch.undo()
    assert keys.key_status() == {kek_id(new): 3}  # the store is the truth
    assert set(DataKey.objects.values_list("kek_id", flat=True)) != {kek_id(new)}

    assert keys.rotate() == 0
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {kek_id(new)}
    settings.SALAMA_KEK_RETIRED = []
    _unwrap_cached.cache_clear()
    for key in DataKey.objects.all():
        assert key.unwrap() == deks[str(key.id)]


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
