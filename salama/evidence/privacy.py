"""Differentially private tables of the anonymised case rows, through OpenDP.

A table counts the cases (or sums a bounded number per case) by one or more published columns.
The categories of every dimension are public — the codebook's values, ISO 3166 countries, a fixed
range of years — never read from the data, so which cells exist reveals nothing. Each measurement
is an OpenDP chain:

* counts: ``make_count_by_categories`` (L1 sensitivity 1 when one case is added or removed)
  followed by the discrete Laplace mechanism (``then_laplace`` on integers);
* bounded sums: per cell, ``make_clamp`` to [0, upper] then ``then_sum`` then the Laplace
  mechanism. The cells partition the cases by a public function of each row, so by parallel
  composition the table costs the ε of one cell.

The scale is set from the ε asked for (``binary_search_param`` against the chain's own privacy
map), and each table states its ε and its 95 % accuracy: with probability 0.95 a published cell
is within ± that many of the true value (``discrete_laplacian_scale_to_accuracy`` /
``laplacian_scale_to_accuracy``). The ε ledger that refuses tables beyond the budget is in
``salama.evidence.privacy_services``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pandas as pd

from salama.evidence import release as anon

ALPHA = 0.05
MAX_CELLS = 5_000
FIRST_YEAR = 2000
SUM_MEASURES = {"duration_months": (0.0, 120.0)}  # a column of the raw rows → its bounds
MISSING = anon.MISSING


class PrivacyRefused(Exception):
    """The table cannot be made as asked (the message says why)."""


def _dp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def categories(column: str) -> list[str]:
    """The public domain of a published column (always including -99)."""
    book = {c["name"]: c for c in anon.codebook()["columns"]}
    if column not in book:
        raise PrivacyRefused(f"{column} is not a published column")
    spec = book[column]
    if spec.get("values"):
        return list(spec["values"])
    if spec["type"] == "country":
        from salama.core.countries import COUNTRIES

        return sorted(COUNTRIES) + [MISSING]
    if spec["type"] == "year":
        return [str(y) for y in range(FIRST_YEAR, dt.datetime.now(dt.UTC).year + 1)] + [MISSING]
    raise PrivacyRefused(f"{column} has no public list of values")  # pragma: no cover


def _cells(dimensions: list[str]) -> list[tuple[str, ...]]:
    if not dimensions:
        raise PrivacyRefused("choose at least one dimension")
    if len(set(dimensions)) != len(dimensions):
        raise PrivacyRefused("each dimension may be chosen once")
    domains = [categories(d) for d in dimensions]
    size = int(np.prod([len(d) for d in domains]))
    if size > MAX_CELLS:
        raise PrivacyRefused(
            f"these dimensions make {size} cells, more than {MAX_CELLS}; choose fewer or "
            "coarser dimensions"
        )
    return list(itertools.product(*domains))


def _keys(table: pd.DataFrame, dimensions: list[str]) -> list[str]:
    joined = table[dimensions[0]].astype(str)
    for name in dimensions[1:]:
        joined = joined + "|" + table[name].astype(str)
    return joined.tolist()


def count_table(table: pd.DataFrame, dimensions: list[str], epsilon: float) -> dict[str, Any]:
    """Noisy counts of the rows of ``table`` (published columns) by ``dimensions``."""
    if not epsilon > 0:
        raise PrivacyRefused("ε must be positive")
    dp = _dp()
    cells = _cells(dimensions)
    labels = ["|".join(cell) for cell in cells]
    counter = dp.t.make_count_by_categories(
        dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance(), categories=labels
    )
    scale = dp.binary_search_param(lambda s: counter >> dp.m.then_laplace(scale=s), 1, epsilon)
    measurement = counter >> dp.m.then_laplace(scale=scale)
    noisy = measurement(_keys(table, dimensions))[: len(labels)]  # the last is "other"
    return {
        "measure": "count",
        "dimensions": dimensions,
        "epsilon": float(measurement.map(1)),
        "scale": float(scale),
        "alpha": ALPHA,
        "accuracy": float(dp.discrete_laplacian_scale_to_accuracy(scale, ALPHA)),
        "mechanism": "OpenDP make_count_by_categories >> then_laplace (discrete Laplace)",
        "cells": [
            {"key": list(cell), "value": int(v)} for cell, v in zip(cells, noisy, strict=True)
        ],
    }


def sum_table(
    table: pd.DataFrame, values: pd.Series, measure: str, dimensions: list[str], epsilon: float
) -> dict[str, Any]:
    """Noisy sums of a bounded per-case number (``measure`` in SUM_MEASURES) by ``dimensions``."""
    if measure not in SUM_MEASURES:
        raise PrivacyRefused(f"{measure} cannot be summed; choose one of {sorted(SUM_MEASURES)}")
    if not epsilon > 0:
        raise PrivacyRefused("ε must be positive")
    dp = _dp()
    low, high = SUM_MEASURES[measure]
    cells = _cells(dimensions)
    chain = (
        dp.t.make_clamp(
            dp.vector_domain(dp.atom_domain(T=float, nan=False)),
            dp.symmetric_distance(),
            bounds=(low, high),
        )
        >> dp.t.then_sum()
    )
    scale = dp.binary_search_param(lambda s: chain >> dp.m.then_laplace(scale=s), 1, epsilon)
    measurement = chain >> dp.m.then_laplace(scale=scale)
    keys = pd.Series(_keys(table, dimensions), index=table.index)
    numbers = pd.to_numeric(values, errors="coerce").fillna(low).astype(float)
    grouped = {key: list(group) for key, group in numbers.groupby(keys)}
    out = []
    for cell in cells:
        noisy = measurement(grouped.get("|".join(cell), []))
        out.append({"key": list(cell), "value": round(float(noisy), 1)})
    return {
        "measure": f"sum:{measure}",
        "bounds": [low, high],
        "dimensions": dimensions,
        "epsilon": float(measurement.map(1)),
        "scale": float(scale),
        "alpha": ALPHA,
        "accuracy": float(dp.laplacian_scale_to_accuracy(scale, ALPHA)),
        "mechanism": "OpenDP make_clamp >> then_sum >> then_laplace, per cell (parallel)",
        "cells": out,
    }
