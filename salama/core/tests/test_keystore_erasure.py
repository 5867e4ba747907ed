"""An erasure reaches old backups: once the key store's short backup window has passed, a person
erased after a backup of the data cannot be read from that backup, while everyone else can.

These tests take a real copy of the data database (on SQLite the backup API, on PostgreSQL a copy
of the database), erase, let the key store's clock pass the window and prune its snapshots, then
put the old copy back in place of the data database, as a restore would.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from conftest import principal
from salama.core import crypto, keystore
from salama.core.models import _unwrap_cached
from salama.people.models import Person
from salama.people.services import erase_person, register_person

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    """The key store's clock, moved on by whole days."""

    def __init__(self) -> None:
        self.at = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.at

    def days_pass(self, days: int) -> None:
        self.at += dt.timedelta(days=days)


def back_up_data(tmp_path: Path) -> Callable[[], None]:
    """Copy the data database as a backup of the data holds it; returns the function that puts
    the copy back in its place (the restore)."""
    connection = connections["default"]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = tmp_path / "data-backup.sqlite3"
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)

        def restore_sqlite() -> None:
            connection.ensure_connection()
            with sqlite3.connect(copy) as source:
                source.backup(connection.connection)

        return restore_sqlite

    import psycopg

    name = connection.settings_dict["NAME"]
    copy_name = f"{name}_backup"
    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}

    def admin(*statements: str) -> None:
        connection.close()  # a database is copied or replaced only with nobody connected
        with psycopg.connect(**params) as admin_connection:
            for statement in statements:
                admin_connection.execute(statement)

    admin(
        f'DROP DATABASE IF EXISTS "{copy_name}"', f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"'
    )

    def restore_postgres() -> None:
        admin(
            f'DROP DATABASE "{name}"',
            f'CREATE DATABASE "{name}" TEMPLATE "{copy_name}"',
            f'DROP DATABASE "{copy_name}"',
        )

    return restore_postgres


def a_new_process() -> None:
    """Forget every unwrapped key and connection, as a server started after a restore would."""
    _unwrap_cached.cache_clear()
    for connection in connections.all():
        connection.close()


def readable(person_id: Any) -> bool:
    person = Person.objects.get(pk=person_id)
    try:
        person.given_name  # noqa: B018 (decrypting is the point)
    except (crypto.SubjectErased, crypto.DecryptionError):
        return False
    return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Clock:
    settings.SALAMA_KEYSTORE_BACKUP_DIR = tmp_path / "key-store-snapshots"
    settings.SALAMA_KEYSTORE_BACKUP_DAYS = 7
    clock = Clock()
    monkeypatch.setattr(keystore, "now", clock)
    return clock


@pytest.fixture
def erased_after_a_backup(supervisor_a: Any, clock: Clock, tmp_path: Path) -> dict[str, Any]:
    """Two persons registered; the data backed up and the key store snapshotted (day 0); then
    one of them erased."""
    actor = principal(supervisor_a)
    erased = register_person(actor=actor, given_name="Amina", family_name="Yusuf")
    kept = register_person(actor=actor, given_name="Samuel", family_name="Okoro")
    restore_old_data = back_up_data(tmp_path)
    first_snapshot = keystore.write_snapshot()
    erase_person(actor=actor, person=Person.objects.get(pk=erased.pk), reason="person_request")
    return {
        "erased": erased,
        "kept": kept,
        "restore_old_data": restore_old_data,
        "first_snapshot": first_snapshot,
    }


def nightly_backups_for(days: int, clock: Clock) -> None:
    for _ in range(days):
        clock.days_pass(1)
        call_command("keys", "backup", stdout=StringIO())


def test_an_erased_person_is_unreadable_in_an_old_data_backup_once_the_window_has_passed(
    erased_after_a_backup: dict[str, Any], clock: Clock
) -> None:
    world = erased_after_a_backup
    erased, kept = world["erased"], world["kept"]
    assert not readable(erased.pk)  # the live system, at once

    nightly_backups_for(8, clock)  # day 8: the day-0 snapshot is older than 7 days
    assert not world["first_snapshot"].exists()
    assert len(keystore.snapshots()) == 8  # days 1 to 8; day 1 is exactly 7 days old
    for _taken, path in keystore.snapshots():
        _created, held = keystore.read_snapshot(path)
        assert str(erased.data_key_id) not in {k.key_id for k in held}
        assert str(kept.data_key_id) in {k.key_id for k in held}

    world["restore_old_data"]()  # the old data backup, with the current key store
    a_new_process()
    old_erased = Person.objects.get(pk=erased.pk)
    assert old_erased.erased_at is None  # the backup predates the erasure...
    assert not old_erased.data_key.is_shredded
    with pytest.raises(crypto.SubjectErased):
        old_erased.given_name  # noqa: B018  ...but the key is gone
    assert Person.objects.get(pk=kept.pk).given_name == "Samuel"

    # The same old data backup with the newest key-store snapshot that still exists.
    newest = keystore.snapshots()[-1][1]
    call_command("keys", "restore", str(newest), stdout=StringIO())
    a_new_process()
    assert not readable(erased.pk)
    kept_again = Person.objects.get(pk=kept.pk)
    assert (kept_again.given_name, kept_again.family_name) == ("Samuel", "Okoro")


def test_within_the_window_an_old_data_backup_and_an_old_key_snapshot_read_the_erased_person(
    erased_after_a_backup: dict[str, Any], clock: Clock
) -> None:
    """The window, shown: until the day-0 snapshot is pruned, whoever holds it, the old data
    backup and the KEK can read the erased person again (docs/threat-model.md)."""
    world = erased_after_a_backup
    nightly_backups_for(6, clock)
    assert world["first_snapshot"].exists()

    world["restore_old_data"]()
    call_command("keys", "restore", str(world["first_snapshot"]), stdout=StringIO())
    a_new_process()
    assert Person.objects.get(pk=world["erased"].pk).given_name == "Amina"


def test_restoring_an_old_key_snapshot_under_current_data_does_not_undo_an_erasure(
    erased_after_a_backup: dict[str, Any],
) -> None:
    """A key store restored from a snapshot taken before an erasure destroys that key again,
    because the data database says it was shredded."""
    world = erased_after_a_backup
    call_command("keys", "restore", str(world["first_snapshot"]), stdout=StringIO())
    a_new_process()
    held = keystore.store().get_many([str(world["erased"].data_key_id)])
    assert held == {}
    assert not readable(world["erased"].pk)
    assert readable(world["kept"].pk)
