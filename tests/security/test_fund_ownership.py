"""Security finding 1: "a transfer hands the sender's money to the receiver".

Organisation A's caseworker requests two items on A's fund for a case; A's supervisor approves
one and transfers the case to B. Before the fix, B's supervisor accepted, approved the other item
and paid the first, moving A's fund from committed/paid 45/0 to 60/25, and A's org admin could
no longer cancel. Now only the fund's organisation acts on an item drawn on its fund, and a
transfer settles the open items as the sender chose when requesting it: "cancel" releases them
to A's fund on acceptance, "keep" leaves them A's to pay or cancel. Played through the API (as
the finding was), with the page B sees checked too.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from salama.accounts.services import create_api_token
from salama.assistance import services as assistance
from salama.assistance.choices import ItemStatus
from salama.assistance.models import AssistanceItem
from salama.assistance.tests.factories import ask, fund_state, make_case, make_fund, principal
from salama.cases.models import Case
from salama.core.models import AuditEntry
from salama.core.policy import NotPermitted
from salama.referrals.models import CaseTransfer
from salama.referrals.tests.helpers import consent_to

pytestmark = pytest.mark.django_db

ASSISTANCE = "/api/v1/assistance"
REFERRALS = "/api/v1/referrals"
D = Decimal


def post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def world(ngo_a, ngo_b, caseworker_a, supervisor_a, org_admin_a, supervisor_b, caseworker_b, login):
    """A's fund with 20 committed on another case, then the finding's case: 25 approved and
    40 requested on A's fund, so A's fund stands at committed/paid 45/0."""
    fund = make_fund(org_admin_a, deposit="200.00")
    elsewhere = ask(caseworker_a, make_case(caseworker_a, given_name="Hawa"), fund, "20.00")
    assistance.approve_item(actor=principal(supervisor_a), item=elsewhere)
    case = make_case(caseworker_a)
    first = ask(caseworker_a, case, fund, "25.00")
    second = ask(caseworker_a, case, fund, "40.00")
    approved = post(login(supervisor_a), f"{ASSISTANCE}/items/{first.pk}/approve")
    assert approved.status_code == 200
    consent_to(caseworker_a, case.person, ngo_b)
    assert fund_state(fund)[1:3] == (D("45.00"), D("0.00"))
    return SimpleNamespace(fund=fund, case=case, first=first, second=second, ngo_b=ngo_b)


def request_transfer(client: Any, world: SimpleNamespace, open_items: str | None) -> Any:
    body = {
        "case_id": str(world.case.pk),
        "to_organisation": str(world.ngo_b.uuid),
        "packet_fields": ["name"],
        "reason": "She moved to Nairobi",
    }
    if open_items is not None:
        body["open_items"] = open_items
    return post(client, f"{REFERRALS}/transfers/", body)


def transfer_and_accept(
    world: SimpleNamespace, open_items: str, sender: Any, receiver: Any, assignee: Any
) -> str:
    created = request_transfer(sender, world, open_items)
    assert created.status_code == 201, created.content
    assert created.json()["open_items"] == open_items
    transfer_id = created.json()["id"]
    accepted = post(
        receiver,
        f"{REFERRALS}/transfers/{transfer_id}/accept",
        {"assign_to": str(assignee.uuid)},
    )
    assert accepted.status_code == 200, accepted.content
    assert Case.objects.get(pk=world.case.pk).organisation == world.ngo_b
    return transfer_id


def token_client(user: Any, client_class: Any) -> Any:
    """An API client that authenticates with a bearer token of the user's own role."""
    actor = principal(user)
    _token, secret = create_api_token(
        actor=actor, name="finding 1", scopes=sorted(actor.permissions)
    )
    return client_class(headers={"Authorization": f"Bearer {secret}"})


def status(item: AssistanceItem) -> str:
    item.refresh_from_db()
    return item.status


def assert_receiver_cannot_touch(world: SimpleNamespace, receiver: Any) -> None:
    approve = post(receiver, f"{ASSISTANCE}/items/{world.second.pk}/approve")
    disburse = post(receiver, f"{ASSISTANCE}/items/{world.first.pk}/disburse", {})
    cancel = post(receiver, f"{ASSISTANCE}/items/{world.first.pk}/cancel", {"reason": "ours now"})
    assert (approve.status_code, disburse.status_code, cancel.status_code) == (403, 403, 403)
    queue = receiver.get(f"{ASSISTANCE}/approvals")
    assert queue.status_code == 200 and queue.json() == []


def test_a_transfer_of_a_case_with_open_items_must_say_what_happens_to_them(
    world, supervisor_a, login
):
    refused = request_transfer(login(supervisor_a), world, None)
    assert refused.status_code == 422
    assert "2 open assistance items on your funds" in refused.content.decode()
    assert not CaseTransfer.objects.exists()


def test_with_cancel_the_receiver_gets_no_money_and_the_commitment_returns_to_the_fund(
    world, supervisor_a, supervisor_b, caseworker_b, login, client
):
    receiver = token_client(supervisor_b, type(client))
    transfer_id = transfer_and_accept(
        world, "cancel", login(supervisor_a), login(supervisor_b), caseworker_b
    )
    assert (status(world.first), status(world.second)) == (ItemStatus.CANCELLED,) * 2
    assert world.first.cancel_reason == "case transferred"
    # Back to what it was before the case's items: only the other case's 20 stays committed.
    assert fund_state(world.fund)[1:3] == (D("20.00"), D("0.00"))
    assert_receiver_cannot_touch(world, receiver)
    assert fund_state(world.fund)[1:3] == (D("20.00"), D("0.00"))
    cancels = AuditEntry.objects.filter(action="assistance.cancel")
    assert cancels.count() == 2
    for entry in cancels:
        assert entry.organisation_id == world.fund.organisation_id
        assert entry.changes["transfer"] == [None, transfer_id]
        assert "cancel_reason" in entry.fields


def test_with_keep_the_items_stay_the_senders_to_pay_or_cancel_and_never_the_receivers(
    world, supervisor_a, org_admin_a, supervisor_b, caseworker_b, login, client
):
    receiver = token_client(supervisor_b, type(client))
    transfer_and_accept(world, "keep", login(supervisor_a), login(supervisor_b), caseworker_b)
    assert (status(world.first), status(world.second)) == (
        ItemStatus.APPROVED,
        ItemStatus.REQUESTED,
    )
    assert_receiver_cannot_touch(world, receiver)
    assert fund_state(world.fund)[1:3] == (D("45.00"), D("0.00"))

    listed = receiver.get(f"{ASSISTANCE}/cases/{world.case.pk}/items").json()
    assert {row["paying_organisation"] for row in listed} == {"NGO A"}

    admin_a = token_client(org_admin_a, type(client))
    paid = post(admin_a, f"{ASSISTANCE}/items/{world.first.pk}/disburse", {})
    assert paid.status_code == 200, paid.content
    sender = login(supervisor_a)
    queue = sender.get(f"{ASSISTANCE}/approvals").json()
    assert [row["id"] for row in queue] == [str(world.second.pk)]
    cancelled = post(sender, f"{ASSISTANCE}/items/{world.second.pk}/cancel", {"reason": "moved"})
    assert cancelled.status_code == 200, cancelled.content
    assert fund_state(world.fund)[1:3] == (D("20.00"), D("25.00"))


def test_the_sender_org_admin_can_cancel_a_kept_approved_item(
    world, supervisor_a, org_admin_a, supervisor_b, caseworker_b, login
):
    transfer_and_accept(world, "keep", login(supervisor_a), login(supervisor_b), caseworker_b)
    cancelled = post(login(org_admin_a), f"{ASSISTANCE}/items/{world.first.pk}/cancel", {})
    assert cancelled.status_code == 200, cancelled.content
    assert fund_state(world.fund)[1:3] == (D("20.00"), D("0.00"))


def test_a_declined_transfer_changes_nothing(world, supervisor_a, supervisor_b, login):
    created = request_transfer(login(supervisor_a), world, "cancel")
    declined = post(
        login(supervisor_b),
        f"{REFERRALS}/transfers/{created.json()['id']}/decline",
        {"reason": "No capacity"},
    )
    assert declined.status_code == 200
    assert (status(world.first), status(world.second)) == (
        ItemStatus.APPROVED,
        ItemStatus.REQUESTED,
    )
    assert fund_state(world.fund)[1:3] == (D("45.00"), D("0.00"))
    assert Case.objects.get(pk=world.case.pk).organisation == world.fund.organisation
    assert not AuditEntry.objects.filter(action="assistance.cancel").exists()
    approved = post(login(supervisor_a), f"{ASSISTANCE}/items/{world.second.pk}/approve")
    assert approved.status_code == 200


def test_the_receivers_case_page_offers_no_action_on_the_senders_kept_items(
    world, supervisor_a, supervisor_b, caseworker_b, login
):
    receiver = login(supervisor_b)
    transfer_and_accept(world, "keep", login(supervisor_a), receiver, caseworker_b)
    page = receiver.get(reverse("assistance:case-assistance", args=[world.case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("item-approve", "item-reject", "item-disburse", "item-cancel"):
        for item in (world.first, world.second):
            assert reverse(f"assistance:{name}", args=[item.pk]) not in html
    assert "On the fund of NGO A, which pays or cancels it." in html
    assert page.context["totals"] == []
    assert receiver.get(reverse("assistance:approvals")).context["items"] == []


def test_only_the_accepting_side_settles_items_and_only_while_accepting(
    world, supervisor_a, supervisor_b, caseworker_b, login
):
    created = request_transfer(login(supervisor_a), world, "cancel")
    transfer = CaseTransfer.objects.get(pk=created.json()["id"])
    for user in (supervisor_a, supervisor_b):  # the sender; the receiver before accepting
        with pytest.raises(NotPermitted):
            assistance.settle_items_for_transfer(actor=principal(user), transfer=transfer)
    assert status(world.first) == ItemStatus.APPROVED
    post(
        login(supervisor_b),
        f"{REFERRALS}/transfers/{transfer.pk}/accept",
        {"assign_to": str(caseworker_b.uuid)},
    )
    transfer.refresh_from_db()
    with pytest.raises(NotPermitted):  # once accepted and moved, never again
        assistance.settle_items_for_transfer(actor=principal(supervisor_b), transfer=transfer)
