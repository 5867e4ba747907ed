"""The assistance API: the same policy and services, with HTTP status codes for refusals."""

from __future__ import annotations

import pytest

from salama.assistance import services
from salama.assistance.choices import FundKind
from salama.assistance.tests.factories import ask, make_case, make_fund, principal

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assistance"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def case(caseworker_a):
    return make_case(caseworker_a)


@pytest.fixture
def fund(org_admin_a):
    return make_fund(org_admin_a, threshold="50.00")


def _item(fund, **overrides):
    data = {
        "service_type": "basic_needs",
        "description": "Food parcel and hygiene kit",
        "quantity": "1",
        "unit_cost": "30.00",
        "service_date": "2026-03-02",
        "fund_id": str(fund.uuid),
    }
    data.update(overrides)
    return data


def test_fund_manager_creates_lists_and_tops_up_funds(org_admin_a, login):
    client = login(org_admin_a)
    created = post(
        client,
        f"{BASE}/funds",
        {
            "name": "Emergency",
            "kind": "last_resort",
            "currency": "jod",
            "approval_threshold": "100",
        },
    )
    assert created.status_code == 201
    fund_id = created.json()["id"]
    assert created.json()["currency"] == "JOD"
    deposit = post(client, f"{BASE}/funds/{fund_id}/deposits", {"amount": "500.00", "note": "Q1"})
    assert deposit.status_code == 201
    assert deposit.json()["available_after"] == "500.00"
    detail = client.get(f"{BASE}/funds/{fund_id}").json()
    assert (detail["available"], detail["movements"][0]["kind"]) == ("500.00", "deposit")
    assert [f["name"] for f in client.get(f"{BASE}/funds").json()] == ["Emergency"]
    patched = client.patch(
        f"{BASE}/funds/{fund_id}", {"is_active": False}, content_type="application/json"
    )
    assert patched.json()["is_active"] is False


def test_unknown_currency_is_422(org_admin_a, login):
    response = post(
        login(org_admin_a),
        f"{BASE}/funds",
        {"name": "X", "kind": "project_budget", "currency": "XYZ", "approval_threshold": "1"},
    )
    assert response.status_code == 422
    assert "not a currency Salama knows" in response.json()["detail"]


def test_request_approve_and_disburse_through_the_api(
    caseworker_a, supervisor_a, org_admin_a, case, fund, login
):
    created = post(login(caseworker_a), f"{BASE}/cases/{case.id}/items", _item(fund))
    assert created.status_code == 201
    item = created.json()
    assert (item["amount"], item["currency"], item["status"]) == ("30.00", "USD", "requested")
    assert item["description"] == "Food parcel and hygiene kit"
    approved = post(login(supervisor_a), f"{BASE}/items/{item['id']}/approve")
    assert approved.json()["status"] == "approved"
    paid = post(login(org_admin_a), f"{BASE}/items/{item['id']}/disburse", {"amount": "25"})
    assert (paid.json()["status"], paid.json()["paid_amount"]) == ("disbursed", "25.00")
    fund_json = login(org_admin_a).get(f"{BASE}/funds/{fund.uuid}").json()
    assert (fund_json["disbursed"], fund_json["available"]) == ("25.00", "75.00")
    again = post(login(org_admin_a), f"{BASE}/items/{item['id']}/disburse")
    assert again.status_code == 409
    listed = login(caseworker_a).get(f"{BASE}/cases/{case.id}/items").json()
    assert [i["status"] for i in listed] == ["disbursed"]


def test_requesting_more_than_available_is_422(caseworker_a, case, fund, login):
    response = post(
        login(caseworker_a), f"{BASE}/cases/{case.id}/items", _item(fund, unit_cost="100.01")
    )
    assert response.status_code == 422
    assert "Only 100.00 USD is available" in response.json()["detail"]


def test_currency_mismatch_is_422(caseworker_a, case, fund, login):
    response = post(
        login(caseworker_a), f"{BASE}/cases/{case.id}/items", _item(fund, currency="GBP")
    )
    assert response.status_code == 422
    assert "holds USD" in response.json()["detail"]


def test_last_resort_without_alternatives_is_422(caseworker_a, org_admin_a, case, login):
    emergency = make_fund(org_admin_a, kind=FundKind.LAST_RESORT, name="Emergency")
    response = post(login(caseworker_a), f"{BASE}/cases/{case.id}/items", _item(emergency))
    assert response.status_code == 422
    assert "fund of last resort" in response.json()["detail"]


def test_requester_approving_above_threshold_is_403_with_the_reason(
    supervisor_a, case, fund, login
):
    own = ask(supervisor_a, case, fund, "60")
    response = post(login(supervisor_a), f"{BASE}/items/{own.id}/approve")
    assert response.status_code == 403
    assert "a second person must approve it" in response.json()["detail"]


def test_reject_without_reason_is_422_and_cancel_releases(
    caseworker_a, supervisor_a, case, fund, login
):
    item = ask(caseworker_a, case, fund, "20")
    client = login(supervisor_a)
    assert post(client, f"{BASE}/items/{item.id}/reject", {"reason": " "}).status_code == 422
    services.approve_item(actor=principal(supervisor_a), item=item)
    cancelled = post(login(caseworker_a), f"{BASE}/items/{item.id}/cancel", {"reason": "Moved"})
    assert cancelled.json()["status"] == "cancelled"
    assert login(supervisor_a).get(f"{BASE}/funds/{fund.uuid}").json()["committed"] == "0.00"


def test_approvals_queue_lists_requested_items(caseworker_a, supervisor_a, case, fund, login):
    item = ask(caseworker_a, case, fund, "20")
    data = login(supervisor_a).get(f"{BASE}/approvals").json()
    assert [i["id"] for i in data] == [str(item.id)]
    assert "description" not in data[0]
    assert login(caseworker_a).get(f"{BASE}/approvals").status_code == 403


def test_other_organisation_gets_404(caseworker_b, supervisor_b, org_admin_b, case, fund, login):
    item = ask(case.assigned_to, case, fund, "20")
    assert login(caseworker_b).get(f"{BASE}/cases/{case.id}/items").status_code == 404
    assert (
        post(login(caseworker_b), f"{BASE}/cases/{case.id}/items", _item(fund)).status_code == 404
    )
    assert post(login(supervisor_b), f"{BASE}/items/{item.id}/approve").status_code == 404
    assert login(org_admin_b).get(f"{BASE}/funds/{fund.uuid}").status_code == 404
    deposit = post(login(org_admin_b), f"{BASE}/funds/{fund.uuid}/deposits", {"amount": "1"})
    assert deposit.status_code == 404


def test_data_officer_is_403(data_officer_a, case, fund, login):
    client = login(data_officer_a)
    assert client.get(f"{BASE}/funds").status_code == 403
    assert client.get(f"{BASE}/cases/{case.id}/items").status_code == 403
    assert client.get(f"{BASE}/approvals").status_code == 403
