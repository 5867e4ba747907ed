"""The organisation admin's page for risk review intervals."""

from __future__ import annotations

import pytest

from salama.cases.safety import review_days
from salama.cases.safety_models import ReviewInterval
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/cases/review-intervals/"


def test_the_page_lists_each_level_with_its_current_days(org_admin_a, ngo_a, login):
    page = login(org_admin_a).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    for label in ("High", "Medium", "Low"):
        assert label in text
    assert 'name="high" value="7"' in text and 'name="low" value="90"' in text


def test_the_org_admin_sets_the_intervals_and_each_change_is_audited(org_admin_a, ngo_a, login):
    response = login(org_admin_a).post(URL, {"high": "3", "medium": "30", "low": "60"})
    assert response.status_code == 302
    assert (review_days(ngo_a, "high"), review_days(ngo_a, "low")) == (3, 60)
    # Medium was left at the default: nothing stored, nothing audited for it.
    assert not ReviewInterval.objects.filter(level="medium").exists()
    assert AuditEntry.objects.filter(action="org.review_interval").count() == 2


def test_a_number_outside_a_year_is_refused_and_nothing_changes(org_admin_a, ngo_a, login):
    response = login(org_admin_a).post(URL, {"high": "0", "medium": "400", "low": "90"})
    assert response.status_code == 400
    assert not ReviewInterval.objects.exists()


def test_another_organisations_intervals_are_its_own(org_admin_a, org_admin_b, ngo_b, login):
    login(org_admin_a).post(URL, {"high": "2", "medium": "30", "low": "90"})
    assert review_days(ngo_b, "high") == 7
    assert 'name="high" value="7"' in login(org_admin_b).get(URL).content.decode()


def test_a_caseworker_or_supervisor_cannot_open_the_page(caseworker_a, supervisor_a, login):
    assert login(caseworker_a).get(URL).status_code in (403, 404)
    assert login(supervisor_a).get(URL).status_code in (403, 404)


def test_the_org_admins_home_page_links_to_it(org_admin_a, login):
    assert URL in login(org_admin_a).get("/").content.decode()
