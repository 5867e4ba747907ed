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
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

OUTCOMES = ("isSexualExploitation", "isForcedLabour")
ALL_REGIONS = "all"
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


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


def _safe_svg(svg: str, title: str) -> str:
    """pygal's SVG without its style/script elements or style attributes; colours as attributes."""
    root = ET.fromstring(svg)  # noqa: S314 - pygal's own output
    root.attrib.pop("id", None)
    root.set("class", "forest-plot")
    root.set("role", "img")
    root.set("aria-label", title)
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            classes = (child.get("class") or "").split()
            if tag in {"style", "script"} or "tooltip-overlay" in classes:
                parent.remove(child)
        parent.attrib.pop("style", None)
        classes = (parent.get("class") or "").split()
        tag = parent.tag.rsplit("}", 1)[-1] if isinstance(parent.tag, str) else ""
        if tag == "path" and "line" in classes:
            parent.set("fill", "none")
            parent.set("stroke", "#1d4f7a")
            parent.set("stroke-width", "2")
        elif tag == "path" and ("guide" in classes or "axis" in classes or "major" in classes):
            parent.set("fill", "none")
            parent.set("stroke", "#c8c8c8")
            parent.set("stroke-width", "1")
        elif tag == "circle":
            parent.set("fill", "#1d4f7a")
        elif tag == "rect" and "background" in classes:
            parent.set("fill", "#ffffff")
        elif tag == "text":
            parent.set("fill", "#222222")
            parent.set("font-size", "12")
    text = ET.tostring(root, encoding="unicode")
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


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
    return _safe_svg(chart.render(is_unicode=True), title)


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
