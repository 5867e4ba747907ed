"""The screening API: same services, HTTP status codes for refusals."""

from __future__ import annotations

import pytest

from salama.screening.tests.test_services import MEETS_PROFILE, make_case

pytestmark = pytest.mark.django_db

BASE = "/api/v1/screening"


def send(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def test_screen_answer_and_finalise(caseworker_a, login):
    case = make_case(caseworker_a)
    client = login(caseworker_a)
    created = send(client, "post", f"{BASE}/cases/{case.id}/screenings", {"exploitation": "labour"})
    assert created.status_code == 201
    sid = created.json()["id"]
    assert created.json()["table"] == "ilo-2009-adult-labour"
    answers = [{"indicator": code, "value": value} for code, value in MEETS_PROFILE.items()]
    result = send(client, "put", f"{BASE}/screenings/{sid}/answers", {"answers": answers})
    assert result.status_code == 200
    assert result.json()["outcome"] == "meets_profile"
    assert any("meets the trafficking profile" in s for s in result.json()["explanation"])
    final = send(client, "post", f"{BASE}/screenings/{sid}/finalise")
    assert final.json()["status"] == "final"
    again = send(client, "put", f"{BASE}/screenings/{sid}/answers", {"answers": answers[:1]})
    assert again.status_code == 422
    assert len(client.get(f"{BASE}/cases/{case.id}/screenings").json()) == 1


def test_unknown_indicator_is_422(caseworker_a, login):
    case = make_case(caseworker_a)
    client = login(caseworker_a)
    sid = send(client, "post", f"{BASE}/cases/{case.id}/screenings", {"exploitation": "labour"})
    response = send(
        client,
        "put",
        f"{BASE}/screenings/{sid.json()['id']}/answers",
        {"answers": [{"indicator": "nope", "value": "present"}]},
    )
    assert response.status_code == 422


def test_other_organisation_gets_404(caseworker_a, caseworker_b, login):
    case = make_case(caseworker_a)
    sid = send(
        login(caseworker_a),
        "post",
        f"{BASE}/cases/{case.id}/screenings",
        {"exploitation": "labour"},
    ).json()["id"]
    client = login(caseworker_b)
    assert client.get(f"{BASE}/cases/{case.id}/screenings").status_code == 404
    assert client.get(f"{BASE}/screenings/{sid}/result").status_code == 404
    assert send(client, "post", f"{BASE}/screenings/{sid}/finalise").status_code == 404


def test_decision_and_assessment_to_plan(caseworker_a, supervisor_a, login):
    case = make_case(caseworker_a)
    decision = send(
        login(supervisor_a),
        "post",
        f"{BASE}/cases/{case.id}/decisions",
        {
            "step": "conclusive_grounds",
            "decided_by_org_type": "NGO",
            "authority_name": "National NGO coalition",
            "decided_on": "2024-02-01",
            "outcome": "positive",
        },
    )
    assert decision.status_code == 201
    client = login(caseworker_a)
    aid = send(client, "post", f"{BASE}/cases/{case.id}/assessments").json()["id"]
    put = send(
        client,
        "put",
        f"{BASE}/assessments/{aid}/answers",
        {"answers": [{"factor": "ind_legal_status", "present": "yes", "harms": ["exploitation"]}]},
    )
    assert put.json()["profile"]["risk_factors"] == ["ind_legal_status"]
    proposals = client.get(f"{BASE}/assessments/{aid}/proposals").json()
    assert "documentation" in [p["code"] for p in proposals]
    plan = send(client, "post", f"{BASE}/assessments/{aid}/plan", {"responses": ["documentation"]})
    assert plan.status_code == 201
    assert plan.json()[0]["source"] == f"domv:{aid}:documentation"


def test_data_officer_gets_404(caseworker_a, data_officer_a, login):
    case = make_case(caseworker_a)
    response = send(
        login(data_officer_a),
        "post",
        f"{BASE}/cases/{case.id}/screenings",
        {"exploitation": "labour"},
    )
    assert response.status_code in (403, 404)
