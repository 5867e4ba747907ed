"""Assistance services: balances, approvals, last resort, currencies and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from salama.assistance import services
from salama.assistance.choices import FundKind, ItemStatus, MovementKind
from salama.assistance.models import AssistanceItem, Fund, FundMovement
from salama.assistance.tests.factories import (
    ask,
    fund_state,
    make_case,
    make_fund,
    principal,
)
from salama.core import audit
from salama.core.errors import ConflictError
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def case(caseworker_a):
    return make_case(caseworker_a)


@pytest.fixture
def fund(org_admin_a):
    return make_fund(org_admin_a)


# Funds and deposits ----------------------------------------------------------------------------


def test_creates_a_fund_and_records_deposits(org_admin_a, fund):
    assert fund_state(fund) == (D("100.00"), D(0), D(0), D("100.00"))
    movement = FundMovement.objects.get(fund=fund)
    assert (movement.kind, movement.amount, movement.available_after) == (
        MovementKind.DEPOSIT,
        D("100.00"),
        D("100.00"),
    )


def test_unknown_currency_is_refused_with_a_clear_message(org_admin_a):
    with pytest.raises(ValidationError, match="“ABC” is not a currency Salama knows"):
        make_fund(org_admin_a, currency="ABC")


def test_only_fund_managers_create_funds_and_deposit(supervisor_a, caseworker_a, fund):
    with pytest.raises(PermissionDenied):
        make_fund(supervisor_a, name="Other")
    with pytest.raises(PermissionDenied):
        services.deposit(actor=principal(caseworker_a), fund=fund, amount=D(5))


def test_fund_manager_of_another_organisation_cannot_deposit(org_admin_b, fund):
    with pytest.raises(PermissionDenied):
        services.deposit(actor=principal(org_admin_b), fund=fund, amount=D(5))


def test_deposit_must_be_positive(org_admin_a, fund):
    with pytest.raises(ValidationError, match="more than zero"):
        services.deposit(actor=principal(org_admin_a), fund=fund, amount=D(0))
    with pytest.raises(ValidationError, match="Enter an amount"):
        services.deposit(actor=principal(org_admin_a), fund=fund, amount="-5")


def test_the_database_refuses_an_overdrawn_fund(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(committed=D("100.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(disbursed=D(-1))


def test_update_fund_changes_threshold_and_closes_it(org_admin_a, fund, case, caseworker_a):
    services.update_fund(
        actor=principal(org_admin_a), fund=fund, approval_threshold="50", is_active=False
    )
    fund.refresh_from_db()
    assert (fund.approval_threshold, fund.is_active) == (D("50.00"), False)
    entry = AuditEntry.objects.filter(action="fund.update").get()
    assert entry.changes["is_active"] == ["True", "False"]
    with pytest.raises(ValidationError, match="This fund is closed"):
        ask(caseworker_a, case, fund, "10")


# Requests --------------------------------------------------------------------------------------


def test_request_more_than_available_is_refused_with_the_balance(caseworker_a, case, fund):
    with pytest.raises(ValidationError, match=r"Only 100\.00 USD is available .* needs 100\.01"):
        ask(caseworker_a, case, fund, "100.01")
    assert not AssistanceItem.objects.exists()


def test_commitments_count_against_the_available_balance(caseworker_a, supervisor_a, case, fund):
    first = ask(caseworker_a, case, fund, "60")
    services.approve_item(actor=principal(supervisor_a), item=first)
    assert fund_state(fund) == (D(100), D(60), D(0), D(40))
    with pytest.raises(ValidationError, match=r"Only 40\.00 USD is available"):
        ask(caseworker_a, case, fund, "41")


def test_approval_is_refused_when_the_balance_no_longer_covers_it(
    caseworker_a, supervisor_a, case, fund
):
    first = ask(caseworker_a, case, fund, "70")
    second = ask(caseworker_a, case, fund, "70")
    services.approve_item(actor=principal(supervisor_a), item=first)
    with pytest.raises(ValidationError, match=r"Only 30\.00 USD is available"):
        services.approve_item(actor=principal(supervisor_a), item=second)
    second.refresh_from_db()
    assert second.status == ItemStatus.REQUESTED
    assert fund_state(fund) == (D(100), D(70), D(0), D(30))


def test_currency_must_equal_the_funds(caseworker_a, case, fund):
    with pytest.raises(ValidationError, match="holds USD but this item is in EUR"):
        ask(caseworker_a, case, fund, "10", currency="EUR")


def test_currency_defaults_to_the_funds(caseworker_a, case, fund):
    item = ask(caseworker_a, case, fund, "10", currency="")
    assert item.currency == "USD"


def test_item_without_a_fund_needs_a_known_currency(caseworker_a, case):
    with pytest.raises(ValidationError, match="not a currency Salama knows"):
        ask(caseworker_a, case, None, "10", currency="XYZ")
    item = ask(caseworker_a, case, None, "10", currency="kes")
    assert (item.currency, item.fund) == ("KES", None)


def test_amount_is_quantity_times_unit_cost(caseworker_a, case, fund):
    item = ask(caseworker_a, case, fund, "12.50", quantity=D(3))
    assert item.amount == D("37.50")


def test_last_resort_fund_without_alternatives_answer_is_refused(caseworker_a, org_admin_a, case):
    emergency = make_fund(org_admin_a, kind=FundKind.LAST_RESORT, name="Emergency")
    for checked, note in ((None, ""), (False, ""), (True, "")):
        with pytest.raises(ValidationError, match="fund of last resort"):
            ask(
                caseworker_a,
                case,
                emergency,
                "10",
                alternatives_checked=checked,
                alternatives_note=note,
            )
    item = ask(
        caseworker_a,
        case,
        emergency,
        "10",
        alternatives_checked=True,
        alternatives_note="UNHCR cash programme: not eligible",
    )
    item = AssistanceItem.objects.select_related("case__person__data_key").get(pk=item.pk)
    assert item.alternatives_note == "UNHCR cash programme: not eligible"


def test_free_text_is_encrypted_at_rest(caseworker_a, case, fund):
    item = ask(caseworker_a, case, fund, "10", provider_name="Hotel Nour", justification="Alone")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT description, provider_name, justification FROM assistance_assistanceitem"
        )
        row = cursor.fetchone()
    assert all(value.startswith("v1:") for value in row)
    assert "hostel" not in " ".join(row)
    assert item.provider_label == "Hotel Nour"


def test_fund_of_another_organisation_is_refused(caseworker_a, org_admin_b, case):
    other = make_fund(org_admin_b)
    with pytest.raises(ValidationError, match="Choose a fund of your organisation"):
        ask(caseworker_a, case, other, "10")


def test_requests_on_closed_cases_are_refused(caseworker_a, supervisor_a, case, fund):
    from salama.cases.services import close_case

    close_case(
        actor=principal(supervisor_a), case=case, reason="other", expected_version=case.version
    )
    with pytest.raises(ValidationError, match="The case is closed"):
        ask(caseworker_a, case, fund, "10")


def test_both_provider_kinds_at_once_are_refused(caseworker_a, ngo_b, case, fund):
    with pytest.raises(ValidationError, match="not both"):
        ask(caseworker_a, case, fund, "10", provider_organisation=ngo_b, provider_name="X")


def test_data_officer_and_other_organisation_cannot_request(
    data_officer_a, caseworker_b, case, fund
):
    for user in (data_officer_a, caseworker_b):
        with pytest.raises(PermissionDenied):
            ask(user, case, fund, "10")


# Approval --------------------------------------------------------------------------------------


def test_caseworker_cannot_approve(caseworker_a, case, fund):
    item = ask(caseworker_a, case, fund, "10")
    with pytest.raises(PermissionDenied):
        services.approve_item(actor=principal(caseworker_a), item=item)


def test_requester_cannot_approve_their_own_request_above_the_threshold(
    supervisor_a, org_admin_a, case
):
    fund = make_fund(org_admin_a, threshold="50.00")
    item = ask(supervisor_a, case, fund, "50.01")
    with pytest.raises(PermissionDenied, match="a second person must approve it"):
        services.approve_item(actor=principal(supervisor_a), item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.REQUESTED
    assert fund_state(fund)[1] == D(0)


def test_second_person_approves_above_the_threshold(supervisor_a, org_admin_a, ngo_a, case):
    from conftest import make_user

    other = make_user(ngo_a, "supervisor", "supervisor2@a.example")
    fund = make_fund(org_admin_a, threshold="50.00")
    item = ask(supervisor_a, case, fund, "80")
    services.approve_item(actor=principal(other), item=item)
    assert (item.status, item.decided_by) == (ItemStatus.APPROVED, other)


def test_approver_may_approve_their_own_request_at_or_below_the_threshold(
    supervisor_a, org_admin_a, case
):
    fund = make_fund(org_admin_a, threshold="50.00")
    item = ask(supervisor_a, case, fund, "50.00")
    services.approve_item(actor=principal(supervisor_a), item=item)
    assert item.status == ItemStatus.APPROVED


def test_supervisor_of_another_organisation_cannot_approve(caseworker_a, supervisor_b, case, fund):
    item = ask(caseworker_a, case, fund, "10")
    with pytest.raises(PermissionDenied):
        services.approve_item(actor=principal(supervisor_b), item=item)


def test_an_item_is_approved_once(caseworker_a, supervisor_a, case, fund):
    item = ask(caseworker_a, case, fund, "10")
    stale = AssistanceItem.objects.select_related("case").get(pk=item.pk)
    services.approve_item(actor=principal(supervisor_a), item=item)
    with pytest.raises(ConflictError, match="already “Approved"):
        services.approve_item(actor=principal(supervisor_a), item=stale)
    assert fund_state(fund)[1] == D(10)


def test_rejection_needs_a_reason(caseworker_a, supervisor_a, case, fund):
    item = ask(caseworker_a, case, fund, "10")
    with pytest.raises(ValidationError, match="Say why"):
        services.reject_item(actor=principal(supervisor_a), item=item, reason="  ")
    services.reject_item(actor=principal(supervisor_a), item=item, reason="Covered by UNHCR")
    item.refresh_from_db()
    assert (item.status, item.decision_reason) == (ItemStatus.REJECTED, "Covered by UNHCR")
    assert fund_state(fund)[3] == D(100)


# Payment and cancellation ----------------------------------------------------------------------


def test_disbursement_turns_the_commitment_into_a_payment(
    caseworker_a, supervisor_a, org_admin_a, case, fund
):
    item = ask(caseworker_a, case, fund, "70")
    services.approve_item(actor=principal(supervisor_a), item=item)
    services.disburse_item(actor=principal(org_admin_a), item=item)
    assert (item.status, item.paid_amount) == (ItemStatus.DISBURSED, D(70))
    assert fund_state(fund) == (D(100), D(0), D(70), D(30))
    with pytest.raises(ConflictError):
        services.disburse_item(actor=principal(org_admin_a), item=item)
    assert fund_state(fund)[2] == D(70)


def test_paying_less_than_approved_releases_the_rest(caseworker_a, supervisor_a, case, fund):
    item = ask(caseworker_a, case, fund, "70")
    services.approve_item(actor=principal(supervisor_a), item=item)
    services.disburse_item(actor=principal(supervisor_a), item=item, amount="55.5")
    assert fund_state(fund) == (D(100), D(0), D("55.50"), D("44.50"))
    kinds = list(FundMovement.objects.filter(item=item).values_list("kind", "amount"))
    assert set(kinds) == {
        (MovementKind.COMMITMENT, D(70)),
        (MovementKind.DISBURSEMENT, D("55.50")),
        (MovementKind.RELEASE, D("14.50")),
    }


def test_paying_more_than_approved_is_refused(caseworker_a, supervisor_a, case, fund):
    item = ask(caseworker_a, case, fund, "70")
    services.approve_item(actor=principal(supervisor_a), item=item)
    with pytest.raises(ValidationError, match="at most the approved 70.00 USD"):
        services.disburse_item(actor=principal(supervisor_a), item=item, amount="70.01")


def test_requested_items_are_not_paid(caseworker_a, supervisor_a, case, fund):
    item = ask(caseworker_a, case, fund, "10")
    with pytest.raises(ValidationError, match="must be approved before"):
        services.disburse_item(actor=principal(supervisor_a), item=item)


def test_caseworker_cannot_record_payment(caseworker_a, supervisor_a, case, fund):
    item = ask(caseworker_a, case, fund, "10")
    services.approve_item(actor=principal(supervisor_a), item=item)
    with pytest.raises(PermissionDenied):
        services.disburse_item(actor=principal(caseworker_a), item=item)


def test_cancelling_an_approved_item_releases_its_commitment(
    caseworker_a, supervisor_a, case, fund
):
    item = ask(caseworker_a, case, fund, "70")
    services.approve_item(actor=principal(supervisor_a), item=item)
    services.cancel_item(actor=principal(caseworker_a), item=item, reason="Left the country")
    assert item.status == ItemStatus.CANCELLED
    assert fund_state(fund) == (D(100), D(0), D(0), D(100))
    with pytest.raises(ConflictError):
        services.cancel_item(actor=principal(caseworker_a), item=item)


def test_item_without_a_fund_moves_no_money(caseworker_a, supervisor_a, case):
    item = ask(caseworker_a, case, None, "25", currency="JOD")
    services.approve_item(actor=principal(supervisor_a), item=item)
    services.disburse_item(actor=principal(supervisor_a), item=item)
    assert item.status == ItemStatus.DISBURSED
    assert not FundMovement.objects.exists()


# Audit -----------------------------------------------------------------------------------------


def test_every_movement_is_audited_with_amount_and_currency(
    caseworker_a, supervisor_a, org_admin_a, case, fund
):
    paid = ask(caseworker_a, case, fund, "30")
    services.approve_item(actor=principal(supervisor_a), item=paid)
    services.disburse_item(actor=principal(org_admin_a), item=paid)
    rejected = ask(caseworker_a, case, fund, "10")
    services.reject_item(actor=principal(supervisor_a), item=rejected, reason="Covered elsewhere")
    cancelled = ask(caseworker_a, case, fund, "5")
    services.cancel_item(actor=principal(caseworker_a), item=cancelled, reason="Not needed")

    deposit = AuditEntry.objects.get(action="fund.deposit")
    assert deposit.changes["amount"] == [None, "100.00"]
    assert deposit.changes["currency"] == [None, "USD"]
    assert deposit.changes["available"] == ["0.00", "100.00"]

    entries = {
        e.action: e
        for e in AuditEntry.objects.filter(action__startswith="assistance.", object_id=str(paid.pk))
    }
    assert set(entries) == {"assistance.request", "assistance.approve", "assistance.disburse"}
    for entry in entries.values():
        assert entry.scope_id == str(case.pk)
        assert entry.organisation_id == case.organisation_id
        assert entry.changes["amount"] == [None, "30.00"]
        assert entry.changes["currency"] == [None, "USD"]
        assert entry.changes["fund"] == [None, str(fund.uuid)]
    assert entries["assistance.approve"].changes["available"] == ["100.00", "70.00"]
    assert entries["assistance.disburse"].changes["paid_amount"] == [None, "30.00"]
    request_entry = entries["assistance.request"]
    assert "description" in request_entry.fields
    assert "hostel" not in str(request_entry.changes)

    reject = AuditEntry.objects.get(action="assistance.reject")
    assert "decision_reason" in reject.fields and "Covered" not in str(reject.changes)
    cancel = AuditEntry.objects.get(action="assistance.cancel")
    assert cancel.changes["status"] == ["requested", "cancelled"]
    assert audit.verify() is None


# After a transfer -------------------------------------------------------------------------------


def _transfer(case, open_items, *, sender, receiver, assignee, to_org):
    from salama.referrals import services as referrals
    from salama.referrals.tests.helpers import consent_to

    consent_to(case.assigned_to, case.person, to_org)
    transfer = referrals.request_transfer(
        actor=principal(sender),
        case=case,
        to_org=to_org,
        packet_fields=["name"],
        reason="She moved",
        open_items=open_items,
    )
    return referrals.accept_transfer(
        actor=principal(receiver), transfer=transfer, assign_to=assignee
    )


def test_a_kept_item_is_paid_by_the_sender_and_audited_to_the_funds_organisation(
    caseworker_a, supervisor_a, supervisor_b, caseworker_b, ngo_b, case, fund
):
    item = ask(caseworker_a, case, fund, "30")
    services.approve_item(actor=principal(supervisor_a), item=item)
    _transfer(
        case,
        "keep",
        sender=supervisor_a,
        receiver=supervisor_b,
        assignee=caseworker_b,
        to_org=ngo_b,
    )
    item = AssistanceItem.objects.get(pk=item.pk)
    with pytest.raises(PermissionDenied):
        services.disburse_item(actor=principal(supervisor_b), item=item)
    services.disburse_item(actor=principal(supervisor_a), item=item)
    paid = AuditEntry.objects.get(action="assistance.disburse")
    assert paid.organisation_id == fund.organisation_id != ngo_b.pk
    assert fund_state(fund) == (D(100), D(0), D(30), D(70))


def test_cancelling_on_transfer_leaves_items_on_no_fund_and_other_cases_alone(
    caseworker_a, supervisor_a, supervisor_b, caseworker_b, ngo_b, case, fund
):
    on_fund = ask(caseworker_a, case, fund, "30")
    services.approve_item(actor=principal(supervisor_a), item=on_fund)
    no_fund = ask(caseworker_a, case, None, "10")
    elsewhere = ask(caseworker_a, make_case(caseworker_a), fund, "20")
    _transfer(
        case,
        "cancel",
        sender=supervisor_a,
        receiver=supervisor_b,
        assignee=caseworker_b,
        to_org=ngo_b,
    )
    statuses = {
        i.pk: i.status
        for i in AssistanceItem.objects.filter(pk__in=[on_fund.pk, no_fund.pk, elsewhere.pk])
    }
    assert statuses == {
        on_fund.pk: ItemStatus.CANCELLED,
        no_fund.pk: ItemStatus.REQUESTED,
        elsewhere.pk: ItemStatus.REQUESTED,
    }
    assert fund_state(fund) == (D(100), D(0), D(0), D(100))
    release = FundMovement.objects.get(kind=MovementKind.RELEASE)
    assert (release.item_id, release.amount) == (on_fund.pk, D(30))
