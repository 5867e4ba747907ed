"""Family tracing over the API: the same gate, the same sides, JSON errors."""

from __future__ import annotations

import json

import pytest

from conftest import principal, verified_client
from salama.people import services as people
from salama.tracing.tests.helpers import consent, person, seeker_case

pytestmark = pytest.mark.django_db
API = "/api/v1/tracing"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_a_request_made_over_the_api_finds_the_consenting_person_across_scripts(caseworker_a):
    son = person(caseworker_a, "محمد", "علي", age=12)
    consent(caseworker_a, son)
    person(caseworker_a, "محمد", "علي", age=12)  # no tracing consent
    case = seeker_case(caseworker_a)
    client = verified_client(caseworker_a)
    response = post(
        client,
        f"{API}/cases/{case.pk}/requests",
        {
            "relationship": "child",
            "sought_given_name": "Mohammed",
            "sought_family_name": "Ali",
            "sought_other_names": ["Mohamed Aly"],
            "sought_age": 12,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    [match] = body["matches"]
    assert match["counterpart_name"] == "محمد علي"
    assert "name_other_script" in match["reasons"]
    assert match["sides"] == ["other", "seeker"]

    updated = client.put(
        f"{API}/requests/{body['id']}",
        json.dumps(
            {
                "relationship": "sibling",
                "sought_given_name": "Mohammed",
                "sought_family_name": "Ali",
                "sought_age": 12,
                "version": body["version"],
            }
        ),
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["relationship"] == "sibling"
    stale = client.put(
        f"{API}/requests/{body['id']}",
        json.dumps({"relationship": "child", "sought_given_name": "X", "version": body["version"]}),
        content_type="application/json",
    )
    assert stale.status_code == 409

    confirmed = post(client, f"{API}/matches/{match['id']}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    step = post(
        client,
        f"{API}/matches/{match['id']}/steps",
        {"step": "verification", "happened_on": "2026-01-03"},
    )
    assert step.status_code == 201
    assert [s["step"] for s in step.json()["steps"]] == ["verification"]


def test_another_organisation_and_a_withdrawn_consent_both_get_not_found(
    caseworker_a, caseworker_b
):
    son = person(caseworker_a, "Mohammed", "Ali", age=12)
    given = consent(caseworker_a, son)
    case = seeker_case(caseworker_a)
    client = verified_client(caseworker_a)
    body = post(
        client,
        f"{API}/cases/{case.pk}/requests",
        {
            "relationship": "child",
            "sought_given_name": "Mohammed",
            "sought_family_name": "Ali",
            "sought_age": 12,
        },
    ).json()
    match_id = body["matches"][0]["id"]
    assert verified_client(caseworker_b).get(f"{API}/requests/{body['id']}").status_code == 404
    assert verified_client(caseworker_b).get(f"{API}/matches/{match_id}").status_code == 404
    people.withdraw_consent(actor=principal(caseworker_a), consent=given)
    assert client.get(f"{API}/matches/{match_id}").status_code == 404
    assert client.get(f"{API}/requests/{body['id']}").json()["matches"] == []


def test_a_request_without_any_name_is_refused_with_the_field_to_fix(caseworker_a):
    case = seeker_case(caseworker_a)
    response = post(
        verified_client(caseworker_a), f"{API}/cases/{case.pk}/requests", {"relationship": "child"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sought_given_name"
