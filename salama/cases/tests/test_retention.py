"""Retention: a dry-run report, then crypto-shredding of persons whose cases closed long ago."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from salama.cases import services
from salama.cases.models import ApprovalSettings, Case
from salama.cases.retention import apply_retention, retention_report
from salama.cases.tasks import run_retention
from salama.cases.tests.test_services import make_case, make_person, principal
from salama.people.models import Person

pytestmark = pytest.mark.django_db


def close(user, case, days_ago: int) -> Case:
    # Closed directly, as a supervisor closes (a caseworker's closure waits for approval).
    ApprovalSettings.objects.get_or_create(organisation=case.organisation, closure=False)
    services.close_case(
        actor=principal(user), case=case, reason="objectives_met", expected_version=case.version
    )
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=days_ago))
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def population(ngo_a, caseworker_a):
    ngo_a.retention_days = 100
    ngo_a.save()
    due = close(
        caseworker_a, make_case(caseworker_a, make_person(caseworker_a, "Old", "Closed")), 150
    )
    recent = close(
        caseworker_a, make_case(caseworker_a, make_person(caseworker_a, "Recent", "Closed")), 20
    )
    still_open = make_person(caseworker_a, "Still", "Open")
    close(caseworker_a, make_case(caseworker_a, still_open), 400)
    make_case(caseworker_a, still_open)
    return {"due": due, "recent": recent, "open": still_open}


def test_dry_run_lists_only_persons_due(population):
    items = retention_report()
    assert [i.person_id for i in items] == [population["due"].person_id]
    item = items[0]
    assert item.references == (population["due"].reference,)
    assert item.organisation == "NGO A"
    assert item.due_since == population["due"].closed_at.date() + dt.timedelta(days=100)
    assert Person.objects.filter(erased_at__isnull=False).count() == 0


def test_apply_erases_due_persons_and_keeps_the_statistical_rows(population):
    erased = apply_retention()
    assert len(erased) == 1
    person = Person.objects.get(pk=population["due"].person_id)
    assert person.erased_at is not None
    assert person.data_key.is_shredded
    assert person.sex and person.age_band  # the clear statistical facts remain
    case = Case.objects.get(pk=population["due"].pk)
    assert case.stage == "closed"
    assert case.retention_erased_at is not None
    assert Person.objects.filter(erased_at__isnull=False).count() == 1
    assert retention_report() == []


def test_a_person_with_an_open_case_is_never_erased(population):
    apply_retention(timezone.localdate() + dt.timedelta(days=5000))
    assert Person.objects.get(pk=population["open"].pk).erased_at is None


def test_the_longest_retention_among_the_holders_wins(
    population, ngo_b, caseworker_b, caseworker_a
):
    ngo_b.retention_days = 1000
    ngo_b.save()
    person = Person.objects.get(pk=population["due"].person_id)
    # The same person, worked by another organisation that keeps cases longer (the case arrived
    # there outside the open-case service, as a transferred or imported case would).
    other = Case.objects.create(
        reference="NGOB-OLD-1",
        organisation=ngo_b,
        person=person,
        case_type="returnee",
        stage="assistance_plan",
        assigned_to=caseworker_b,
        jurisdiction=ngo_b.country,
    )
    close(caseworker_b, other, 150)
    assert retention_report() == []


def test_command_is_a_dry_run_unless_applied(population):
    out = StringIO()
    call_command("retention", stdout=out)
    assert population["due"].reference in out.getvalue()
    assert "dry run" in out.getvalue()
    assert Person.objects.filter(erased_at__isnull=False).count() == 0
    call_command("retention", "--apply", stdout=StringIO())
    assert Person.objects.filter(erased_at__isnull=False).count() == 1


def test_task_reports_counts_only(population):
    result = run_retention.call(apply=False)
    assert result == {"applied": False, "due": 1, "erased": 0, "failed": 0}


def test_org_admin_sees_the_report_and_starts_the_run(population, org_admin_a, login):
    client = login(org_admin_a)
    response = client.get(reverse("cases:retention"))
    assert response.status_code == 200
    assert population["due"].reference in response.content.decode()
    assert population["recent"].reference not in response.content.decode()
    response = client.post(reverse("cases:retention-apply"))
    assert response.status_code == 302
    assert Person.objects.get(pk=population["due"].person_id).erased_at is not None


def test_other_organisations_admin_sees_nothing_of_ours(population, org_admin_b, login):
    client = login(org_admin_b)
    assert (
        population["due"].reference not in client.get(reverse("cases:retention")).content.decode()
    )
    client.post(reverse("cases:retention-apply"))
    assert Person.objects.get(pk=population["due"].person_id).erased_at is None


def test_caseworker_cannot_reach_retention(caseworker_a, login):
    client = login(caseworker_a)
    assert client.get(reverse("cases:retention")).status_code == 403
    assert client.post(reverse("cases:retention-apply")).status_code == 403


def test_the_case_page_of_an_erased_person_shows_no_identity(population, supervisor_a, login):
    apply_retention()
    response = login(supervisor_a).get(reverse("cases:case-detail", args=[population["due"].pk]))
    assert response.status_code == 200
    assert "This person was erased" in response.content.decode()
    assert "Old Closed" not in response.content.decode()
