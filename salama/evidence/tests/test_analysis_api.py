"""The analysts' API: differentially private tables against the ε ledger, and the factor
analysis by UN M49 region; the same services and role rules as the pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from conftest import verified_client
from salama.evidence import factor_queries
from salama.evidence.release_data import factor_rows
from salama.evidence.release_models import PrivacyLedgerEntry
from salama.evidence.tests.factories import open_cases

pytestmark = pytest.mark.django_db

API = "/api/v1/evidence"


def _publish(client: Any, **body: Any) -> Any:
    payload = {"dimensions": ["gender"], "measure": "count", "epsilon": 0.5, **body}
    return client.post(f"{API}/privacy/tables", payload, content_type="application/json")


def test_a_data_officer_publishes_a_table_that_states_its_epsilon_and_error_bound(
    data_officer_a: Any, caseworker_a: Any
) -> None:
    open_cases(caseworker_a, 3)
    client = verified_client(data_officer_a)
    response = _publish(client)
    assert response.status_code == 201, response.content
    table = response.json()
    assert table["epsilon"] == pytest.approx(0.5, abs=1e-6)
    assert table["error_bound_95"] == pytest.approx(6.4, abs=0.05)
    assert table["dimensions"] == ["gender"] and table["measure"] == "count"
    assert {tuple(cell["key"]) for cell in table["cells"]} >= {("Female",), ("Male",), ("-99",)}
    for cell in table["cells"]:
        assert cell["above_bound"] == (cell["value"] >= table["error_bound_95"])
    again = client.get(f"{API}/privacy/tables/{table['id']}").json()
    assert again == table
    ledger = client.get(f"{API}/privacy").json()
    assert ledger["spent"] == pytest.approx(0.5) and ledger["left"] == pytest.approx(1.5)
    assert [t["id"] for t in ledger["tables"]] == [table["id"]]


def test_a_table_past_the_budget_is_refused_and_nothing_is_spent(
    settings: Any, data_officer_a: Any
) -> None:
    settings.SALAMA_DP_BUDGET = 1.0
    client = verified_client(data_officer_a)
    assert _publish(client, epsilon=0.8).status_code == 201
    refused = _publish(client, epsilon=0.5)
    assert refused.status_code == 422
    body = refused.json()
    assert body["errors"][0]["field"] == "epsilon"
    assert "only 0.2 of the budget of 1 is left" in body["errors"][0]["message"]
    assert PrivacyLedgerEntry.objects.count() == 1
    assert client.get(f"{API}/privacy").json()["spent"] == pytest.approx(0.8)


def test_a_sum_states_its_clamp_and_a_table_of_too_many_cells_spends_nothing(
    data_officer_a: Any,
) -> None:
    client = verified_client(data_officer_a)
    summed = _publish(client, measure="duration_months", epsilon=1)
    assert summed.status_code == 201 and summed.json()["bounds"] == [0.0, 120.0]
    huge = _publish(client, dimensions=["citizenship", "CountryOfExploitation"])
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "dimensions"
    assert PrivacyLedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"epsilon": 0},
        {"epsilon": 11},
        {"dimensions": []},
        {"dimensions": ["gender", "ageBroad", "citizenship", "majorityStatus"]},
        {"dimensions": ["name"]},
        {"measure": "amount"},
    ],
)
def test_input_beyond_the_limits_is_422_and_spends_nothing(data_officer_a: Any, body: Any) -> None:
    response = _publish(verified_client(data_officer_a), **body)
    assert response.status_code == 422
    assert PrivacyLedgerEntry.objects.count() == 0


def test_a_caseworker_may_not_publish_or_read_tables_or_factors(caseworker_a: Any) -> None:
    client = verified_client(caseworker_a)
    assert _publish(client).status_code == 403
    assert client.get(f"{API}/privacy").status_code == 403
    assert client.get(f"{API}/factors").status_code == 403


def test_another_organisations_table_is_not_found(data_officer_a: Any, org_admin_b: Any) -> None:
    table = _publish(verified_client(data_officer_a)).json()
    other = verified_client(org_admin_b)
    assert other.get(f"{API}/privacy/tables/{table['id']}").status_code == 404
    assert other.get(f"{API}/privacy").json()["tables"] == []


def _factor_frame() -> pd.DataFrame:
    data = []
    groups = [("JO", (30, 20, 15, 40)), ("LB", (30, 20, 15, 40)), ("IN", (3, 2, 1, 4))]
    for country, (a, b, c, d) in groups:
        for (flag, outcome), count in (((1, 1), a), ((1, 0), b), ((0, 1), c), ((0, 0), d)):
            data += [
                {"country": country, "domv:debt": flag, "isSexualExploitation": outcome}
            ] * count
    return pd.DataFrame(data)


def test_the_factor_api_gives_odds_ratios_by_m49_region_and_withholds_groups_under_k(
    monkeypatch: Any, data_officer_a: Any
) -> None:
    monkeypatch.setattr(factor_queries, "factor_rows", lambda organisation_id: _factor_frame())
    body = verified_client(data_officer_a).get(f"{API}/factors").json()
    assert body["outcome"] == "isSexualExploitation" and body["min_cell"] == 11
    assert body["cases"] == 220
    shown = {(r["level"], r["region_name"]) for r in body["results"]}
    # Western Asia (JO + LB) reaches k; Southern Asia (IN) does not, so Asia stands for it —
    # and Western Asia is withheld, for Asia minus Western Asia would be Southern Asia.
    assert shown == {("all", "All"), ("region", "Asia")}
    asia = next(r for r in body["results"] if r["level"] == "region")
    assert asia["factor"] == "domv:debt" and min(asia["cells"]) >= 11
    assert asia["ci_low"] < asia["odds_ratio"] < asia["ci_high"]
    withheld = {(w["region_name"], w["text"]) for w in body["withheld"]}
    assert withheld == {("Western Asia", "fewer than 11"), ("Southern Asia", "fewer than 11")}


def test_the_factor_api_refuses_an_unknown_outcome(data_officer_a: Any) -> None:
    response = verified_client(data_officer_a).get(f"{API}/factors", {"outcome": "isOrganRemoval"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "outcome"


def test_factor_rows_carry_the_jurisdiction_country_and_no_identifying_value(
    caseworker_a: Any,
) -> None:
    case = open_cases(caseworker_a, 1)[0]
    rows = factor_rows(case.organisation_id)
    assert list(rows["country"]) == [case.jurisdiction]
    assert set(rows.columns) <= {"country", "isSexualExploitation", "isForcedLabour"}


def test_a_dashboard_table_downloads_as_hxl_with_small_counts_withheld(
    settings: Any, caseworker_a: Any, data_officer_a: Any, tmp_path: Any
) -> None:
    import hxl

    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    open_cases(caseworker_a, 4, sex="female")
    open_cases(caseworker_a, 1, sex="male")
    client = verified_client(data_officer_a)
    response = client.get(f"{API}/dashboard/tables/stage/download", {"format": "hxl"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    path = tmp_path / "stage.csv"
    path.write_bytes(response.content)
    data = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    rows = {row.get("#status"): row.get("#affected") for row in data}
    assert rows["Registered (not yet screened)"] == "5"
    male = client.get(f"{API}/dashboard/tables/stage/download", {"format": "csv", "sex": "male"})
    assert "fewer than 3" in male.content.decode()


def test_an_unknown_dashboard_table_is_422_and_a_service_provider_403(
    data_officer_a: Any, receiver_a: Any
) -> None:
    missing = verified_client(data_officer_a).get(f"{API}/dashboard/tables/nothing/download")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "table"
    refused = verified_client(receiver_a).get(f"{API}/dashboard/tables/stage/download")
    assert refused.status_code == 403
