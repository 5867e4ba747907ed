"""The key store: its own database, its interface, its snapshots and their short window."""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from salama.core import crypto, keys, keystore
from salama.core.keystore_models import WrappedKey
from salama.core.models import AuditEntry, DataKey, _unwrap_cached

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _snapshot_dir(settings: Any, tmp_path: Path) -> Path:
    settings.SALAMA_KEYSTORE_BACKUP_DIR = tmp_path / "snapshots"
    settings.SALAMA_KEYSTORE_BACKUP_DAYS = 7
    _unwrap_cached.cache_clear()
    return settings.SALAMA_KEYSTORE_BACKUP_DIR


class Clock:
    def __init__(self) -> None:
        self.at = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(keystore, "now", clock)
    return clock


def new_key() -> DataKey:
    key = DataKey.new()
    key.save()
    return key


def test_the_key_store_is_a_database_apart_from_the_data() -> None:
    keys_db, data_db = connections["keys"], connections["default"]
    assert keys_db.settings_dict["NAME"] != data_db.settings_dict["NAME"]
    key = new_key()
    assert WrappedKey.objects.db == "keys"
    assert "core_wrappedkey" in keys_db.introspection.table_names()
    assert "core_wrappedkey" not in data_db.introspection.table_names()
    assert "core_datakey" not in keys_db.introspection.table_names()
    with keys_db.cursor() as cursor:
        cursor.execute("SELECT kek_id FROM core_wrappedkey WHERE id = %s", [key.id.hex])
        by_hex = cursor.fetchall()
        cursor.execute("SELECT kek_id FROM core_wrappedkey WHERE id = %s", [str(key.id)])
        by_text = cursor.fetchall()
    assert (by_hex or by_text) == [(key.kek_id,)]


def test_the_router_keeps_each_table_in_its_database() -> None:
    router = keystore.KeyStoreRouter()
    assert router.allow_migrate("keys", "core", model_name="wrappedkey") is True
    assert router.allow_migrate("default", "core", model_name="wrappedkey") is False
    assert router.allow_migrate("keys", "core", model_name="datakey") is False
    assert router.allow_migrate("keys", "people", model_name="person") is False
    assert router.allow_migrate("keys", "core") is False  # data migrations run on the data only
    assert router.allow_migrate("default", "people", model_name="person") is None


def test_a_page_fetches_its_uncached_keys_in_one_query(django_assert_num_queries: Any) -> None:
    made = [new_key() for _ in range(5)]
    _unwrap_cached.cache_clear()
    with django_assert_num_queries(1, connection=connections["keys"]):
        keystore.warm(made)
    with django_assert_num_queries(0, connection=connections["keys"]):
        for key in made:
            key.unwrap()


def test_a_failed_data_write_leaves_the_store_holding_a_harmless_unused_key() -> None:
    from django.db import IntegrityError, transaction

    key = new_key()
    clone = DataKey.new()
    clone.id = key.id  # the data row will clash; the store was written first
    clone._pending = keystore.StoredKey(str(key.id), clone.kek_id, clone._pending.wrapped)
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)
    assert keystore.store().get_many([str(key.id)]) != {}


def test_backup_writes_a_sealed_snapshot_that_restores_every_key(tmp_path: Path) -> None:
    made = {str(k.id): k.unwrap() for k in (new_key() for _ in range(3))}
    out = StringIO()
    call_command("keys", "backup", stdout=out)
    [(_taken, path)] = keystore.snapshots()
    assert f"wrote {path}" in out.getvalue()
    body = path.read_bytes()
    for key_id in made:
        held = keystore.store().get_many([key_id])[key_id]
        assert held.wrapped not in body and key_id.encode() not in body
    assert path.stat().st_mode & 0o077 == 0
    assert AuditEntry.objects.filter(action="keys.backup").exists()

    keystore.store().replace_all([])  # the key store lost
    _unwrap_cached.cache_clear()
    with pytest.raises(crypto.SubjectErased):
        DataKey.objects.get(pk=next(iter(made))).unwrap()
    call_command("keys", "restore", str(path), stdout=out)
    assert "Restored 3 data keys" in out.getvalue()
    _unwrap_cached.cache_clear()
    for key_id, dek in made.items():
        assert DataKey.objects.get(pk=key_id).unwrap() == dek
    assert AuditEntry.objects.get(action="keys.restore").changes["restored"] == [0, 3]


def test_backup_deletes_the_snapshots_older_than_the_window(clock: Clock) -> None:
    new_key()
    first = keystore.write_snapshot()
    clock.at += dt.timedelta(days=7)
    second = keystore.write_snapshot()
    assert keystore.prune() == []  # exactly seven days old: still inside the window
    clock.at += dt.timedelta(days=1)
    out = StringIO()
    call_command("keys", "backup", stdout=out)
    assert not first.exists() and second.exists()
    assert f"deleted {first} (older than 7 days)" in out.getvalue()
    assert len(keystore.snapshots()) == 2


def test_the_window_is_a_setting(clock: Clock, settings: Any) -> None:
    settings.SALAMA_KEYSTORE_BACKUP_DAYS = 2
    first = keystore.write_snapshot()
    clock.at += dt.timedelta(days=3)
    call_command("keys", "prune", stdout=StringIO())
    assert not first.exists()


def test_prune_leaves_files_that_are_not_snapshots_alone(clock: Clock, _snapshot_dir: Path) -> None:
    _snapshot_dir.mkdir(parents=True)
    other = _snapshot_dir / "notes.txt"
    other.write_text("not a snapshot")
    clock.at += dt.timedelta(days=365)
    keystore.prune()
    assert other.exists()


def test_an_altered_snapshot_is_refused_and_nothing_is_restored() -> None:
    key = new_key()
    path = keystore.write_snapshot()
    data = bytearray(path.read_bytes())
    data[-5] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="Nothing was restored: .* failed authentication"):
        call_command("keys", "restore", str(path), stdout=StringIO())
    assert keystore.store().get_many([str(key.id)]) != {}


def test_a_snapshot_under_a_retired_kek_restores_while_the_kek_is_held(settings: Any) -> None:
    key = new_key()
    dek = key.unwrap()
    path = keystore.write_snapshot()
    old = settings.SALAMA_KEK
    settings.SALAMA_KEK = crypto.generate_key_text()
    with pytest.raises(keystore.SnapshotError, match="SALAMA_KEK_RETIRED"):
        keystore.read_snapshot(path)
    settings.SALAMA_KEK_RETIRED = [old]
    keystore.restore_snapshot(path)
    _unwrap_cached.cache_clear()
    assert DataKey.objects.get(pk=key.pk).unwrap() == dek


def test_blind_indexes_do_not_depend_on_the_key_store(settings: Any) -> None:
    before = crypto.blind_index("+254 700 000 001", "phone")
    keystore.store().replace_all([])
    settings.SALAMA_KEK = crypto.generate_key_text()
    keys.rotate()
    assert crypto.blind_index("+254 700 000 001", "phone") == before


def test_another_key_store_plugs_in_through_the_setting(settings: Any) -> None:
    class Memory:
        held: dict[str, keystore.StoredKey] = {}

        def get_many(self, key_ids: Any) -> dict[str, keystore.StoredKey]:
            return {i: self.held[i] for i in key_ids if i in self.held}

        def put_many(self, found: Any) -> None:
            self.held.update({k.key_id: k for k in found})

    settings.SALAMA_KEYSTORE_BACKEND = f"{__name__}.MemoryStore"
    globals()["MemoryStore"] = Memory
    try:
        key = new_key()
        assert str(key.id) in Memory.held
        _unwrap_cached.cache_clear()
        assert len(DataKey.objects.get(pk=key.pk).unwrap()) == 32
        assert keystore.DatabaseKeyStore().get_many([str(key.id)]) == {}
    finally:
        keystore._store_for.cache_clear()
        del globals()["MemoryStore"]


def test_the_migration_moves_existing_wrapped_keys_to_the_store_and_can_run_again() -> None:
    """0005 on a data database that still has the column: the keys arrive intact, twice."""
    from django.db import connection

    migration = importlib.import_module("salama.core.migrations.0005_move_wrapped_keys_to_keystore")
    rows = []
    for _ in range(3):
        key_id = uuid.uuid4()
        kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), str(key_id))
        rows.append((key_id, kek_id, wrapped))

    class OldDataKeys:
        """The historical DataKey's manager, as the migration reads it: three live keys."""

        def using(self, alias: str) -> Any:
            return self

        def filter(self, **kwargs: Any) -> Any:
            after = kwargs.get("id__gt")
            chosen = [r for r in rows if after is None or r[0] > after]
            return OldQuery(chosen)

    class OldQuery:
        def __init__(self, chosen: list[Any]) -> None:
            self.chosen = sorted(chosen)

        def order_by(self, *fields: str) -> Any:
            return self

        def filter(self, **kwargs: Any) -> Any:
            return OldQuery([r for r in self.chosen if r[0] > kwargs["id__gt"]])

        def exists(self) -> bool:
            return bool(self.chosen)

        def values_list(self, *fields: str) -> list[Any]:
            return self.chosen

    class Apps:
        def get_model(self, app: str, name: str) -> Any:
            if name == "DataKey":
                return type("DataKey", (), {"objects": OldDataKeys()})
            return WrappedKey

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.move_wrapped_keys(Apps(), editor)
    migration.move_wrapped_keys(Apps(), editor)  # safe to run again
    held = keystore.store().get_many([str(r[0]) for r in rows])
    assert {k: (v.kek_id, v.wrapped) for k, v in held.items()} == {
        str(i): (k, w) for i, k, w in rows
    }
