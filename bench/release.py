"""Benchmark the anonymised release: 1,000,000 synthetic cases at k = 11, and what it keeps.

    .venv/bin/python bench/release.py [--rows 1000000] [--compare-rows 100000] [--k 11]

1. Generalises and k-anonymises ``--rows`` synthetic cases (bench/release_synthetic.py), writes
   the CSV and checks it with the independent checker; the release must take at most 60 s.
2. On ``--compare-rows`` cases, the share of published cells kept (a cell is kept when it is
   published with its generalised value; suppressed, further generalised or removed cells are
   lost) by Salama, by naive removal of every row in a class under k, and by the ``anjana``
   library's k-anonymity with the same base generalisation, hierarchies whose top is the same
   ``-99``/``*`` suppression, and the same row-suppression limit.

Prints a table; the last line is ``key=value ...``. No network, nothing downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.release_synthetic import raw_cases  # noqa: E402
from salama.evidence import kcheck  # noqa: E402
from salama.evidence import release as anon  # noqa: E402

SUPPRESSION_LIMIT = 0.05  # share of rows either method may remove

REGIONS = {
    **dict.fromkeys("PH ID VN KH MM TH MY SG CN JP".split(), "Asia-East"),
    **dict.fromkeys("NP BD IN LK PK AF UZ KG TJ".split(), "Asia-South-Central"),
    **dict.fromkeys("NG GH ER ET SO SD ML SN CI GN CM CD NE KE ZA".split(), "Africa-SubSaharan"),
    **dict.fromkeys("MA DZ TN EG LY".split(), "Africa-North"),
    **dict.fromkeys("SA AE QA KW JO LB SY IQ YE TR".split(), "Middle-East"),
    **dict.fromkeys("UA MD RO BG AL RU PL".split(), "Europe-East"),
    **dict.fromkeys("US GB DE IT ES FR NL BE".split(), "Europe-West-NorthAmerica"),
    **dict.fromkeys("HT HN GT SV VE CO MX BR BO PE EC AR".split(), "Latin-America"),
}
AGE_LEVEL1 = {
    "0--8": "0--17", "9--17": "0--17", "18--20": "18--29", "21--23": "18--29",
    "24--26": "18--29", "27--29": "18--29", "30--38": "30--47", "39--47": "30--47",
    "48+": "48+",
}  # fmt: skip


def _level1(column: str, value: str) -> str:
    if value == anon.MISSING:
        return anon.MISSING
    if column == "yearOfRegistration":
        start = int(value) - int(value) % 5
        return f"{start}-{start + 4}"
    if column == "ageBroad":
        return AGE_LEVEL1[value]
    if column in ("citizenship", "CountryOfExploitation"):
        return REGIONS.get(value, "Other")
    return "*"


def hierarchies(table: pd.DataFrame) -> dict[str, dict[int, np.ndarray]]:
    """anjana hierarchies: level 0 the released (generalised) values, the top level ``*``."""
    result: dict[str, dict[int, np.ndarray]] = {}
    for column in table.columns:
        values = np.array(sorted(table[column].unique()), dtype=object)
        one = np.array([_level1(column, v) for v in values], dtype=object)
        levels = {0: values, 1: one}
        if not (one == "*").all():
            levels[2] = np.array(["*"] * len(values), dtype=object)
        result[column] = levels
    return result


def kept_share(original: pd.DataFrame, published: pd.DataFrame, index: np.ndarray) -> float:
    """Cells published with their input value, over all input cells."""
    source = original.loc[index, list(original.columns)].to_numpy()
    return float((published[list(original.columns)].to_numpy() == source).sum() / original.size)


def naive(table: pd.DataFrame, k: int) -> tuple[float, float]:
    started = time.perf_counter()
    sizes = table.groupby(list(table.columns), sort=False)[table.columns[0]].transform("size")
    keep = (sizes >= k).to_numpy()
    seconds = time.perf_counter() - started
    return float(keep.sum() / len(table)), seconds


def with_anjana(table: pd.DataFrame, k: int) -> tuple[float, float, int]:
    from anjana.anonymity import k_anonymity

    data = table.reset_index(drop=True)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        out = k_anonymity(
            data, [], list(data.columns), k, SUPPRESSION_LIMIT * 100, hierarchies(data)
        )
    seconds = time.perf_counter() - started
    if "index" in out.columns:
        index = out["index"].to_numpy()
        out = out.drop(columns=["index"])
    else:
        index = out.index.to_numpy()
    return kept_share(data, out, index), seconds, len(data) - len(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--compare-rows", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=anon.DEFAULT_K)
    parser.add_argument("--skip-anjana", action="store_true")
    args = parser.parse_args()
    k = args.k

    raw = raw_cases(args.rows)
    started = time.perf_counter()
    big = anon.release(raw, k, max_removed_share=SUPPRESSION_LIMIT)
    with tempfile.TemporaryDirectory() as folder:
        anon.write_folder(big, Path(folder))
        release_seconds = time.perf_counter() - started
        check_started = time.perf_counter()
        checked = kcheck.check_file(Path(folder) / "cases.csv", k)
        check_seconds = time.perf_counter() - check_started
    assert checked.holds, "the release failed its own check"

    table = anon.generalise(raw_cases(args.compare_rows, seed=7))
    started = time.perf_counter()
    small = anon.anonymise(table, k, max_removed_share=SUPPRESSION_LIMIT)
    salama_seconds = time.perf_counter() - started
    naive_share, naive_seconds = naive(table, k)
    if args.skip_anjana:
        anjana_share, anjana_seconds, anjana_removed = float("nan"), float("nan"), -1
    else:
        anjana_share, anjana_seconds, anjana_removed = with_anjana(table, k)

    print(f"release of {args.rows:,} cases at k = {k}: {release_seconds:.1f} s "
          f"(generalise + anonymise + write), check-k {check_seconds:.1f} s, "
          f"{big.report['rows_removed']} rows removed, "
          f"{big.report['cells_kept_share']:.1%} cells kept")  # fmt: skip
    print(f"\n{args.compare_rows:,} cases, k = {k}, row-suppression limit {SUPPRESSION_LIMIT:.0%}")
    print(f"{'method':<28}{'cells kept':>12}{'rows removed':>14}{'seconds':>10}")
    print(f"{'Salama (cell suppression)':<28}{small.report['cells_kept_share']:>12.1%}"
          f"{small.report['rows_removed']:>14}{salama_seconds:>10.2f}")  # fmt: skip
    naive_removed = round((1 - naive_share) * len(table))
    print(f"{'naive row removal':<28}{naive_share:>12.1%}{naive_removed:>14}{naive_seconds:>10.2f}")
    print(f"{'anjana 1.2.3 k_anonymity':<28}{anjana_share:>12.1%}{anjana_removed:>14}"
          f"{anjana_seconds:>10.2f}")  # fmt: skip
    print(
        f"rows={args.rows} k={k} release_s={release_seconds:.1f} check_s={check_seconds:.1f} "
        f"kept_1m={big.report['cells_kept_share']:.4f} compare_rows={args.compare_rows} "
        f"salama_kept={small.report['cells_kept_share']:.4f} salama_s={salama_seconds:.2f} "
        f"naive_kept={naive_share:.4f} anjana_kept={anjana_share:.4f} "
        f"anjana_s={anjana_seconds:.2f} anjana_removed={anjana_removed}"
    )


if __name__ == "__main__":
    main()
