"""The return section of the case page, the journeys list, the receiver's reception form, the
API and the programme counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import principal, verified_client
from salama.returns import services
from salama.returns.journey_queries import programme_counts
from salama.returns.models import ReturnJourney
from salama.returns.tests.helpers import (
    TODAY,
    consent,
    ready_to_depart,
    reception_service,
    return_case,
    step,
)

pytestmark = pytest.mark.django_db


def test_the_case_page_offers_to_open_a_journey_and_opens_it(caseworker_a) -> None:
    case = return_case(caseworker_a)
    client = verified_client(caseworker_a)
    page = client.get(f"/cases/{case.pk}/?open=return")
    assert page.status_code == 200
    assert 'id="return"' in page.content.decode()
    assert "Open a return journey" in page.content.decode()
    response = client.post(f"/returns/case/{case.pk}/open/", {"country": "KE"})
    assert response.status_code == 302
    assert response["Location"].endswith("?open=return#return")
    journey = ReturnJourney.objects.get(case=case)
    assert journey.country == "KE"
    text = client.get(f"/cases/{case.pk}/?open=return").content.decode()
    assert "Record a counselling session" in text
    assert "Record the decision to return" in text
    assert "Record the departure" not in text


def test_a_refused_step_keeps_what_was_typed_and_shows_the_reason_in_place(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    client = verified_client(caseworker_a)
    response = client.post(
        f"/returns/{journey.pk}/step/decide_return/",
        {"step-decide_return-on": TODAY.isoformat(), "step-decide_return-version": journey.version},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "no return consent in force" in text
    assert 'id="return" open' in text
    assert f'value="{TODAY.isoformat()}"' in text
    journey.refresh_from_db()
    assert journey.status == "counselling"


def test_a_counselling_session_is_recorded_from_the_case_page(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    client = verified_client(caseworker_a)
    response = client.post(
        f"/returns/{journey.pk}/step/counsel/",
        {
            "step-counsel-on": TODAY.isoformat(),
            "step-counsel-version": journey.version,
            "step-counsel-notes": "Explained the reintegration package.",
        },
    )
    assert response.status_code == 302
    text = client.get(f"/cases/{case.pk}/?open=return").content.decode()
    assert "Counselling session" in text and "Explained the reintegration package." in text


def test_the_reception_step_is_not_offered_to_the_host(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    response = verified_client(caseworker_a).post(f"/returns/{journey.pk}/step/receive/", {})
    assert response.status_code == 404


def test_the_list_shows_the_organisations_journeys_filtered(caseworker_a, caseworker_b) -> None:
    case = return_case(caseworker_a)
    services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    client = verified_client(caseworker_a)
    assert case.reference in client.get("/returns/").content.decode()
    assert case.reference in client.get("/returns/?status=counselling&country=KE").content.decode()
    assert case.reference not in client.get("/returns/?status=departed").content.decode()
    assert case.reference not in client.get("/returns/?country=ET").content.decode()
    assert case.reference not in verified_client(caseworker_b).get("/returns/").content.decode()


def test_the_receiver_records_reception_from_its_packet_page(
    caseworker_a, receiver_b, ngo_b
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    consent(caseworker_a, case, "referral", recipient=ngo_b)
    referral = services.send_reception_referral(
        actor=principal(caseworker_a),
        journey=journey,
        service=reception_service(ngo_b),
        purpose_note="Receive her.",
        packet_fields=["name"],
    )
    step(caseworker_a, journey, "depart", on=TODAY - dt.timedelta(days=1))
    step(caseworker_a, journey, "arrive", on=TODAY)
    client = verified_client(receiver_b)
    page = client.get(f"/referrals/inbox/{referral.pk}/").content.decode()
    assert "Record the reception" in page
    response = client.post(
        f"/returns/reception/{referral.pk}/",
        {"received_on": TODAY.isoformat(), "place": "JKIA arrivals hall"},
    )
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.status == "received"
    assert journey.received_by == receiver_b
    page = client.get(f"/referrals/inbox/{referral.pk}/").content.decode()
    assert "JKIA arrivals hall" in page and "Record the reception" not in page
    host = verified_client(caseworker_a).get(f"/cases/{case.pk}/?open=return").content.decode()
    assert "JKIA arrivals hall" in host


def test_the_api_takes_a_journey_through_its_steps(caseworker_a) -> None:
    case = return_case(caseworker_a)
    consent(caseworker_a, case)
    client = verified_client(caseworker_a)
    opened = client.post(
        f"/api/v1/returns/cases/{case.pk}/journeys",
        json.dumps({"country": "ke"}),
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["country"] == "KE" and "decide_return" in body["allowed_steps"]
    url = f"/api/v1/returns/journeys/{body['id']}/steps/decide_return"
    moved = client.post(url, json.dumps({"on": TODAY.isoformat()}), content_type="application/json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "decided"
    refused = client.post(
        f"/api/v1/returns/journeys/{body['id']}/steps/depart",
        json.dumps({"on": TODAY.isoformat()}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "Possible now" in refused.json()["detail"]
    listed = client.get("/api/v1/returns/journeys?status=decided").json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]


def test_the_api_adds_a_reintegration_action(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    client = verified_client(caseworker_a)
    url = f"/api/v1/returns/journeys/{journey.pk}/reintegration-plan"
    added = client.post(
        url,
        json.dumps(
            {
                "dimension": "psychosocial",
                "level": "individual",
                "kind": "psychosocial_support",
                "description": "Six counselling sessions in Nakuru",
                "unit_cost": "240.00",
                "currency": "USD",
            }
        ),
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["item_status"] == "requested"
    assert client.get(url).json()[0]["kind"] == "psychosocial_support"


def test_the_api_hides_a_journey_from_another_organisation(caseworker_a, caseworker_b) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    client = verified_client(caseworker_b)
    assert client.get(f"/api/v1/returns/journeys/{journey.pk}").status_code == 404
    response = client.post(
        f"/api/v1/returns/journeys/{journey.pk}/steps/counsel",
        json.dumps({"on": TODAY.isoformat(), "notes": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_programme_counts_count_each_event_in_its_month_and_country(
    caseworker_a, supervisor_a, data_officer_a, caseworker_b
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    step(caseworker_a, journey, "depart", on=TODAY)
    step(caseworker_a, journey, "arrive", on=TODAY)
    other = return_case(caseworker_a)
    cancelled = services.open_journey(actor=principal(caseworker_a), case=other, country="ET")
    step(caseworker_a, cancelled, "cancel", on=TODAY, reason="changed_mind")
    month = TODAY.strftime("%Y-%m")
    for user in (supervisor_a, data_officer_a):
        counts = programme_counts(principal(user))
        assert counts["totals"] == {
            "departures": 1,
            "arrivals": 1,
            "receptions": 0,
            "no_shows": 0,
            "cancellations": 1,
        }
        assert counts["by_month"][month]["departures"] == 1
        assert counts["by_country"]["KE"]["arrivals"] == 1
        assert counts["by_country"]["ET"]["cancellations"] == 1
    assert programme_counts(principal(supervisor_a), country="ET")["totals"]["departures"] == 0
    later = programme_counts(principal(supervisor_a), date_from=TODAY + dt.timedelta(days=1))
    assert sum(later["totals"].values()) == 0
    assert sum(programme_counts(principal(caseworker_b))["totals"].values()) == 0
