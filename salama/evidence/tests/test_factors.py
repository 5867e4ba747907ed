"""Odds ratios of factors against forms of exploitation: only on 2×2 tables whose cells reach k."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from conftest import verified_client
from salama.evidence import factors


def _rows(a: int, b: int, c: int, d: int, country: str = "JO") -> pd.DataFrame:
    """a cases with the factor and the outcome, b with the factor only, c outcome only, d neither."""
    parts = [([1, 1], a), ([1, 0], b), ([0, 1], c), ([0, 0], d)]
    data = [values for values, count in parts for _ in range(count)]
    frame = pd.DataFrame(data, columns=["domv:debt", "isSexualExploitation"])
    frame["country"] = country
    return frame


def test_the_odds_ratio_and_its_interval_match_the_2x2_table() -> None:
    results, skipped = factors.odds_ratios(
        _rows(30, 20, 15, 40), ["domv:debt"], "isSexualExploitation", 11
    )
    overall = results[0]
    assert overall.region == "all" and overall.cells == (30, 20, 15, 40)
    assert overall.odds_ratio == pytest.approx((30 * 40) / (20 * 15))
    se = np.sqrt(1 / 30 + 1 / 20 + 1 / 15 + 1 / 40)  # Woolf
    assert overall.low == pytest.approx(np.exp(np.log(4.0) - 1.959964 * se), rel=1e-4)
    assert overall.high == pytest.approx(np.exp(np.log(4.0) + 1.959964 * se), rel=1e-4)
    assert skipped == 0 and len(results) == 2  # all, and the one region


def test_a_table_with_a_cell_under_k_is_left_out() -> None:
    results, skipped = factors.odds_ratios(
        _rows(30, 20, 10, 40), ["domv:debt"], "isSexualExploitation", 11
    )
    assert results == [] and skipped == 2


def test_the_forest_plot_is_svg_without_style_or_script() -> None:
    results, _ = factors.odds_ratios(
        _rows(30, 20, 15, 40), ["domv:debt"], "isSexualExploitation", 11
    )
    svg = factors.forest_plot(results, {"domv:debt": "Debt"}, "Odds ratios")
    assert svg.startswith("<svg") and "Debt (All)" in svg and "Debt (Western Asia)" in svg
    assert "<style" not in svg and "<script" not in svg and "style=" not in svg
    assert factors.forest_plot([], {}, "none") == ""


@pytest.mark.django_db
def test_the_factor_page_explains_the_k_rule_when_there_are_too_few_cases(
    data_officer_a: Any,
) -> None:
    page = verified_client(data_officer_a).get(reverse("evidence:factors"))
    assert page.status_code == 200
    assert "at least 11 cases" in page.content.decode()
