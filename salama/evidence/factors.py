"""Factor analysis: which vulnerability factors and ILO forced-labour indicators go with which
form of exploitation — odds ratios with 95 % confidence intervals, by region.

Input: one row per case with ``region`` (the case's jurisdiction), the outcome flags
``isSexualExploitation`` / ``isForcedLabour`` (1, 0 or missing) and one column per factor or
indicator (1 present, 0 absent, missing unknown). For each region and factor the 2×2 table of
factor × outcome is built from the cases where both are known; it is analysed only when **every
one of its four cells holds at least k cases** (the same k as the releases), so no estimate rests
on a group small enough to single anyone out. Odds ratio and its confidence interval come from
statsmodels ``Table2x2`` (Woolf's logit interval). The forest plot is a pygal SVG made safe for
the strict CSP (no style or script element, presentation attributes only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from salama.evidence.svg import csp_safe

OUTCOMES = ("isSexualExploitation", "isForcedLabour")
ALL_REGIONS = "all"


@dataclass(frozen=True)
class OddsRatio:
    region: str
    factor: str
    outcome: str
    cells: tuple[int, int, int, int]  # exposed&outcome, exposed&not, unexposed&outcome, neither
    odds_ratio: float
    low: float
    high: float
    p_value: float

    @property
    def cases(self) -> int:
        return sum(self.cells)


def odds_ratios(
    rows: pd.DataFrame, factors: list[str], outcome: str, k: int
) -> tuple[list[OddsRatio], int]:
    """The odds ratios whose four cells all reach k, and how many tables were left out."""
    from statsmodels.stats.contingency_tables import Table2x2

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    results: list[OddsRatio] = []
    skipped = 0
    regions = [(ALL_REGIONS, rows)] + [
        (str(region), group) for region, group in rows.groupby("region", sort=True)
    ]
    for region, group in regions:
        for factor in factors:
            if factor not in group.columns:
                continue
            known = group[[factor, outcome]].dropna()
            exposed = known[factor].astype(int) == 1
            positive = known[outcome].astype(int) == 1
            cells = (
                int((exposed & positive).sum()),
                int((exposed & ~positive).sum()),
                int((~exposed & positive).sum()),
                int((~exposed & ~positive).sum()),
            )
            if min(cells) < k:
                skipped += 1
                continue
            table = Table2x2(np.array([[cells[0], cells[1]], [cells[2], cells[3]]]))
            low, high = table.oddsratio_confint(alpha=0.05)
            results.append(
                OddsRatio(
                    region=region,
                    factor=factor,
                    outcome=outcome,
                    cells=cells,
                    odds_ratio=float(table.oddsratio),
                    low=float(low),
                    high=float(high),
                    p_value=float(table.oddsratio_pvalue()),
                )
            )
    return results, skipped


def forest_plot(results: list[OddsRatio], labels: dict[str, str], title: str) -> str:
    """A forest plot (log odds ratio, 95 % CI) as CSP-safe inline SVG; empty when no result."""
    import pygal

    if not results:
        return ""
    chart = pygal.XY(
        width=640,
        height=max(200, 34 * len(results) + 90),
        show_legend=False,
        disable_xml_declaration=True,
        no_prefix=True,
        js=[],
        css=[],
        explicit_size=False,
        show_y_labels=False,
        dots_size=4,
        margin=10,
        x_title="log odds ratio (0 = no association)",
    )
    chart.title = None
    positions = list(range(len(results), 0, -1))
    for row, y in zip(results, positions, strict=True):
        label = f"{labels.get(row.factor, row.factor)} ({row.region})"
        chart.add(
            label,
            [
                (math.log(row.low), y),
                {"value": (math.log(row.odds_ratio), y), "label": label},
                (math.log(row.high), y),
            ],
        )
    chart.add("", [(0, 0), (0, len(results) + 1)], show_dots=False)
    return csp_safe(chart.render(is_unicode=True), title=title, css_class="forest-plot", paint=True)


def summary_rows(results: list[OddsRatio], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "factor": labels.get(r.factor, r.factor),
            "code": r.factor,
            "region": r.region,
            "cases": r.cases,
            "cells": r.cells,
            "odds_ratio": r.odds_ratio,
            "low": r.low,
            "high": r.high,
            "p_value": r.p_value,
        }
        for r in results
    ]
