"""The referrals API: status codes for refusals, the packet, state changes and transfers."""

from __future__ import annotations

import pytest

from salama.referrals.models import Referral
from salama.referrals.tests.helpers import consent_to, make_case, make_service

pytestmark = pytest.mark.django_db

BASE = "/api/v1/referrals"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def case(caseworker_a):
    return make_case(caseworker_a)


@pytest.fixture
def shelter_b(ngo_b, receiver_b, supervisor_b):
    return make_service(ngo_b)


def payload(case, service, **extra):
    return {
        "case_id": str(case.id),
        "service_id": str(service.uuid),
        "packet_fields": ["name"],
        "purpose_note": "Shelter please",
        **extra,
    }


def test_directory_search(shelter_b, caseworker_a, login):
    data = login(caseworker_a).get(f"{BASE}/directory?service_type=accommodation&country=KE").json()
    assert [s["name"] for s in data] == ["NGO B shelter"]


def test_send_without_consent_is_422_with_the_message(case, shelter_b, caseworker_a, login):
    response = post(login(caseworker_a), f"{BASE}/", payload(case, shelter_b))
    assert response.status_code == 422
    assert "not consented to a referral to NGO B" in response.json()["detail"]


def test_override_by_a_caseworker_is_403(case, shelter_b, caseworker_a, login):
    response = post(
        login(caseworker_a),
        f"{BASE}/",
        payload(case, shelter_b, emergency_override_reason="In danger tonight, cannot consent."),
    )
    assert response.status_code == 403


def test_send_inbox_packet_and_moves(case, shelter_b, caseworker_a, receiver_b, login):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    sent = post(login(caseworker_a), f"{BASE}/", payload(case, shelter_b))
    assert sent.status_code == 201
    referral_id = sent.json()["id"]
    assert sent.json()["is_cross_border"] is True
    client = login(receiver_b)
    assert [r["id"] for r in client.get(f"{BASE}/inbox").json()] == [referral_id]
    assert client.get(f"{BASE}/{referral_id}/packet").json()["packet"] == {"name": "Amina Yusuf"}
    assert post(client, f"{BASE}/{referral_id}/accept", {"version": 1}).json()["status"] == (
        "accepted"
    )
    assert post(client, f"{BASE}/{referral_id}/accept", {"version": 1}).status_code == 422
    assert post(client, f"{BASE}/{referral_id}/deliver", {"version": 1}).status_code == 422
    stale = post(
        client,
        f"{BASE}/{referral_id}/deliver",
        {"version": 1, "delivery_note": "Bed", "delivered_on": "2024-01-01"},
    )
    assert stale.status_code == 409
    post(
        client,
        f"{BASE}/{referral_id}/deliver",
        {"version": 2, "delivery_note": "Bed", "delivered_on": "2024-01-01"},
    )
    assert post(client, f"{BASE}/{referral_id}/complete", {"version": 3}).status_code == 200
    assert client.get(f"{BASE}/{referral_id}/packet").status_code == 404
    assert client.get(f"{BASE}/inbox").json() == []
    assert Referral.objects.get().status == "completed"
    sender = login(caseworker_a).get(f"{BASE}/sent").json()
    assert sender[0]["status"] == "completed"


def test_recipient_cannot_read_the_referral_as_a_sender(
    case, shelter_b, caseworker_a, receiver_b, login
):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    referral_id = post(login(caseworker_a), f"{BASE}/", payload(case, shelter_b)).json()["id"]
    assert login(receiver_b).get(f"{BASE}/{referral_id}").status_code == 404


def test_transfer_api(case, caseworker_a, supervisor_a, supervisor_b, caseworker_b, ngo_b, login):
    consent_to(caseworker_a, case.person, ngo_b)
    body = {
        "case_id": str(case.id),
        "to_organisation": str(ngo_b.uuid),
        "packet_fields": ["name"],
        "reason": "Moved",
    }
    assert post(login(caseworker_a), f"{BASE}/transfers/", body).status_code == 403
    created = post(login(supervisor_a), f"{BASE}/transfers/", body)
    assert created.status_code == 201
    transfer_id = created.json()["id"]
    receiver = login(supervisor_b)
    assert receiver.get(f"{BASE}/transfers/{transfer_id}").json()["packet"] == {
        "name": "Amina Yusuf"
    }
    accepted = post(
        receiver, f"{BASE}/transfers/{transfer_id}/accept", {"assign_to": str(caseworker_b.uuid)}
    )
    assert accepted.json()["status"] == "accepted"
    assert login(supervisor_a).get(f"/api/v1/cases/{case.id}").status_code == 404
    assert receiver.get(f"/api/v1/cases/{case.id}").status_code == 200
