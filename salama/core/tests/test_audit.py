"""The audit chain: hash-chained, append-only, and `salama audit verify` names the first break."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from salama.core import audit
from salama.core.models import AuditEntry, AuditHead
from salama.core.policy import Principal
from salama.people import services as people
from salama.people.choices import DocumentType, NameKind
from salama.people.models import Person

pytestmark = pytest.mark.django_db


def record_some(count: int) -> list[AuditEntry]:
    return [
        audit.record(f"test.action{n}", object_type="test.thing", object_id=str(n))
        for n in range(count)
    ]


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def as_attacker(sql: str, params: list[object]) -> None:
    """Run SQL the way someone with database access would: around the append-only trigger.

    Both engines roll the trigger change back with the test's transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")
        cursor.execute(sql, params)


def test_record_chains_each_entry_to_the_one_before() -> None:
    first, second, third = record_some(3)
    assert (first.id, second.id, third.id) == (1, 2, 3)
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    for entry in AuditEntry.objects.all():
        assert audit.entry_hash(entry) == entry.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (3, third.hash)


def test_record_takes_actor_organisation_and_address_from_the_request(caseworker_a, ngo_a) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.organisation = ngo_a
    entry = audit.record("person.view", actor=caseworker_a, obj=ngo_a, request=request)
    assert entry.actor_id == caseworker_a.pk
    assert entry.actor_label == "caseworker@a.example"
    assert entry.organisation_id == ngo_a.pk
    assert (entry.object_type, entry.object_id) == ("accounts.organisation", str(ngo_a.uuid))
    assert entry.ip == "192.0.2.7"


def test_an_ipv6_address_is_stored_as_it_was_hashed() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="2001:0DB8:0000:0000:0000:0000:0000:0001")
    audit.record("auth.login_failed", request=request)
    assert AuditEntry.objects.get().ip == "2001:db8::1"
    assert "Audit chain intact: 1 entries" in verify()


def test_audit_verify_passes_on_a_fresh_database() -> None:
    assert "Audit chain intact: 0 entries" in verify()


def test_audit_verify_passes_after_some_entries() -> None:
    entries = record_some(4)
    assert f"Audit chain intact: 4 entries, head {entries[-1].hash}." in verify()


def test_audit_verify_names_the_entry_edited_in_sql() -> None:
    entries = record_some(5)
    as_attacker(
        "UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.innocent", entries[2].id]
    )
    with pytest.raises(CommandError, match=f"first broken entry is {entries[2].id}\\."):
        verify()


def test_audit_verify_reports_what_is_wrong_with_the_edited_entry() -> None:
    entries = record_some(3)
    as_attacker("UPDATE core_auditentry SET object_id = %s WHERE id = %s", ["x", entries[1].id])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"audit entry {entries[1].id}: content does not match its hash" in err.getvalue()


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = record_some(4)
    forged = AuditEntry.objects.get(pk=entries[1].id)
    forged.action = "test.innocent"
    as_attacker(
        "UPDATE core_auditentry SET action = %s, hash = %s WHERE id = %s",
        [forged.action, audit.entry_hash(forged), forged.id],
    )
    assert audit.verify() == audit.ChainProblem(
        entries[2].id, "previous-hash link does not match the entry before"
    )
    with pytest.raises(CommandError, match=f"first broken entry is {entries[2].id}\\."):
        verify()


def test_audit_verify_detects_a_deleted_middle_entry() -> None:
    entries = record_some(5)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].id])
    as_attacker("DELETE FROM core_auditentry WHERE id = %s", [entries[2].id])
    assert audit.verify() == audit.ChainProblem(entries[3].id, "entries 3..3 are missing")
    with pytest.raises(CommandError, match=f"first broken entry is {entries[3].id}\\."):
        verify()


def test_audit_verify_detects_a_deleted_newest_entry_through_the_head() -> None:
    entries = record_some(3)
    as_attacker("DELETE FROM core_auditentry WHERE id = %s", [entries[2].id])
    with pytest.raises(CommandError, match="first broken entry is 3\\."):
        verify()


def test_audit_verify_all_lists_every_break() -> None:
    entries = record_some(5)
    for entry in (entries[1], entries[3]):
        as_attacker("UPDATE core_auditentry SET action = %s WHERE id = %s", ["x", entry.id])
    err = StringIO()
    with pytest.raises(CommandError, match="first broken entry is 2\\."):
        call_command("audit", "verify", "--all", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "audit entry 2: content does not match its hash "
        "(entry was altered, or forged without the audit key)",
        "audit entry 4: content does not match its hash "
        "(entry was altered, or forged without the audit key)",
    ]


def test_audit_verify_detects_a_deleted_head() -> None:
    record_some(2)
    AuditHead.objects.all().delete()
    with pytest.raises(CommandError, match="first broken entry is 2\\."):
        verify()


def test_record_recreates_the_head_of_an_empty_flushed_chain() -> None:
    AuditHead.objects.all().delete()
    entry = audit.record("test.first")
    assert (entry.id, entry.prev_hash) == (1, audit.GENESIS_HASH)
    assert "Audit chain intact: 1 entries" in verify()


def test_record_refuses_to_continue_a_chain_whose_head_is_missing() -> None:
    record_some(2)
    AuditHead.objects.all().delete()
    with pytest.raises(RuntimeError, match="audit head is missing"):
        audit.record("test.third")
    assert AuditEntry.objects.count() == 2


def test_audit_head_prints_the_newest_entry() -> None:
    entries = record_some(2)
    out = StringIO()
    call_command("audit", "head", stdout=out)
    assert out.getvalue().strip() == f"2 {entries[-1].hash}"


def test_the_database_refuses_to_update_an_audit_row() -> None:
    (entry,) = record_some(1)
    with pytest.raises(DatabaseError, match="audit entries are append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.innocent")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action0"


def test_saving_an_existing_audit_entry_raises() -> None:
    (entry,) = record_some(1)
    entry.action = "test.innocent"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    fetched = AuditEntry.objects.get(pk=entry.pk)
    with pytest.raises(ValueError, match="append-only"):
        fetched.save()


def test_deleting_an_audit_entry_raises() -> None:
    (entry,) = record_some(1)
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists() is True


def test_diff_leaves_out_identifying_fields(ngo_a) -> None:
    before = {"name": ngo_a.name, "country": ngo_a.country, "retention_days": ngo_a.retention_days}
    ngo_a.name, ngo_a.country = "Secret Shelter", "KE"
    changes = audit.diff(ngo_a, before, identifying=["name"])
    assert changes == {"country": ("JO", "KE")}


def test_diff_leaves_out_unchanged_fields(ngo_a) -> None:
    assert audit.diff(ngo_a, {"name": ngo_a.name, "country": ngo_a.country}) == {}


def test_identifying_fields_are_recorded_by_name_only(ngo_a) -> None:
    before = {"name": ngo_a.name, "country": ngo_a.country}
    ngo_a.name, ngo_a.country = "Amira Haddad", "KE"
    entry = audit.record(
        "organisation.change",
        obj=ngo_a,
        fields=["name"],
        changes=audit.diff(ngo_a, before, identifying=["name"]),
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.fields == ["country", "name"]
    assert stored.changes == {"country": ["JO", "KE"]}
    assert "Amira" not in str(stored.changes)


def test_non_json_values_are_recorded_as_text_and_still_verify(ngo_a) -> None:
    audit.record("test.values", changes={"when": (None, ngo_a.created_at), "org": (None, ngo_a)})
    assert AuditEntry.objects.get().changes["org"] == [None, "NGO A"]
    assert "Audit chain intact: 1 entries" in verify()


def raw_dump() -> str:
    """Everything the database holds, as an attacker with a copy of it would see it."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    db = connection.settings_dict
    env = {**os.environ}
    for var, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    result = subprocess.run(
        ["pg_dump", "--no-owner", db["NAME"]], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only
def test_a_raw_database_dump_contains_no_plaintext_of_encrypted_fields(caseworker_a) -> None:
    secrets = {
        "given_name": "Qamarunnisa",
        "family_name": "زينبيةالحداد",
        "place_of_birth": "Tessalit-Kidal",
        "other_name": "Kamarounissa",
        "document": "ZX9081726354",
        "date_of_birth": "1987-11-23",
    }
    person = people.register_person(
        actor=Principal(
            user=caseworker_a, membership=caseworker_a.memberships.get(), verified=True
        ),
        given_name=secrets["given_name"],
        family_name=secrets["family_name"],
        place_of_birth=secrets["place_of_birth"],
        date_of_birth=dt.date(1987, 11, 23),
        other_names=[{"name": secrets["other_name"], "kind": NameKind.SPELLING}],
        documents=[
            people.DocumentInput(doc_type=DocumentType.PASSPORT, number=secrets["document"])
        ],
    )
    pk = Person._meta.pk.get_db_prep_value(person.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name FROM people_person WHERE id = %s", [pk])
        (ciphertext,) = cursor.fetchone()

    dump = raw_dump()

    assert ciphertext.startswith("v1:")
    assert ciphertext in dump  # the dump holds the person, sealed
    folded = dump.casefold()
    for name, value in secrets.items():
        assert value.casefold() not in folded, f"{name} appears in the dump"
    assert "19871123" not in dump


def test_bulk_delete_of_audit_entries_is_refused_by_the_orm(db) -> None:
    audit.record("test.one")
    with pytest.raises(ValueError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_float_changes_hash_the_same_after_a_database_round_trip(db) -> None:
    entry = audit.record("test.float", changes={"amount": (None, 1e16)})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert audit.entry_hash(stored) == stored.hash
