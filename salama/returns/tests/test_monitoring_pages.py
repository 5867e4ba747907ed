"""Monitoring pages: the receiver records through its referral and never reaches the case; the
host reads the scores on its case page; another organisation gets 404; the programme view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import principal, verified_client
from salama.returns import monitoring
from salama.returns.monitoring_models import VisitStatus
from salama.returns.tests.monitoring_world import answers_at, days_ago, open_returnee_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def returnee(caseworker_a, ngo_b, receiver_b):
    world = open_returnee_case(caseworker_a, ngo_b, receiver_b)
    # As the return journey's arrival event would: monitored by the receiving organisation.
    schedule = monitoring._create_schedule(
        world.case,
        arrived_on=days_ago(200),
        country="KE",
        reception_referral=world.referral,
        created_by=None,
    )
    world.schedule = schedule
    return world


def visit_post(level="best", **extra):
    data = {"visited_on": days_ago(1).isoformat(), "place": "home"}
    data.update({f"q_{k}": v for k, v in answers_at(level).items()})
    data.update(extra)
    return data


def test_the_receiver_records_two_visits_and_sees_the_score_trend(returnee, receiver_b):
    client = verified_client(receiver_b)
    page = reverse("returns:monitoring-reception", args=[returnee.referral.pk])
    listing = client.get(page)
    assert listing.status_code == 200
    assert "Record the visit" in listing.content.decode()
    three, six = (returnee.schedule.visits.get(month=m) for m in (3, 6))
    form = client.get(reverse("returns:monitoring-visit", args=[three.pk]))
    assert form.status_code == 200 and 'type="radio"' in form.content.decode()
    done = client.post(reverse("returns:monitoring-visit", args=[three.pk]), visit_post("worst"))
    assert done.status_code == 302 and done.url == page
    client.post(reverse("returns:monitoring-visit", args=[six.pk]), visit_post("best"))
    assert set(returnee.schedule.visits.values_list("status", flat=True)) == {
        VisitStatus.DONE,
        VisitStatus.SCHEDULED,
    }
    shown = client.get(page).content.decode()
    assert 'src="data:image/svg+xml;base64,' in shown  # the trend chart
    assert "0.00" in shown and "1.00" in shown  # its data table: worst then best


def test_the_receiver_never_reaches_the_case_page(returnee, receiver_b):
    client = verified_client(receiver_b)
    assert client.get(returnee.case.get_absolute_url()).status_code == 404
    shown = client.get(
        reverse("returns:monitoring-reception", args=[returnee.referral.pk])
    ).content.decode()
    assert returnee.case.reference not in shown


def test_the_host_sees_scores_on_the_case_page_without_recording(
    returnee, caseworker_a, receiver_b
):
    monitoring.record_monitoring_visit(
        returnee.schedule.visits.get(month=3),
        actor=principal(receiver_b),
        answers=answers_at("best"),
        visited_on=days_ago(2),
        place="office",
    )
    client = verified_client(caseworker_a)
    page = client.get(returnee.case.get_absolute_url() + "?open=monitoring").content.decode()
    assert 'id="monitoring"' in page
    assert "Reintegration monitoring" in page
    assert "The receiving organisation records these visits" in page
    assert (
        reverse("returns:monitoring-visit", args=[returnee.schedule.visits.get(month=6).pk])
        not in page
    )
    six = returnee.schedule.visits.get(month=6)
    assert client.get(reverse("returns:monitoring-visit", args=[six.pk])).status_code == 404


def test_another_organisation_gets_404_on_every_monitoring_page(returnee, ngo_b):
    from conftest import make_user
    from salama.accounts.models import Organisation
    from salama.core.roles import Role

    ngo_c = Organisation.objects.create(
        name="NGO C", org_type="NGO", country="EG", reference_prefix="NGOC"
    )
    client = verified_client(make_user(ngo_c, Role.SERVICE_PROVIDER, "p@c.example"))
    visit = returnee.schedule.visits.get(month=3)
    for url in (
        reverse("returns:monitoring-reception", args=[returnee.referral.pk]),
        reverse("returns:monitoring-visit", args=[visit.pk]),
        reverse("returns:monitoring-lost-contact", args=[visit.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("returns:monitoring-visit", args=[visit.pk]), visit_post()).status_code
        == 404
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED


def test_lost_contact_is_recorded_from_its_page(returnee, receiver_b):
    client = verified_client(receiver_b)
    visit = returnee.schedule.visits.get(month=3)
    url = reverse("returns:monitoring-lost-contact", args=[visit.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400
    client.post(
        url,
        {
            "on_1": days_ago(3).isoformat(),
            "channel_1": "phone",
            "on_2": days_ago(2).isoformat(),
            "channel_2": "through_family",
        },
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.LOST_CONTACT and len(visit.attempts) == 2


def test_the_packet_page_shows_the_monitoring_section(returnee, receiver_b):
    page = verified_client(receiver_b).get(reverse("referrals:packet", args=[returnee.referral.pk]))
    assert 'id="monitoring"' in page.content.decode()


def test_a_caseworker_schedules_monitoring_from_the_case_page(caseworker_a, ngo_b, receiver_b):
    world = open_returnee_case(caseworker_a, ngo_b, receiver_b)
    client = verified_client(caseworker_a)
    response = client.post(
        reverse("returns:monitoring-schedule", args=[world.case.pk]),
        {"arrived_on": days_ago(30).isoformat(), "country": "KE"},
    )
    assert response.status_code == 302
    assert world.case.monitoring_schedules.get().visits.count() == 3


def test_the_programme_view_counts_coverage_and_shows_charts_with_their_tables(
    returnee, receiver_b, supervisor_b, data_officer_a
):
    prov = principal(receiver_b)
    monitoring.record_monitoring_visit(
        returnee.schedule.visits.get(month=3),
        actor=prov,
        answers=answers_at("best"),
        visited_on=days_ago(2),
        place="home",
    )
    monitoring.record_lost_contact(
        returnee.schedule.visits.get(month=6),
        actor=prov,
        attempts=[{"on": days_ago(1), "channel": "phone"}],
    )
    page = verified_client(supervisor_b).get(reverse("returns:programme"))
    assert page.status_code == 200
    figures = page.context["figures"]
    assert {r["code"]: r["count"] for r in figures["coverage"]} == {
        "due": 0,
        "upcoming": 1,
        "done": 1,
        "lost_contact": 1,
        "cancelled": 0,
    }
    assert figures["by_country"][0]["label"] == "Kenya"
    assert figures["by_assistance"][0]["code"] == "reintegration"
    assert page.content.decode().count('src="data:image/svg+xml;base64,') == 4
    # The host's data officer counts the same schedule; a filter on another country empties it.
    other = verified_client(data_officer_a).get(reverse("returns:programme") + "?country=EG")
    assert {r["code"]: r["count"] for r in other.context["figures"]["coverage"]}["done"] == 0


def test_the_programme_view_shows_the_journeys_departures_and_arrivals(supervisor_b, monkeypatch):
    from salama.returns import journey_queries

    def counts(principal, *, date_from, date_to, country):
        totals = {
            "departures": 4,
            "arrivals": 3,
            "receptions": 2,
            "no_shows": 0,
            "cancellations": 1,
        }
        return {"totals": totals, "by_month": {}, "by_country": {}}

    monkeypatch.setattr(journey_queries, "programme_counts", counts)
    page = verified_client(supervisor_b).get(reverse("returns:programme")).content.decode()
    assert "Departures" in page and ">4<" in page and ">3<" in page
    assert "Received in the country of origin" in page and "receptions" not in page


def test_an_org_admin_changes_the_programme_settings(org_admin_b, caseworker_b, ngo_b):
    url = reverse("returns:programme-settings")
    assert verified_client(caseworker_b).get(url).status_code == 404
    client = verified_client(org_admin_b)
    assert client.get(url).status_code == 200
    assert client.post(url, {"visit_months": "3, 9", "threshold": "0.4"}).status_code == 302
    assert monitoring.programme_for(ngo_b).visit_months == [3, 9]
