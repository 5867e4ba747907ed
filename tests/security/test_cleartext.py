"""No identifying value in clear: a fund's deposit note is sealed (security finding 6).

Ledger notes are about an organisation's money, not about a person, so they are encrypted under
the organisation's own data key; the data migration seals the notes written before.
"""

from __future__ import annotations

import importlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from salama.accounts.models import Organisation, User
from salama.assistance import services
from salama.assistance.models import Fund, FundMovement
from salama.assistance.tests.factories import make_fund, principal
from salama.core import crypto
from salama.core.models import DataKey

NOTE = "Tranche 3 from the Agadez shelter donor"
OLD_NOTE = "Tranche 1 paid by Hope Foundation, Niamey"

BEFORE = [("assistance", "0001_funds_and_items"), ("accounts", "0002_organisation_data_key")]
AFTER = [("assistance", "0003_encrypt_fund_movement_notes")]


def raw_notes() -> dict[int, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, note FROM assistance_fundmovement")
        return dict(cursor.fetchall())


def deposit(manager: User, fund: Fund, note: str) -> FundMovement:
    return services.deposit(actor=principal(manager), fund=fund, amount=Decimal(5), note=note)


@pytest.mark.django_db
def test_a_deposit_note_is_not_readable_in_a_raw_sql_read(org_admin_a: User) -> None:
    movement = deposit(org_admin_a, make_fund(org_admin_a, deposit=None), NOTE)
    stored = raw_notes()[movement.pk]
    assert stored.startswith(crypto.CIPHERTEXT_PREFIX)
    assert "Agadez" not in stored and "Tranche" not in stored
    assert FundMovement.objects.get(pk=movement.pk).note == NOTE


@pytest.mark.django_db
def test_a_deposit_note_is_not_readable_in_a_database_dump(org_admin_a: User) -> None:
    deposit(org_admin_a, make_fund(org_admin_a, deposit=None), NOTE)
    dump = io.StringIO()
    call_command("dumpdata", "assistance", stdout=dump)
    assert "Agadez" not in dump.getvalue() and crypto.CIPHERTEXT_PREFIX in dump.getvalue()


@pytest.mark.django_db
def test_a_movement_without_a_note_stores_null(org_admin_a: User) -> None:
    movement = deposit(org_admin_a, make_fund(org_admin_a, deposit=None), "  ")
    assert raw_notes()[movement.pk] is None
    assert FundMovement.objects.get(pk=movement.pk).note == ""


@pytest.mark.django_db
def test_notes_are_sealed_under_one_key_per_organisation(
    org_admin_a: User, org_admin_b: User, ngo_a: Organisation, ngo_b: Organisation
) -> None:
    assert ngo_a.data_key_id is None  # created on first use, not for every organisation
    deposit(org_admin_a, make_fund(org_admin_a, deposit=None), NOTE)
    deposit(org_admin_a, make_fund(org_admin_a, deposit=None, name="Second"), NOTE)
    deposit(org_admin_b, make_fund(org_admin_b, deposit=None), NOTE)
    ngo_a.refresh_from_db()
    ngo_b.refresh_from_db()
    assert ngo_a.data_key_id and ngo_b.data_key_id and ngo_a.data_key_id != ngo_b.data_key_id
    assert DataKey.objects.filter(pk__in=[ngo_a.data_key_id, ngo_b.data_key_id]).count() == 2


@pytest.mark.django_db
def test_two_requests_creating_the_organisation_key_end_up_with_the_same_one(
    ngo_a: Organisation,
) -> None:
    stale = Organisation.objects.get(pk=ngo_a.pk)  # loaded before the key existed
    first = ngo_a.get_data_key()
    keys_before = DataKey.objects.count()
    assert stale.get_data_key() == first
    assert stale.data_key_id == Organisation.objects.get(pk=ngo_a.pk).data_key_id
    assert DataKey.objects.count() == keys_before  # the loser's key was not left behind


@pytest.mark.django_db
def test_a_note_copied_onto_another_movement_does_not_open(org_admin_a: User) -> None:
    fund = make_fund(org_admin_a, deposit=None)
    first, second = deposit(org_admin_a, fund, NOTE), deposit(org_admin_a, fund, "Other")
    FundMovement.objects.filter(pk=second.pk).update(note=raw_notes()[first.pk])
    with pytest.raises(crypto.DecryptionError):
        _ = FundMovement.objects.get(pk=second.pk).note


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_existing_notes_and_reverses(
    org_admin_a: User, ngo_a: Organisation
) -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        OldFund = old.get_model("assistance", "Fund")
        OldMovement = old.get_model("assistance", "FundMovement")
        fund = OldFund.objects.create(
            organisation_id=ngo_a.pk,
            kind="stranded_migrants",
            name="Old fund",
            currency="USD",
            approval_threshold=Decimal(100),
            deposited=Decimal(15),
        )
        common = {"fund_id": fund.pk, "kind": "deposit", "actor_id": org_admin_a.pk}
        noted = OldMovement.objects.create(
            amount=Decimal(10), available_after=Decimal(10), note=OLD_NOTE, **common
        )
        blank = OldMovement.objects.create(
            amount=Decimal(5), available_after=Decimal(15), note="", **common
        )
        assert raw_notes() == {noted.pk: OLD_NOTE, blank.pk: ""}

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        sealed = raw_notes()
        assert sealed[noted.pk].startswith(crypto.CIPHERTEXT_PREFIX)
        assert "Hope" not in sealed[noted.pk] and sealed[blank.pk] is None
        assert FundMovement.objects.get(pk=noted.pk).note == OLD_NOTE
        assert FundMovement.objects.get(pk=blank.pk).note == ""
        assert Organisation.objects.get(pk=ngo_a.pk).data_key_id is not None

        # Run again (say after an interruption), it leaves sealed notes exactly as they are.
        migration = importlib.import_module(
            "salama.assistance.migrations.0003_encrypt_fund_movement_notes"
        )
        migration.encrypt_notes(executor.loader.project_state(AFTER).apps, None)
        assert raw_notes() == sealed

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        assert raw_notes() == {noted.pk: OLD_NOTE, blank.pk: ""}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
