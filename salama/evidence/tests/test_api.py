"""The evidence API: the same figures, withholding and scopes as the pages; exports end to end."""

from __future__ import annotations

import pytest

from conftest import verified_client
from salama.evidence.dashboard_models import ExportJob
from salama.evidence.tests.factories import open_cases

pytestmark = pytest.mark.django_db

API = "/api/v1/evidence"


def stage_values(body: dict) -> dict[str, dict]:
    table = next(t for t in body["tables"] if t["key"] == "stage")
    return {row["label"]: row["values"][0] for row in table["rows"]}


def test_the_dashboard_api_withholds_small_counts_as_null(settings, caseworker_a, data_officer_a):
    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    open_cases(caseworker_a, 2)
    body = verified_client(data_officer_a).get(f"{API}/dashboard").json()
    assert body["scope"] == {"deployment": False, "exact": False, "min_cell": 3}
    value = stage_values(body)["Registered (not yet screened)"]
    assert value == {"n": None, "text": "fewer than 3"}
    exact = verified_client(caseworker_a).get(f"{API}/dashboard").json()
    assert stage_values(exact)["Registered (not yet screened)"]["n"] == 2


def test_the_dashboard_api_filters_by_sex(caseworker_a):
    open_cases(caseworker_a, 2, sex="female")
    open_cases(caseworker_a, 1, sex="male")
    body = verified_client(caseworker_a).get(f"{API}/dashboard", {"sex": "male"}).json()
    assert stage_values(body)["Registered (not yet screened)"]["n"] == 1


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "2026-1"])
def test_the_dashboard_api_refuses_a_malformed_month_with_the_field_named(caseworker_a, month):
    response = verified_client(caseworker_a).get(f"{API}/dashboard", {"start": month})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


def test_a_service_provider_gets_no_figures_from_the_api(receiver_a):
    assert verified_client(receiver_a).get(f"{API}/dashboard").status_code == 403


def test_the_indicators_api_tags_the_global_compact_objectives(caseworker_a):
    body = verified_client(caseworker_a).get(f"{API}/indicators").json()
    codes = {i["code"]: i for i in body}
    assert codes["10.7.1"]["computable"] is False
    assert any("Objective 10" in o for o in codes["16.2.2"]["gcm_objectives"])


def test_an_export_requested_through_the_api_is_followed_and_downloaded(
    caseworker_a, supervisor_a, caseworker_b, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 2)
    client = verified_client(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"{API}/exports", {"format": "csv"}, content_type="application/json")
    assert asked.status_code == 202
    job_id = asked.json()["id"]
    status = client.get(f"{API}/exports/{job_id}").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["rows"] == 2
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download.content.decode("utf-8-sig").startswith(
        "Reference"
    )
    assert verified_client(caseworker_b).get(f"{API}/exports/{job_id}").status_code == 404
    assert ExportJob.objects.get(pk=job_id).downloads == 1
