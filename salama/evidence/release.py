"""Anonymised case datasets in the CTDC / HTCDS form, k-anonymous over every published column.

Pure pandas and numpy, no Django: ``salama.evidence.release_data`` reads the cases into *raw* rows
(one per case: registration year, sex, age in years, citizenship, country of exploitation, the
HTCDS types of exploitation and methods of control), :func:`generalise` turns them into the
published columns of the codebook (``data/ctdc_codebook.v1.json``) and :func:`anonymise` makes the
table k-anonymous.

Method (docs/domain.md#anonymised-releases):

1. **Generalisation** (fixed, the same for every release): the year of registration only, age in
   the CTDC bands 0–8, 9–17, 18–20, 21–23, 24–26, 27–29, 30–38, 39–47, 48+, countries as ISO 3166
   alpha-2 codes, exploitation and means of control as 0/1 flags. A missing value is ``-99``.
2. **Cell suppression before row removal.** Every published column is a quasi-identifier. While
   some rows sit in an equivalence class smaller than k, each such row suppresses (writes ``-99``
   into) the one cell whose suppression puts it in the largest class — the column that merges the
   most small-class rows into classes of at least k — and the classes are counted again. A
   suppressed cell is a value like any other for the check, so the guarantee can be verified from
   the file alone. Each round suppresses one more cell in each row still at risk, so it ends after
   at most as many rounds as there are columns.
3. **Row removal** only for the rows that still violate k when nothing is left to suppress.

The result carries a report: what was generalised, the cells suppressed per column, the rows
removed, k, the share of cells kept.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

MISSING = "-99"
DEFAULT_K = 11
CODEBOOK_FILE = Path(__file__).resolve().parent / "data" / "ctdc_codebook.v1.json"

# CTDC's broad age groups: (lowest age, highest age or None, label).
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
    (48, None, "48+"),
)

# The raw columns `generalise` reads (release_data and the benchmark produce them).
RAW_COLUMNS = (
    "year",  # int, year the case was registered
    "sex",  # "female", "male", other or "" (Salama's people.Sex codes)
    "age",  # age in whole years at registration, or NaN
    "citizenship",  # ISO 3166 alpha-2 or ""
    "exploitation_country",  # ISO 3166 alpha-2 or ""
    "exploitation_types",  # HTCDS vic_TypeOfExploitation codes joined by ";", or ""
    "methods_of_control",  # HTCDS vic_MethodsOfControl codes joined by ";", or ""
)


class ReleaseRefused(Exception):
    """The release cannot be made as asked (say why, in the message)."""


@cache
def codebook() -> dict[str, Any]:
    """The codebook of the published columns (a cached dict; do not modify)."""
    with CODEBOOK_FILE.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def columns() -> list[str]:
    """The published columns, in the file's order."""
    return [column["name"] for column in codebook()["columns"]]


def age_broad(age: float | None) -> str:
    """The CTDC band of an age in years, or ``-99``."""
    if age is None or age != age or age < 0:  # None or NaN
        return MISSING
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return MISSING  # pragma: no cover - the last band is open


def _age_broad_series(age: pd.Series) -> pd.Series:
    values = pd.to_numeric(age, errors="coerce")
    edges = [band[0] for band in AGE_BANDS] + [10_000]
    labels = [band[2] for band in AGE_BANDS]
    banded = pd.cut(values, bins=edges, right=False, labels=labels)
    return banded.astype(object).where(banded.notna(), MISSING).astype(str)


def _flag(codes: pd.Series, wanted: tuple[str, ...], known: pd.Series) -> pd.Series:
    """1 where any wanted code is in the ;-joined list, 0 where the list is known, else -99.

    Works on the distinct lists (a few hundred combinations), not on every row.
    """
    ids, distinct = pd.factorize(codes.to_numpy(), sort=False)
    wanted_set = set(wanted)
    per_list = np.array(
        ["1" if wanted_set & set(str(text).split(";")) else "0" for text in distinct] + [MISSING],
        dtype=object,
    )
    out = per_list[np.where(ids < 0, len(distinct), ids)]
    return pd.Series(np.where(known.to_numpy(), out, MISSING), index=codes.index)


def _country(value: Any) -> str:
    text = str(value).strip().upper() if isinstance(value, str) else ""
    return text if len(text) == 2 and text.isascii() and text.isalpha() else MISSING


def generalise(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw case rows (RAW_COLUMNS) → the published columns, generalised, every value a string."""
    missing = [name for name in RAW_COLUMNS if name not in raw.columns]
    if missing:
        raise ReleaseRefused(f"raw rows lack the columns {', '.join(missing)}")
    out = pd.DataFrame(index=raw.index)
    years = pd.to_numeric(raw["year"], errors="coerce")
    out["yearOfRegistration"] = years.astype("Int64").astype(str).replace("<NA>", MISSING)
    sex = raw["sex"].fillna("").astype(str)
    out["gender"] = np.where(sex == "female", "Female", np.where(sex == "male", "Male", MISSING))
    age = pd.to_numeric(raw["age"], errors="coerce")
    out["ageBroad"] = _age_broad_series(age)
    out["majorityStatus"] = np.where(
        age.isna().to_numpy(), MISSING, np.where(age.to_numpy() < 18, "Minor", "Adult")
    )
    for name, source in (
        ("citizenship", "citizenship"),
        ("CountryOfExploitation", "exploitation_country"),
    ):
        ids, distinct = pd.factorize(raw[source].to_numpy(), sort=False)
        mapped = np.array([_country(value) for value in distinct] + [MISSING], dtype=object)
        out[name] = mapped[np.where(ids < 0, len(distinct), ids)]
    types = raw["exploitation_types"].fillna("").astype(str)
    known_types = types != ""
    out["isForcedLabour"] = _flag(types, ("ForcedLabour",), known_types)
    out["isSexualExploitation"] = _flag(types, ("SexualExploitation",), known_types)
    others = tuple(
        code for code in codebook()["other_exploitation_codes"] if code not in {"ForcedLabour"}
    )
    out["isOtherExploit"] = _flag(types, others, known_types)
    controls = raw["methods_of_control"].fillna("").astype(str)
    known_controls = controls != ""
    for column in codebook()["columns"]:
        source_codes = column.get("htcds_codes")
        if column["name"].startswith("meansOfControl") and source_codes:
            out[column["name"]] = _flag(controls, tuple(source_codes), known_controls)
    return out[columns()].astype(str)


@dataclass
class Release:
    """An anonymised table and the report of how it was made."""

    data: pd.DataFrame
    report: dict[str, Any] = field(default_factory=dict)


def _dense(codes: list[np.ndarray], cards: list[int]) -> tuple[np.ndarray, int]:
    """Group ids (0..g-1) of the rows' combined codes; re-densifies before int64 overflows."""
    n = len(codes[0]) if codes else 0
    key = np.zeros(n, dtype=np.int64)
    card = 1
    for column, width in zip(codes, cards, strict=True):
        if card * width >= 2**62:
            key, uniques = pd.factorize(key, sort=False)
            key = key.astype(np.int64)
            card = max(len(uniques), 1)
        key = key * width + column
        card *= width
    ids, uniques = pd.factorize(key, sort=False)
    return ids.astype(np.int64), len(uniques)


def _class_sizes(codes: list[np.ndarray], cards: list[int]) -> np.ndarray:
    ids, groups = _dense(codes, cards)
    return np.bincount(ids, minlength=groups)[ids]


def anonymise(
    table: pd.DataFrame,
    k: int = DEFAULT_K,
    *,
    max_removed_share: float = 1.0,
) -> Release:
    """Make ``table`` (published columns, string values) k-anonymous over all its columns.

    Raises ReleaseRefused when k < 2 or when more than ``max_removed_share`` of the rows would
    have to be removed.
    """
    started = time.perf_counter()
    if k < 2:
        raise ReleaseRefused("k must be at least 2: with k = 1 every row may be unique")
    names = list(table.columns)
    n = len(table)
    codes: list[np.ndarray] = []
    uniques: list[np.ndarray] = []
    supp: list[int] = []
    before_missing: dict[str, int] = {}
    for name in names:
        values = table[name].astype(str).to_numpy()
        column_codes, column_uniques = pd.factorize(values, sort=False)
        column_uniques = np.asarray(column_uniques, dtype=object)
        where = np.flatnonzero(column_uniques == MISSING)
        if len(where):
            code = int(where[0])
        else:
            code = len(column_uniques)
            column_uniques = np.append(column_uniques, MISSING)
        codes.append(column_codes.astype(np.int64))
        uniques.append(column_uniques)
        supp.append(code)
        before_missing[name] = int((column_codes == code).sum())
    cards = [len(u) for u in uniques]
    # Suppress first the columns with the most distinct values (their cells are the rarest).
    order = sorted(range(len(names)), key=lambda i: -cards[i])
    suppressed = {name: 0 for name in names}
    rounds = 0
    small = np.zeros(n, dtype=bool)
    if n:
        sizes = _class_sizes(codes, cards)
        small = sizes < k
    while small.any() and rounds <= len(names):
        rounds += 1
        rows = np.flatnonzero(small)
        large = ~small
        best_size = np.full(len(rows), -1, dtype=np.int64)
        best_col = np.full(len(rows), -1, dtype=np.int64)
        for c in order:
            # Rows that end up in the small rows' class when they suppress column c: the small
            # rows themselves and the large rows whose cell in c is already -99.
            members = np.flatnonzero(small | (large & (codes[c] == supp[c])))
            others = [codes[j][members] for j in range(len(names)) if j != c]
            other_cards = [cards[j] for j in range(len(names)) if j != c]
            ids, groups = _dense(others, other_cards)
            counts = np.bincount(ids, minlength=groups)
            position = np.searchsorted(members, rows)
            size_c = counts[ids[position]]
            size_c = np.where(codes[c][rows] == supp[c], -1, size_c)
            better = size_c > best_size
            best_size = np.where(better, size_c, best_size)
            best_col = np.where(better, c, best_col)
        movable = best_col >= 0
        if not movable.any():
            break
        for c in order:
            chosen = rows[movable & (best_col == c)]
            if len(chosen):
                codes[c][chosen] = supp[c]
                suppressed[names[c]] += len(chosen)
        sizes = _class_sizes(codes, cards)
        small = sizes < k
    removed = int(small.sum())
    if n and removed / n > max_removed_share:
        raise ReleaseRefused(
            f"{removed} of {n} rows would have to be removed to reach k = {k}, more than the "
            f"limit of {max_removed_share:.0%}; lower k or release a larger population"
        )
    keep = ~small
    data = pd.DataFrame(
        {name: uniques[i][codes[i][keep]] for i, name in enumerate(names)},
        columns=names,
    ).astype(str)
    cells_in = n * len(names)
    cells_suppressed_kept_rows = {
        name: int((codes[i][keep] == supp[i]).sum())
        - int((table[name].to_numpy()[keep] == MISSING).sum())
        for i, name in enumerate(names)
    }
    cells_kept = cells_in - sum(cells_suppressed_kept_rows.values()) - removed * len(names)
    report = {
        "k": k,
        "rows_in": n,
        "rows_out": int(keep.sum()),
        "rows_removed": removed,
        "columns": names,
        "cells_in": cells_in,
        "cells_suppressed": cells_suppressed_kept_rows,
        "cells_suppressed_total": int(sum(cells_suppressed_kept_rows.values())),
        "cells_missing_before": before_missing,
        "cells_kept_share": (cells_kept / cells_in) if cells_in else 1.0,
        "rounds": rounds,
        "generalisation": codebook()["generalisation"],
        "missing_code": MISSING,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Release(data=data, report=report)


def release(raw: pd.DataFrame, k: int = DEFAULT_K, **options: Any) -> Release:
    """Generalise raw case rows and make them k-anonymous."""
    return anonymise(generalise(raw), k, **options)


def report_markdown(report: dict[str, Any]) -> str:
    """The release report as Markdown (English; the page shows a translated version)."""
    lines = [
        "# Release report",
        "",
        f"- k: {report['k']} (every combination of published values occurs at least k times)",
        f"- Rows: {report['rows_in']} read, {report['rows_out']} published, "
        f"{report['rows_removed']} removed",
        f"- Cells kept: {report['cells_kept_share']:.2%}",
    ]
    for key in ("created_at", "requested_by", "approved_by", "organisation"):
        if report.get(key):
            lines.append(f"- {key.replace('_', ' ').capitalize()}: {report[key]}")
    lines += ["", "## Generalisation", ""]
    lines += [f"- {name}: {text}" for name, text in report["generalisation"].items()]
    lines += ["", "## Cells suppressed (written as -99)", "", "| column | cells |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in report["cells_suppressed"].items()]
    lines.append("")
    return "\n".join(lines)


def write_folder(result: Release, folder: Path) -> list[Path]:
    """Write ``cases.csv``, ``report.json``, ``report.md`` and ``codebook.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / name for name in ("cases.csv", "report.json", "report.md", "codebook.json")]
    result.data.to_csv(written[0], index=False)
    written[1].write_text(json.dumps(result.report, indent=1, ensure_ascii=False), "utf-8")
    written[2].write_text(report_markdown(result.report), "utf-8")
    written[3].write_text(json.dumps(codebook(), indent=1, ensure_ascii=False), "utf-8")
    return written
