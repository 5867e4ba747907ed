"""Someone with the database alone cannot rewrite the audit chain unseen (security finding 3).

Each attack is plain SQL, run around the append-only guard the way a database administrator
would: on PostgreSQL as a replica (`session_replication_role` skips ordinary triggers), on
SQLite by dropping the triggers and re-creating them afterwards. The attacker knows the code,
so forged hashes are computed exactly as Salama computes them, only without the audit key.
`salama audit verify` must find each attack, fail, and name the entries concerned.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from salama.core import audit
from salama.core.crypto import generate_key_text
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db


# The attacker's tools -------------------------------------------------------------------------


@contextmanager
def guard_lifted() -> Iterator[Any]:
    """A cursor on which UPDATE and DELETE of audit rows are no longer refused."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditentry'"
            )
            triggers = cursor.fetchall()
            assert {name for name, _ in triggers} == {
                "core_auditentry_no_update",
                "core_auditentry_no_delete",
            }
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                yield cursor
            finally:
                for _, sql in triggers:
                    cursor.execute(sql)


def unkeyed(entry: AuditEntry) -> str:
    return hashlib.sha256(audit.entry_payload(entry)).hexdigest()


def wrongly_keyed(entry: AuditEntry) -> str:
    return hmac.new(b"not the audit key" * 2, audit.entry_payload(entry), "sha256").hexdigest()


def move_head(cursor: Any, entry_id: int, entry_hash: str) -> None:
    cursor.execute(
        "UPDATE core_audithead SET last_id = %s, last_hash = %s WHERE id = 1",
        [entry_id, entry_hash],
    )


def insert_row(cursor: Any, entry: AuditEntry) -> None:
    """INSERT one audit row in SQL (no guard refuses INSERT: appending is the chain's job)."""
    fields = [f for f in AuditEntry._meta.concrete_fields]
    columns = ", ".join(f.column for f in fields)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    # Column names come from the model, values are parameters.
    cursor.execute(f"INSERT INTO core_auditentry ({columns}) VALUES ({placeholders})", values)  # noqa: S608


def forged_entry(entry_id: int, prev_hash: str, *, version: int, key_id: str) -> AuditEntry:
    return AuditEntry(
        id=entry_id,
        created_at=timezone.now(),
        actor_label="dba",
        action="person.view",
        object_type="people.person",
        object_id="innocent",
        fields=[],
        changes={},
        prev_hash=prev_hash,
        chain_version=version,
        key_id=key_id,
    )


def rechain(cursor: Any, first_id: int, rehash: Any, *, version: int | None = None) -> str:
    """Recompute the links and hashes of every entry from `first_id` on; move the head."""
    prev = AuditEntry.objects.get(pk=first_id - 1).hash if first_id > 1 else audit.GENESIS_HASH
    for entry in AuditEntry.objects.filter(id__gte=first_id).order_by("id"):
        entry.prev_hash = prev
        if version is not None:
            entry.chain_version = version
        entry.hash = rehash(entry)
        cursor.execute(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s, chain_version = %s "
            "WHERE id = %s",
            [entry.prev_hash, entry.hash, entry.chain_version, entry.id],
        )
        prev = entry.hash
        last = entry
    move_head(cursor, last.id, last.hash)
    return prev


# Helpers of the defender ----------------------------------------------------------------------


def record_some(count: int) -> list[AuditEntry]:
    return [
        audit.record("test.action", object_type="test.thing", object_id=str(n))
        for n in range(count)
    ]


def verify(*args: str) -> tuple[bool, str, str]:
    """Run `salama audit verify`: (passed, stdout, stderr with the error message)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def anchor() -> str:
    out = StringIO()
    call_command("audit", "anchor", stdout=out, stderr=StringIO())
    return out.getvalue()


def anchor_file() -> Path:
    return Path(settings.SALAMA_AUDIT_ANCHOR)


def anchor_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in anchor_file().read_text().splitlines()]


def chain_alone_verifies() -> bool:
    """What `verify` concluded before anchors existed: the chain checked against itself."""
    return not list(audit.iter_problems(anchor_path=anchor_file().with_name("no-anchors")))


# An untouched chain ---------------------------------------------------------------------------


def test_an_untouched_chain_verifies_against_every_anchor() -> None:
    record_some(4)
    anchor()
    entries = record_some(3)
    anchor()
    record_some(1)

    passed, out, err = verify()

    assert passed, err
    assert f"Audit chain intact: 8 entries, head {AuditEntry.objects.last().hash}." in out
    assert f"Entries 1..8: HMAC under audit key {audit.keyring().current_id} (current)." in out
    assert "Anchors: 2 in" in out and f"records entry {entries[-1].id}." in out
    assert "Entries 8..8 were written after the newest anchor." in out


def test_every_new_entry_is_an_hmac_under_the_audit_key() -> None:
    (entry,) = record_some(1)
    key = audit.keyring().keys[audit.keyring().current_id]
    assert (entry.chain_version, entry.key_id) == (2, audit.keyring().current_id)
    assert entry.hash == hmac.new(key, audit.entry_payload(entry), "sha256").hexdigest()
    assert entry.hash != unkeyed(entry)


# (a) Cutting the chain back -------------------------------------------------------------------


def test_deleting_the_newest_entries_and_moving_the_head_back_is_detected() -> None:
    entries = record_some(10)
    anchor()
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [7])
        move_head(cursor, 7, entries[6].hash)
    assert chain_alone_verifies()  # consistent in itself: only the anchor knows

    passed, _, err = verify()

    assert not passed
    assert "audit entry 8: entries 8..10 were removed: the anchor of" in err
    assert "records entry 10, but the chain ends at entry 7" in err
    assert "first broken entry is 8." in err


def test_cutting_back_and_writing_new_entries_over_the_gap_is_detected() -> None:
    record_some(6)
    anchor()
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [3])
        move_head(cursor, 3, AuditEntry.objects.get(pk=3).hash)
    record_some(4)  # the application carries on; ids 4..7 are new entries

    passed, _, err = verify()

    assert not passed
    assert "audit entry 6: hash differs from the anchor of" in err
    assert "first broken entry is 6." in err


def test_anchoring_refuses_to_vouch_for_a_chain_cut_back_since_the_last_anchor() -> None:
    entries = record_some(5)
    anchor()
    before = anchor_file().read_bytes()
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id > %s", [3])
        move_head(cursor, 3, entries[2].hash)

    err = StringIO()
    with pytest.raises(CommandError, match="Not anchored"):
        call_command("audit", "anchor", stdout=StringIO(), stderr=err)

    assert "entries 4..5 were removed" in err.getvalue()
    assert anchor_file().read_bytes() == before


# (b) Appending a forged entry -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "key_id", "rehash", "reason"),
    [
        (2, "current", unkeyed, "content does not match its hash"),
        (2, "current", wrongly_keyed, "content does not match its hash"),
        (2, "0123456789abcdef", wrongly_keyed, "signed with audit key 0123456789abcdef"),
        (1, "", unkeyed, "unkeyed (legacy SHA-256) entry after keyed entry 1"),
    ],
    ids=["unkeyed", "wrongly-keyed", "own-key-id", "as-a-legacy-entry"],
)
def test_a_forged_entry_appended_with_a_recomputed_hash_is_detected(
    version: int, key_id: str, rehash: Any, reason: str
) -> None:
    entries = record_some(10)
    anchor()
    key_id = audit.keyring().current_id if key_id == "current" else key_id
    forged = forged_entry(11, entries[-1].hash, version=version, key_id=key_id)
    forged.hash = rehash(forged)
    with connection.cursor() as cursor:
        insert_row(cursor, forged)
        move_head(cursor, 11, forged.hash)

    passed, _, err = verify()

    assert not passed
    assert f"audit entry 11: {reason}" in err
    assert "first broken entry is 11." in err


def test_anchoring_refuses_to_vouch_for_a_forged_entry() -> None:
    entries = record_some(3)
    anchor()
    forged = forged_entry(4, entries[-1].hash, version=2, key_id=audit.keyring().current_id)
    forged.hash = unkeyed(forged)
    with connection.cursor() as cursor:
        insert_row(cursor, forged)
        move_head(cursor, 4, forged.hash)

    with pytest.raises(CommandError, match="Not anchored"):
        call_command("audit", "anchor", stdout=StringIO(), stderr=StringIO())
    assert len(anchor_lines()) == 1


# (c) Editing an entry and re-chaining everything after it --------------------------------------


ALTERED = "content does not match its hash (entry was altered, or forged without the audit key)"
DOWNGRADED = (
    "unkeyed (legacy SHA-256) entry after keyed entry 1: forged or downgraded by someone "
    "without the audit key"
)


@pytest.mark.parametrize(
    ("rehash", "version", "reason"),
    [(unkeyed, None, ALTERED), (wrongly_keyed, None, ALTERED), (unkeyed, 1, DOWNGRADED)],
    ids=["unkeyed", "wrongly-keyed", "downgraded-to-legacy"],
)
def test_editing_an_entry_and_rechaining_the_rest_is_detected_at_that_entry(
    rehash: Any, version: int | None, reason: str
) -> None:
    record_some(10)
    anchor()
    with guard_lifted() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.nothing", 5])
        rechain(cursor, 5, rehash, version=version)

    passed, _, err = verify()
    assert not passed
    assert err.splitlines()[0] == f"audit entry 5: {reason}"
    assert "… and 6 more (entry 6, entry 7, entry 8, entry 9, entry 10, …)" in err
    assert "first broken entry is 5." in err

    passed, _, err = verify("--all")
    assert not passed
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines[:6]] == [f"audit entry {n}" for n in range(5, 11)]
    assert "audit entry 10: hash differs from the anchor of" in err


def test_rewriting_the_whole_chain_as_legacy_entries_is_caught_by_the_anchor() -> None:
    record_some(10)
    anchor()
    with guard_lifted() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.nothing", 5])
        rechain(cursor, 1, unkeyed, version=1)
    assert chain_alone_verifies()  # a consistent legacy chain, as the old code wrote them

    passed, _, err = verify()

    assert not passed
    assert "audit entry 10: hash differs from the anchor of" in err
    assert "this entry or one before it was rewritten and the chain re-forged" in err


def test_the_last_matching_anchor_narrows_down_where_a_legacy_rewrite_happened() -> None:
    record_some(4)
    anchor()
    record_some(4)
    anchor()
    with guard_lifted() as cursor:
        rechain(cursor, 6, unkeyed, version=1)

    passed, _, err = verify("--all")

    assert not passed
    assert "audit entry 8: hash differs from the anchor of" in err
    assert "this entry or one before it after entry 4 was rewritten" in err


# Legacy entries and keys -----------------------------------------------------------------------


def write_legacy_chain(count: int) -> None:
    """Entries as the code before the keyed chain wrote them (version 1, plain SHA-256)."""
    prev = audit.GENESIS_HASH
    with connection.cursor() as cursor:
        for n in range(1, count + 1):
            entry = forged_entry(n, prev, version=1, key_id="")
            entry.hash = unkeyed(entry)
            insert_row(cursor, entry)
            prev = entry.hash
        move_head(cursor, count, prev)


def test_entries_written_before_the_chain_was_keyed_still_verify() -> None:
    write_legacy_chain(3)
    record_some(2)

    passed, out, err = verify()

    assert passed, err
    assert "Entries 1..3: unkeyed SHA-256 (written before the chain was keyed)." in out
    assert "Entries 4..5: HMAC under audit key" in out


def test_a_rewritten_legacy_entry_shows_at_the_first_keyed_entry_after_it() -> None:
    write_legacy_chain(3)
    record_some(2)
    with guard_lifted() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.nothing", 2])
        entry = AuditEntry.objects.get(pk=2)
        cursor.execute("UPDATE core_auditentry SET hash = %s WHERE id = 2", [unkeyed(entry)])
        entry3 = AuditEntry.objects.get(pk=3)
        entry3.prev_hash = unkeyed(entry)
        cursor.execute(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = 3",
            [entry3.prev_hash, unkeyed(entry3)],
        )

    passed, _, err = verify()

    assert not passed
    assert "audit entry 4: previous-hash link does not match the entry before" in err


def test_entries_and_anchors_signed_by_a_retired_audit_key_still_verify(settings) -> None:
    record_some(3)
    anchor()
    old_id = audit.keyring().current_id
    settings.SALAMA_AUDIT_KEY_RETIRED = [settings.SALAMA_AUDIT_KEY]
    settings.SALAMA_AUDIT_KEY = generate_key_text()
    record_some(2)
    anchor()

    passed, out, err = verify()

    assert passed, err
    assert f"Entries 1..3: HMAC under audit key {old_id} (retired)." in out
    assert f"Entries 4..5: HMAC under audit key {audit.keyring().current_id} (current)." in out
    assert [line["key"] for line in anchor_lines()] == [old_id, audit.keyring().current_id]


def test_an_entry_signed_by_an_audit_key_no_longer_held_is_reported(settings) -> None:
    record_some(2)
    old_id = audit.keyring().current_id
    settings.SALAMA_AUDIT_KEY = generate_key_text()

    passed, _, err = verify()

    assert not passed
    assert f"audit entry 1: signed with audit key {old_id}, which this server does not hold" in err


# The anchor file is append-only history --------------------------------------------------------


def test_each_anchor_appends_a_signed_line_that_follows_the_one_before() -> None:
    record_some(3)
    assert "Anchored entry 3" in anchor()
    first = anchor_file().read_bytes()
    record_some(2)
    anchor()

    assert anchor_file().read_bytes().startswith(first)
    lines = anchor_lines()
    assert [line["seq"] for line in lines] == [3, 5]
    assert lines[0]["prev"] == "" and lines[1]["prev"] == lines[0]["mac"]
    assert lines[1]["hash"] == AuditEntry.objects.get(pk=5).hash
    assert {"at", "key", "mac"} <= set(lines[1])


def test_anchoring_an_unchanged_head_writes_nothing() -> None:
    record_some(2)
    anchor()
    assert "Head unchanged since the anchor of" in anchor()
    assert len(anchor_lines()) == 1


def test_the_anchor_file_is_only_ever_opened_for_appending(monkeypatch) -> None:
    opened: list[int] = []
    real_open = os.open

    def spy(path: Any, flags: int, *args: Any) -> int:
        if str(path) == str(anchor_file()):
            opened.append(flags)
        return real_open(path, flags, *args)

    monkeypatch.setattr(audit.os, "open", spy)
    record_some(1)
    anchor()
    record_some(1)
    anchor()

    assert len(opened) == 2
    assert all(flags & os.O_APPEND and not flags & os.O_TRUNC for flags in opened)


def rewrite_anchor_file(lines: list[str]) -> None:
    anchor_file().write_text("".join(line + "\n" for line in lines))


def test_an_edited_anchor_line_is_detected() -> None:
    record_some(3)
    anchor()
    record_some(2)
    anchor()
    lines = anchor_file().read_text().splitlines()
    edited = json.loads(lines[1])
    edited["seq"], edited["hash"] = 3, AuditEntry.objects.get(pk=3).hash
    rewrite_anchor_file([lines[0], json.dumps(edited)])

    passed, _, err = verify()

    assert not passed
    assert "anchor file line 2: signature does not match" in err
    assert "first problem is in anchor file line 2." in err


def test_a_removed_anchor_line_is_detected() -> None:
    for _ in range(3):
        record_some(2)
        anchor()
    lines = anchor_file().read_text().splitlines()
    rewrite_anchor_file([lines[0], lines[2]])

    passed, _, err = verify()

    assert not passed
    assert "anchor file line 2: does not follow the line before it" in err


def test_an_anchor_line_signed_without_the_audit_key_is_detected() -> None:
    entries = record_some(2)
    anchor()
    last = anchor_lines()[-1]
    fake = {**last, "seq": 1, "hash": entries[0].hash, "prev": last["mac"], "mac": "0" * 64}
    with anchor_file().open("a") as handle:
        handle.write(json.dumps(fake) + "\n")

    passed, _, err = verify()

    assert not passed
    assert "anchor file line 2: signature does not match" in err
    refusal = StringIO()
    with pytest.raises(CommandError, match="Not anchored"):
        call_command("audit", "anchor", stdout=StringIO(), stderr=refusal)
    assert "anchor file line 2: is the last anchor and does not verify" in refusal.getvalue()


def test_verify_without_an_anchor_file_passes_and_says_what_it_cannot_see() -> None:
    record_some(2)

    passed, out, _ = verify()

    assert passed
    assert "No anchors in" in out and "removal of the newest entries cannot be detected" in out
    assert not anchor_file().exists()


def test_verify_requiring_anchors_fails_when_the_anchor_file_was_deleted() -> None:
    record_some(2)
    anchor()
    anchor_file().unlink()

    passed, _, err = verify("--require-anchors")

    assert not passed
    assert "No anchors in" in err and "yet the chain has 2 entries" in err


def test_an_anchor_is_also_sent_to_syslog(settings, tmp_path) -> None:
    address = str(tmp_path / "log")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(10)  # only ever reached when the anchor was not sent
        settings.SALAMA_AUDIT_ANCHOR_SYSLOG = address
        record_some(2)
        anchor()
        message = server.recv(4096).decode()

    assert message.startswith("<37>salama-audit: anchor {")
    assert json.loads(message.split("anchor ", 1)[1]) == anchor_lines()[0]


def test_a_refused_anchor_is_reported_to_syslog(settings, tmp_path) -> None:
    address = str(tmp_path / "log")
    entries = record_some(4)
    anchor()
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [4])
        move_head(cursor, 3, entries[2].hash)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(address)
        server.settimeout(10)  # only ever reached when nothing was sent
        settings.SALAMA_AUDIT_ANCHOR_SYSLOG = address
        with pytest.raises(CommandError, match="Not anchored"):
            call_command("audit", "anchor", stdout=StringIO(), stderr=StringIO())
        message = server.recv(4096).decode()

    assert message.startswith("<37>salama-audit: REFUSED to anchor: entry 4: entries 4..4 were")


def test_writes_anchor_the_head_after_commit_at_most_once_per_interval(
    settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    settings.SALAMA_AUDIT_ANCHOR_INTERVAL = 60
    monkeypatch.setattr(audit, "_next_anchor_at", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        record_some(2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_some(1)
    assert callbacks == []  # within the interval nothing is even scheduled
    assert [line["seq"] for line in anchor_lines()] == [2]

    monkeypatch.setattr(audit, "_next_anchor_at", 0.0)  # the interval has passed
    with django_capture_on_commit_callbacks(execute=True):
        record_some(1)
    assert [line["seq"] for line in anchor_lines()] == [2, 4]


def test_a_refused_anchor_after_commit_is_logged_and_the_write_stands(
    settings, monkeypatch, django_capture_on_commit_callbacks, caplog
) -> None:
    entries = record_some(3)
    anchor()
    with guard_lifted() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [3])
        move_head(cursor, 2, entries[1].hash)
    settings.SALAMA_AUDIT_ANCHOR_INTERVAL = 60
    monkeypatch.setattr(audit, "_next_anchor_at", 0.0)

    with django_capture_on_commit_callbacks(execute=True):
        entry = audit.record("test.after")

    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert "audit chain not anchored, it contradicts its anchors" in caplog.text
    assert len(anchor_lines()) == 1


# The guard in the database ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM core_auditentry WHERE id = 1",
        "DELETE FROM core_auditentry",
        "UPDATE core_auditentry SET action = 'test.nothing' WHERE id = 1",
    ]
    # SQLite has no TRUNCATE (an unqualified DELETE is its equivalent, refused above).
    + (["TRUNCATE core_auditentry"] if connection.vendor == "postgresql" else []),
)
def test_the_database_refuses_to_change_or_delete_audit_rows(sql: str) -> None:
    record_some(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 2


def test_verify_warns_when_a_guard_trigger_was_removed() -> None:
    record_some(1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")

    passed, out, _ = verify()

    assert passed  # nothing was changed (yet)
    name = "no_update" if connection.vendor == "postgresql" else "no_delete"
    assert f"Warning: the database trigger core_auditentry_{name} is missing or disabled" in out
