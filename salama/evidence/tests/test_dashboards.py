"""The dashboard: who sees it, small counts withheld, filters, counts kept current, charts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conftest import principal, verified_client
from salama.cases.models import Case, ExploitationRecord
from salama.core import events
from salama.evidence import counts, figures
from salama.evidence.dashboard_models import CaseCount, CountsFreshness
from salama.evidence.tests.factories import open_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def k3(settings):
    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    return 3


def stage_row(board: figures.Dashboard, label: str) -> figures.Value:
    return dict(board.table("stage").rows)[label][0]


def test_a_data_officer_sees_fewer_than_k_where_a_caseworker_sees_the_exact_count(
    k3, caseworker_a, data_officer_a
):
    open_cases(caseworker_a, 2)
    for user, expected in ((caseworker_a, "2"), (data_officer_a, "fewer than 3")):
        board = figures.build(principal(user))
        assert stage_row(board, "Registered (not yet screened)").text == expected


def test_a_count_at_k_is_shown_to_a_data_officer(k3, caseworker_a, data_officer_a):
    open_cases(caseworker_a, 3)
    board = figures.build(principal(data_officer_a))
    value = stage_row(board, "Registered (not yet screened)")
    assert value.n == 3 and value.text == "3"


def test_the_page_withholds_a_small_count_from_a_data_officer(k3, caseworker_a, data_officer_a):
    open_cases(caseworker_a, 2)
    page = verified_client(data_officer_a).get(reverse("evidence:dashboard"))
    assert page.status_code == 200
    assert "fewer than 3" in page.content.decode()


def test_a_caseworker_sees_only_her_own_organisations_figures(caseworker_a, caseworker_b):
    open_cases(caseworker_a, 2)
    open_cases(caseworker_b, 5)
    board = figures.build(principal(caseworker_b))
    assert stage_row(board, "Registered (not yet screened)").n == 5
    assert set(board.scope.organisation_ids or ()) == {
        caseworker_b.memberships.get().organisation_id
    }


def test_a_caseworker_cannot_choose_another_organisation(caseworker_a, caseworker_b, ngo_a):
    open_cases(caseworker_a, 4)
    board = figures.build(principal(caseworker_b), figures.Filters(organisation_id=ngo_a.pk))
    assert board.table("stage").rows == []


def test_a_service_provider_has_no_dashboard(receiver_a):
    with pytest.raises(PermissionDenied):
        figures.build(principal(receiver_a))
    assert verified_client(receiver_a).get(reverse("evidence:dashboard")).status_code == 403


def test_a_system_administrator_sees_every_organisation_as_aggregates(
    k3, caseworker_a, caseworker_b, admin_user
):
    open_cases(caseworker_a, 4)
    open_cases(caseworker_b, 2)
    counts.refresh_stale()
    board = figures.build(principal(admin_user))
    assert board.scope.deployment and not board.scope.exact
    assert stage_row(board, "Registered (not yet screened)").n == 6


def test_a_data_officer_of_a_granted_organisation_sees_the_deployment(
    settings, caseworker_a, caseworker_b, data_officer_a, ngo_b
):
    settings.SALAMA_EVIDENCE_DEPLOYMENT_ORGANISATIONS = [
        data_officer_a.memberships.get().organisation.name
    ]
    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    open_cases(caseworker_a, 3)
    open_cases(caseworker_b, 4)
    counts.refresh_stale()
    everyone = figures.build(principal(data_officer_a))
    only_b = figures.build(principal(data_officer_a), figures.Filters(organisation_id=ngo_b.pk))
    assert stage_row(everyone, "Registered (not yet screened)").n == 7
    assert stage_row(only_b, "Registered (not yet screened)").n == 4


def test_filters_narrow_the_figures_by_sex_age_band_country_and_period(caseworker_a):
    open_cases(caseworker_a, 2, sex="female", age=25)
    open_cases(caseworker_a, 3, sex="male", age=40)
    last_year = timezone.now() - dt.timedelta(days=400)
    old = open_cases(caseworker_a, 1, sex="male", age=40)[0]
    Case.objects.filter(pk=old.pk).update(opened_at=last_year)
    counts.refresh(old.organisation_id)
    me = principal(caseworker_a)
    label = "Registered (not yet screened)"
    assert stage_row(figures.build(me, figures.Filters(sex="female")), label).n == 2
    assert stage_row(figures.build(me, figures.Filters(age_band="39-47")), label).n == 4
    this_month = timezone.localdate().replace(day=1)
    assert stage_row(figures.build(me, figures.Filters(start=this_month)), label).n == 5
    assert figures.build(me, figures.Filters(country="ZZ")).table("stage").rows == []


def test_the_page_refuses_a_period_that_ends_before_it_starts(caseworker_a):
    page = verified_client(caseworker_a).get(
        reverse("evidence:dashboard"), {"start": "2026-05", "end": "2026-01"}
    )
    assert "The period starts after it ends" in page.content.decode()


def test_forms_of_exploitation_count_a_case_once_under_each_form(caseworker_a):
    case = open_cases(caseworker_a, 1)[0]
    ExploitationRecord.objects.create(
        case=case, types_of_exploitation=["ForcedLabour", "SexualExploitation", "ForcedLabour"]
    )
    counts.refresh(case.organisation_id)
    rows = dict(figures.build(principal(caseworker_a)).table("exploitation").rows)
    assert rows["Forced labour"][0].n == 1 and rows["Sexual exploitation"][0].n == 1


def test_a_domain_event_marks_the_counts_stale_and_refreshes_them(
    caseworker_a, django_capture_on_commit_callbacks
):
    case = open_cases(caseworker_a, 1)[0]
    counts.refresh(case.organisation_id)
    open_cases(caseworker_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("case.opened", organisation_id=case.organisation_id, record_id=1)
    freshness = CountsFreshness.objects.get(organisation_id=case.organisation_id)
    assert freshness.stale_since is None  # the immediate task backend refreshed it
    assert (
        CaseCount.objects.filter(organisation_id=case.organisation_id, measure="opened").get().n
        == 2
    )


def test_the_refresh_command_counts_every_stale_organisation(caseworker_a, caseworker_b):
    from django.core.management import call_command

    open_cases(caseworker_a, 1)
    open_cases(caseworker_b, 2)
    call_command("evidence_refresh")
    assert CaseCount.objects.filter(measure="opened").count() == 2
    assert not counts.stale_organisations()


def test_charts_are_pygal_svg_with_nothing_inline_that_the_csp_would_block(caseworker_a):
    open_cases(caseworker_a, 2)
    page = verified_client(caseworker_a).get(reverse("evidence:dashboard")).content.decode()
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert svgs, "the dashboard draws charts"
    for svg in svgs:
        assert "pygal-chart" in svg
        assert "<style" not in svg and "<script" not in svg and "style=" not in svg
    assert "Show the table" in page


def test_the_dashboard_reads_only_the_counts_not_the_case_table(
    caseworker_a, django_assert_max_num_queries
):
    open_cases(caseworker_a, 3)
    counts.refresh(caseworker_a.memberships.get().organisation_id)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        figures.build(principal(caseworker_a))
    assert not any('"cases_case"' in q["sql"] for q in captured.captured_queries)


def test_an_event_during_a_refresh_makes_it_count_again(
    caseworker_a, monkeypatch, django_capture_on_commit_callbacks
):
    case = open_cases(caseworker_a, 1)[0]
    org_id = case.organisation_id
    counts.refresh(org_id)
    cells = counts._cells

    def an_event_arrives_while_counting(*args, **kwargs):
        CountsFreshness.objects.filter(organisation_id=org_id).update(stale_since=timezone.now())
        monkeypatch.setattr(counts, "_cells", cells)  # once
        return cells(*args, **kwargs)

    monkeypatch.setattr(counts, "_cells", an_event_arrives_while_counting)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        counts.refresh(org_id)
    assert len(queued) >= 1, "a second refresh is queued"
    assert CountsFreshness.objects.get(organisation_id=org_id).stale_since is None
