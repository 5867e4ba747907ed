"""`salama backup`, `salama restore` and the drill, on whichever engine the suite runs on.

CI runs the whole suite on SQLite and on PostgreSQL, so each test here exercises both: on
SQLite the test database is a file, copied with the online backup API and swapped in by a
rename; on PostgreSQL it is dumped with pg_dump and restored with pg_restore.
"""

from __future__ import annotations

import base64
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from conftest import principal
from salama.accounts.models import Organisation
from salama.core import audit
from salama.core.backup import databases
from salama.core.backup.archive import ArchiveError, DecryptingReader, key_id_for
from salama.core.backup.operations import create_backup, drill, restore
from salama.core.crypto import generate_key_text
from salama.core.models import AuditEntry, AuditHead
from salama.people import services as people
from salama.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)  # dumps see committed rows only


@pytest.fixture
def site(settings: Any, tmp_path: Path) -> Path:
    """Attachments and a backup key of this test's own; returns a folder for archives."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SALAMA_BACKUP_KEY = generate_key_text()
    (tmp_path / "archives").mkdir()
    (tmp_path / "work").mkdir()
    return tmp_path


def attach(site: Path, name: str, data: bytes) -> None:
    path = site / "media" / "encrypted" / "2026" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def media_files(site: Path) -> dict[str, bytes]:
    root = site / "media"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def live_facts() -> dict[str, Any]:
    connection.close()  # a restore swapped the database under this connection
    with connection.cursor() as cursor:
        return databases.facts(cursor, connection.vendor)


def state(site: Path, settings: Any) -> dict[str, Any]:
    anchors = Path(settings.SALAMA_AUDIT_ANCHOR)
    return {
        "facts": live_facts(),
        "media": media_files(site),
        "anchors": anchors.read_bytes() if anchors.exists() else None,
    }


def populate(caseworker: Any, site: Path) -> Person:
    person = people.register_person(actor=principal(caseworker), given_name="Zainab")
    attach(site, "one.bin", b"sealed attachment one" * 100)
    attach(site, "two.bin", bytes(range(256)) * 50)
    audit.anchor()
    return person


def test_a_round_trip_restores_identical_counts_files_and_audit_head(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    before = state(site, settings)
    archive = site / "archives" / "one.salama"

    manifest = create_backup(archive)
    # Life goes on after the backup: a new person, a lost attachment, a new anchor.
    people.register_person(actor=principal(caseworker_a), given_name="Later")
    (site / "media" / "encrypted" / "2026" / "one.bin").unlink()
    attach(site, "three.bin", b"added after the backup")
    audit.anchor()

    outcome = restore(archive, work_dir=site / "work")

    assert outcome.check.ok, outcome.check.problems
    after = state(site, settings)
    assert after["media"] == before["media"]
    assert after["anchors"] == before["anchors"]
    recorded = manifest["databases"]["default"]
    # The restore appends its own audit entry to the restored chain, right after the archive's head.
    head = AuditHead.objects.get(pk=1)
    restored_entry = AuditEntry.objects.get(pk=head.last_id)
    assert restored_entry.action == "backup.restore"
    assert restored_entry.id == recorded["audit_head"]["id"] + 1
    assert restored_entry.prev_hash == recorded["audit_head"]["hash"]
    counts = dict(after["facts"]["tables"])
    counts["core_auditentry"] -= 1
    assert counts == recorded["tables"]
    assert recorded["tables"] == before["facts"]["tables"]
    assert after["facts"]["migrations"] == before["facts"]["migrations"]
    assert [p.given_name for p in Person.objects.all()] == ["Zainab"]
    assert audit.verify() is None


def test_the_backup_is_audited_as_the_system_and_names_no_secret(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"

    manifest = create_backup(archive)

    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "backup.create"
    assert entry.actor_id is None and entry.actor_label == "system"
    assert entry.changes["audit_head"] == [
        None,
        manifest["databases"]["default"]["audit_head"]["id"],
    ]
    plain = decrypt(archive)
    for secret in (settings.SALAMA_KEK, settings.SALAMA_AUDIT_KEY, settings.SALAMA_BACKUP_KEY):
        key = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
        assert secret.encode() not in plain and key not in plain
    assert b"Zainab" not in plain  # identifying fields stay sealed inside the dump
    assert b"Zainab" not in archive.read_bytes()


def decrypt(archive: Path) -> bytes:
    from salama.core.backup.archive import backup_key

    with archive.open("rb") as handle:
        return DecryptingReader(handle, backup_key()).read()


def corrupt_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def corrupt_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])


def corrupt_append(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\0" * 64)


def corrupt_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[30] ^= 0x01  # inside the salt: every chunk's additional data changes
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage, message",
    [
        (corrupt_flip, "altered or damaged"),
        (corrupt_truncate, "truncated"),
        (corrupt_append, "after its final chunk"),
        (corrupt_header, "altered or damaged"),
    ],
)
def test_a_damaged_archive_is_refused_and_changes_nothing(
    caseworker_a, site, settings, damage, message
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    create_backup(archive)
    people.register_person(actor=principal(caseworker_a), given_name="Later")
    before = state(site, settings)
    damage(archive)

    with pytest.raises(ArchiveError, match=message):
        restore(archive, work_dir=site / "work")

    assert state(site, settings) == before
    assert list((site / "work").iterdir()) == []


def test_an_archive_sealed_under_another_backup_key_is_refused_and_changes_nothing(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    create_backup(archive)
    made_with = key_id_for(base64.urlsafe_b64decode(settings.SALAMA_BACKUP_KEY))
    before = state(site, settings)
    settings.SALAMA_BACKUP_KEY = generate_key_text()

    with pytest.raises(CommandError, match=f"sealed under backup key {made_with}"):
        call_command("restore", str(archive), "--yes", work_dir=site / "work")

    assert state(site, settings) == before


def forge_an_entry() -> None:
    """Append an entry whose hash is not an HMAC under the audit key: what a DBA without the
    key could do. The chain no longer verifies."""
    head = AuditHead.objects.get(pk=1)
    AuditEntry.objects.create(
        id=head.last_id + 1,
        created_at=timezone.now(),
        action="person.delete",
        object_type="people.person",
        object_id="forged",
        fields=[],
        changes={},
        prev_hash=head.last_hash,
        chain_version=audit.KEYED_CHAIN,
        key_id=audit.keyring().current_id,
        hash="f" * 64,
    )
    AuditHead.objects.filter(pk=1).update(last_id=head.last_id + 1, last_hash="f" * 64)


def test_an_archive_whose_audit_chain_does_not_verify_is_refused_and_changes_nothing(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    forge_an_entry()
    archive = site / "archives" / "forged.salama"
    create_backup(archive)
    Organisation.objects.create(name="After", org_type="NGO", country="JO", reference_prefix="AF")
    before = state(site, settings)

    with pytest.raises(CommandError, match="audit chain does not verify"):
        call_command("restore", str(archive), "--yes", work_dir=site / "work")

    assert state(site, settings) == before
    assert Organisation.objects.filter(name="After").exists()
    with pytest.raises(CommandError, match="Drill failed"):
        call_command("restore", str(archive), "--drill", work_dir=site / "work")


def scratch_databases() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'salama_drill_%%'")
        return [row[0] for row in cursor.fetchall()]


def test_the_drill_passes_on_a_good_archive_and_leaves_nothing_behind(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    create_backup(archive)
    before = state(site, settings)
    drills_before = scratch_databases()
    out = io.StringIO()

    call_command("restore", str(archive), "--drill", work_dir=site / "work", stdout=out)

    text = out.getvalue()
    assert "Drill passed" in text
    assert "people_person" in text and "audit chain and anchors" in text
    assert " NO" not in text
    assert list((site / "work").iterdir()) == []
    assert scratch_databases() == drills_before
    assert not [c.alias for c in connections.all() if c.alias.startswith("salama_scratch")]
    assert state(site, settings) == before


def test_the_upgrade_check_migrates_a_copy_and_reports_the_time(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    create_backup(archive)
    drills_before = scratch_databases()
    out = io.StringIO()

    call_command("upgrade_check", str(archive), work_dir=site / "work", stdout=out)

    assert "Upgrade check passed" in out.getvalue()
    assert "audit chain after migrate" in out.getvalue()
    assert scratch_databases() == drills_before


def test_the_drill_compares_the_restored_copy_with_the_manifest(
    caseworker_a, site, settings
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    manifest = create_backup(archive)

    outcome = drill(archive, work_dir=site / "work")

    assert outcome.check.ok
    compared = {row[0]: row for row in outcome.check.rows}
    persons = manifest["databases"]["default"]["tables"]["people_person"]
    assert compared["people_person"] == ("people_person", str(persons), str(persons), True)
    assert compared["audit head"][3] is True


def test_restore_asks_for_confirmation_when_not_told_yes(caseworker_a, site, settings) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    create_backup(archive)

    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", str(archive), work_dir=site / "work")


def test_backup_refuses_to_overwrite_an_archive(caseworker_a, site) -> None:
    archive = site / "archives" / "one.salama"
    archive.write_bytes(b"an older archive")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=archive)

    assert archive.read_bytes() == b"an older archive"


def test_the_archive_is_a_tar_of_the_database_the_anchors_the_attachments_and_a_manifest(
    caseworker_a, site
) -> None:
    populate(caseworker_a, site)
    archive = site / "archives" / "one.salama"
    create_backup(archive)

    with tarfile.open(fileobj=io.BytesIO(decrypt(archive))) as tar:
        names = tar.getnames()

    database = (
        "database/default.sqlite3" if connection.vendor == "sqlite" else ("database/default.pgdump")
    )
    assert names == [
        database,
        "anchors/audit-anchors.jsonl",
        "media/encrypted/2026/one.bin",
        "media/encrypted/2026/two.bin",
        "manifest.json",
    ]
