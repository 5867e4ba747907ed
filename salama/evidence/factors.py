"""Factor analysis: which vulnerability factors and ILO forced-labour indicators go with which
form of exploitation — odds ratios with 95 % confidence intervals, by region.

Input: one row per case with ``country`` (the case's jurisdiction, ISO alpha-2 or -99), the
outcome flags ``isSexualExploitation`` / ``isForcedLabour`` (1, 0 or missing) and one column per
factor or indicator (1 present, 0 absent, missing unknown). For each factor the 2×2 table of
factor × outcome is built from the cases where both are known; it is analysed only when **every
one of its four cells holds at least k cases** (the same k as the releases), so no estimate rests
on a group small enough to single anyone out. Odds ratio and its confidence interval come from
statsmodels ``Table2x2`` (Woolf's logit interval).

Regions are the UN M49 geoscheme (``salama.core.regions``): the tables are made for all cases,
then by M49 sub-region (e.g. Northern Africa, Western Asia). Where a sub-region's table has a cell
under k, its region (e.g. Africa) is shown instead, beside the sub-regions of that region that do
reach k. Cells are additive, so a published table could be subtracted from its parent's to reveal
the rest: a group of tables is published only when what is left of the parent (the parent minus
the published children) is empty or itself reaches k in every cell; otherwise the smallest child
is withheld too, until it does. What is not published is listed as withheld ("fewer than k").
The forest plot is a pygal SVG made safe for the strict CSP by ``salama.evidence.svg``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salama.core import regions as m49
from salama.evidence.svg import csp_safe

OUTCOMES = ("isSexualExploitation", "isForcedLabour")
ALL_REGIONS = "all"
LEVEL_ALL, LEVEL_REGION, LEVEL_SUBREGION = "all", "region", "subregion"
Cells = tuple[int, int, int, int]


@dataclass(frozen=True)
class OddsRatio:
    region: str  # "all" or an M49 code ("-99": jurisdiction unknown)
    factor: str
    outcome: str
    cells: Cells  # exposed&outcome, exposed&not, unexposed&outcome, neither
    odds_ratio: float
    low: float
    high: float
    p_value: float
    level: str = LEVEL_ALL

    @property
    def cases(self) -> int:
        return sum(self.cells)


@dataclass(frozen=True)
class Withheld:
    """A table with cases but not published: a cell under k, or it would reveal one."""

    region: str
    level: str
    factor: str
    outcome: str


@dataclass
class Analysis:
    results: list[OddsRatio] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)


def _cells(frame: pd.DataFrame, factor: str, outcome: str) -> Cells:
    exposed = frame[factor].astype(int) == 1
    positive = frame[outcome].astype(int) == 1
    return (
        int((exposed & positive).sum()),
        int((exposed & ~positive).sum()),
        int((~exposed & positive).sum()),
        int((~exposed & ~positive).sum()),
    )


def _reaches(cells: Cells, k: int) -> bool:
    return min(cells) >= k


def _minus(left: Cells, right: Cells) -> Cells:
    return (left[0] - right[0], left[1] - right[1], left[2] - right[2], left[3] - right[3])


def publishable(parent: Cells | None, children: dict[str, Cells], k: int) -> set[str]:
    """The children that may be published beside their ``parent`` (None: parent unpublished).

    Those reaching k, less the smallest ones while the parent minus the published children
    would be a non-empty table with a cell under k (it could be derived by subtraction)."""
    chosen = {code for code, cells in children.items() if _reaches(cells, k)}
    if parent is None:
        return chosen
    rest = parent
    for code in chosen:
        rest = _minus(rest, children[code])
    while chosen and any(rest) and not _reaches(rest, k):
        smallest = min(chosen, key=lambda code: (sum(children[code]), code))
        chosen.discard(smallest)
        rest = tuple(a + b for a, b in zip(rest, children[smallest], strict=True))  # type: ignore[assignment]
    return chosen


def _estimate(region: str, level: str, factor: str, outcome: str, cells: Cells) -> OddsRatio:
    from statsmodels.stats.contingency_tables import Table2x2

    table = Table2x2(np.array([[cells[0], cells[1]], [cells[2], cells[3]]]))
    low, high = table.oddsratio_confint(alpha=0.05)
    return OddsRatio(
        region=region,
        factor=factor,
        outcome=outcome,
        cells=cells,
        odds_ratio=float(table.oddsratio),
        low=float(low),
        high=float(high),
        p_value=float(table.oddsratio_pvalue()),
        level=level,
    )


def _place(rows: pd.DataFrame) -> pd.DataFrame:
    if "country" in rows.columns:
        countries = rows["country"].fillna("").astype(str)
    else:
        countries = pd.Series("", index=rows.index)
    placed = rows.assign(_sub=countries.map(m49.subregion_of))
    return placed.assign(_reg=placed["_sub"].map(m49.region_of_subregion))


def analyse(rows: pd.DataFrame, factors: list[str], outcome: str, k: int) -> Analysis:
    """Odds ratios for all cases, by M49 sub-region, and by region where a sub-region falls
    short of k; every table left out is listed as withheld."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    found = Analysis()
    if rows.empty or outcome not in rows.columns:
        return found
    placed = _place(rows)
    for factor in factors:
        if factor in placed.columns:
            known = placed[[factor, outcome, "_sub", "_reg"]].dropna(subset=[factor, outcome])
            if not known.empty:
                _analyse_factor(found, known, factor, outcome, k)
    return found


def _analyse_factor(
    found: Analysis, known: pd.DataFrame, factor: str, outcome: str, k: int
) -> None:
    def out(region: str, level: str, cells: Cells, published: bool) -> None:
        if published:
            found.results.append(_estimate(region, level, factor, outcome, cells))
        elif any(cells):
            found.withheld.append(Withheld(region, level, factor, outcome))

    overall = _cells(known, factor, outcome)
    out(ALL_REGIONS, LEVEL_ALL, overall, _reaches(overall, k))
    by_region = {
        str(code): _cells(group, factor, outcome)
        for code, group in known.groupby("_reg", sort=True)
    }
    shown = publishable(overall if _reaches(overall, k) else None, by_region, k)
    for region, region_cells in by_region.items():
        if region not in shown:
            out(region, LEVEL_REGION, region_cells, False)
            continue
        group = known[known["_reg"] == region]
        by_sub = {
            str(code): _cells(part, factor, outcome)
            for code, part in group.groupby("_sub", sort=True)
        }
        if all(_reaches(cells, k) for cells in by_sub.values()):
            for sub, cells in by_sub.items():
                out(sub, LEVEL_SUBREGION, cells, True)
            continue
        # A sub-region falls short: the region instead, with the sub-regions that may stand.
        out(region, LEVEL_REGION, region_cells, True)
        subs = publishable(region_cells, by_sub, k)
        for sub, cells in by_sub.items():
            out(sub, LEVEL_SUBREGION, cells, sub in subs)


def odds_ratios(
    rows: pd.DataFrame, factors: list[str], outcome: str, k: int
) -> tuple[list[OddsRatio], int]:
    """The odds ratios published, and how many tables were withheld."""
    found = analyse(rows, factors, outcome, k)
    return found.results, len(found.withheld)


def region_name(code: str) -> str:
    from django.utils.translation import gettext as _

    return _("All") if code == ALL_REGIONS else str(m49.name(code))


def forest_plot(results: list[OddsRatio], labels: dict[str, str], title: str) -> str:
    """A forest plot (log odds ratio, 95 % CI) as CSP-safe inline SVG; empty when no result."""
    import pygal
    from django.utils.translation import gettext as _

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
        show_y_guides=False,
        truncate_label=28,
        dots_size=4,
        margin=10,
        x_title=_("log odds ratio (0 = no association)"),
    )
    chart.title = None
    positions = list(range(len(results), 0, -1))
    for row, y in zip(results, positions, strict=True):
        label = f"{labels.get(row.factor, row.factor)} ({region_name(row.region)})"
        chart.add(
            label,
            [
                (math.log(row.low), y),
                {"value": (math.log(row.odds_ratio), y), "label": label},
                (math.log(row.high), y),
            ],
        )
    chart.y_labels = [
        {"label": f"{labels.get(row.factor, row.factor)} ({region_name(row.region)})", "value": y}
        for row, y in zip(results, positions, strict=True)
    ]
    chart.add("", [(0, 0), (0, len(results) + 1)], show_dots=False)
    return csp_safe(chart.render(is_unicode=True), title=title, css_class="forest-plot", paint=True)


def summary_rows(results: list[OddsRatio], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "factor": labels.get(r.factor, r.factor),
            "code": r.factor,
            "region": r.region,
            "region_name": region_name(r.region),
            "level": r.level,
            "cases": r.cases,
            "cells": r.cells,
            "odds_ratio": r.odds_ratio,
            "low": r.low,
            "high": r.high,
            "p_value": r.p_value,
        }
        for r in results
    ]
