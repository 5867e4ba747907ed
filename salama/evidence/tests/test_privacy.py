"""Differentially private tables (OpenDP) and the ε ledger that refuses tables past the budget."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import principal, verified_client
from salama.evidence import privacy, privacy_services, release
from salama.evidence.release_models import PrivacyLedgerEntry


def _table(n: int = 200) -> pd.DataFrame:
    raw = pd.DataFrame(
        {
            "year": [2024] * n,
            "sex": ["female", "male"] * (n // 2),
            "age": [25] * n,
            "citizenship": ["PH"] * n,
            "exploitation_country": ["AE"] * n,
            "exploitation_types": ["ForcedLabour"] * n,
            "methods_of_control": [""] * n,
        }
    )
    return release.generalise(raw)


def test_a_count_table_states_its_epsilon_and_accuracy_and_covers_the_public_categories() -> None:
    result = privacy.count_table(_table(), ["gender"], 0.5)
    assert result["epsilon"] == pytest.approx(0.5)
    assert result["accuracy"] == pytest.approx(6.43, abs=0.01)  # discrete Laplace, scale 2
    assert [c["key"] for c in result["cells"]] == [["Female"], ["Male"], ["-99"]]
    female = result["cells"][0]["value"]
    assert abs(female - 100) < 40  # noise around the true 100, far inside 6 scales


def test_categories_come_from_the_codebook_not_the_data() -> None:
    result = privacy.count_table(_table(10), ["ageBroad"], 1.0)
    assert len(result["cells"]) == 10  # nine bands and -99, though all rows are 24--26


def test_too_many_cells_or_an_unknown_column_are_refused() -> None:
    with pytest.raises(privacy.PrivacyRefused, match="more than 5000"):
        privacy.count_table(_table(), ["citizenship", "CountryOfExploitation"], 1.0)
    with pytest.raises(privacy.PrivacyRefused, match="not a published column"):
        privacy.count_table(_table(), ["first_name"], 1.0)


def test_a_bounded_sum_clamps_each_case_and_states_its_accuracy() -> None:
    table = _table(4)
    result = privacy.sum_table(
        table, pd.Series([1000, 1, 2, 3]), "duration_months", ["gender"], 1.0
    )
    assert result["bounds"] == [0.0, 120.0]
    assert result["accuracy"] == pytest.approx(359.5, rel=0.01)  # Laplace scale 120


@settings(max_examples=200)
@given(
    epsilons=st.lists(st.floats(min_value=0.001, max_value=3.0), max_size=30),
    limit=st.floats(min_value=0.1, max_value=5.0),
)
def test_the_ledger_never_accepts_more_than_the_budget(epsilons: list[float], limit: float) -> None:
    spent = 0.0
    for epsilon in epsilons:
        if privacy_services.budget_allows(spent, epsilon, limit):
            spent += epsilon
    assert spent <= limit + privacy_services.TOLERANCE


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(epsilons=st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.8, 1.5]), min_size=1, max_size=8))
def test_publishing_refuses_the_table_that_would_pass_the_budget(
    epsilons: list[float], data_officer_a: Any, settings: Any
) -> None:
    settings.SALAMA_DP_BUDGET = 1.0
    PrivacyLedgerEntry.objects.all().delete()
    actor = principal(data_officer_a)
    for epsilon in epsilons:
        before = privacy_services.spent(actor.organisation)
        try:
            privacy_services.publish_dp_table(actor=actor, dimensions=["gender"], epsilon=epsilon)
        except ValidationError as exc:
            assert "of the budget of 1 is left" in " ".join(exc.messages)
            assert before + epsilon > 1.0
        assert privacy_services.spent(actor.organisation) <= 1.0 + privacy_services.TOLERANCE


@pytest.mark.django_db
def test_the_page_publishes_a_table_and_shows_its_epsilon_and_accuracy(
    data_officer_a: Any,
) -> None:
    client = verified_client(data_officer_a)
    response = client.post(
        reverse("evidence:dp-tables"),
        {"dimensions": ["gender"], "measure": "count", "epsilon": "0.5"},
    )
    entry = PrivacyLedgerEntry.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("evidence:dp-table", args=[entry.pk])).content.decode()
    assert "Privacy loss ε" in page and "± 6.4" in page
    ledger = client.get(reverse("evidence:dp-tables")).content.decode()
    assert "0.500" in ledger
