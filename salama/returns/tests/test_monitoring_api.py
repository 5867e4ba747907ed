"""Monitoring over the API: the receiver records a visit and the host reads the scores; another
organisation gets 404; bad answers are refused with 422 naming the field; the programme."""

from __future__ import annotations

import pytest

from conftest import make_user
from salama.accounts.models import Organisation
from salama.accounts.services import create_api_token
from salama.core.roles import Role
from salama.returns import monitoring
from salama.returns.tests.monitoring_world import answers_at, days_ago, open_returnee_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/returns"


def bearer(client, user, scopes):
    from conftest import principal

    _token, secret = create_api_token(actor=principal(user), name="t", scopes=scopes)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture
def returnee(caseworker_a, ngo_b, receiver_b):
    world = open_returnee_case(caseworker_a, ngo_b, receiver_b)
    world.schedule = monitoring._create_schedule(
        world.case,
        arrived_on=days_ago(200),
        country="KE",
        reception_referral=world.referral,
        created_by=None,
    )
    return world


def test_the_receiver_records_a_visit_and_the_host_reads_its_scores(
    client, returnee, receiver_b, caseworker_a
):
    from django.test import Client

    prov = bearer(Client(), receiver_b, ["referral.receive"])
    listed = prov.get(f"{BASE}/monitoring/referrals/{returnee.referral.pk}").json()
    visit = next(v for v in listed[0]["visits"] if v["month"] == 3)
    assert listed[0]["can_record"] is True
    response = prov.post(
        f"{BASE}/monitoring/visits/{visit['id']}/record",
        {"visited_on": days_ago(1).isoformat(), "place": "home", "answers": answers_at("worst")},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["composite"] == 0.0
    assert response.json()["below_threshold"] == ["economic", "social", "psychosocial", "composite"]
    host = bearer(Client(), caseworker_a, ["case.view"]).get(
        f"{BASE}/monitoring/cases/{returnee.case.pk}"
    )
    shown = host.json()[0]
    assert shown["can_record"] is False
    assert next(v for v in shown["visits"] if v["month"] == 3)["weight_version"] == "1"


def test_an_unknown_answer_is_refused_with_422_naming_the_question(returnee, receiver_b):
    from django.test import Client

    prov = bearer(Client(), receiver_b, ["referral.receive"])
    visit = returnee.schedule.visits.get(month=3)
    response = prov.post(
        f"{BASE}/monitoring/visits/{visit.pk}/record",
        {
            "visited_on": days_ago(1).isoformat(),
            "place": "home",
            "answers": {"housing_quality": "palatial"},
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert any("housing_quality" in e["field"] for e in response.json()["errors"])


def test_another_organisation_gets_404_on_the_monitoring_api(returnee):
    from django.test import Client

    ngo_c = Organisation.objects.create(
        name="NGO C", org_type="NGO", country="EG", reference_prefix="NGOC"
    )
    outsider = bearer(
        Client(), make_user(ngo_c, Role.SERVICE_PROVIDER, "p@c.example"), ["referral.receive"]
    )
    visit = returnee.schedule.visits.get(month=3)
    assert outsider.get(f"{BASE}/monitoring/referrals/{returnee.referral.pk}").status_code == 404
    response = outsider.post(
        f"{BASE}/monitoring/visits/{visit.pk}/lost-contact",
        {"attempts": [{"on": days_ago(1).isoformat(), "channel": "phone"}]},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_lost_contact_and_the_programme_figures_over_the_api(returnee, receiver_b, supervisor_b):
    from django.test import Client

    prov = bearer(Client(), receiver_b, ["referral.receive"])
    visit = returnee.schedule.visits.get(month=3)
    done = prov.post(
        f"{BASE}/monitoring/visits/{visit.pk}/lost-contact",
        {"attempts": [{"on": days_ago(1).isoformat(), "channel": "phone"}]},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "lost_contact"
    figures = (
        bearer(Client(), supervisor_b, ["stats.view"]).get(f"{BASE}/programme?country=KE").json()
    )
    assert {c["code"]: c["count"] for c in figures["coverage"]}["lost_contact"] == 1
    assert {c["code"]: c["count"] for c in figures["journey"]}["departures"] == 0
