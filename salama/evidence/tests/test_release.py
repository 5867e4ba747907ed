"""The anonymisation itself: generalisation, cell suppression before row removal, k holds."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salama.evidence import kcheck, release

RAW = list(release.RAW_COLUMNS)


def raw_rows(rows: list[dict]) -> pd.DataFrame:
    defaults = {
        "year": 2024,
        "sex": "female",
        "age": 25,
        "citizenship": "PH",
        "exploitation_country": "AE",
        "exploitation_types": "ForcedLabour",
        "methods_of_control": "DebtBondage",
    }
    return pd.DataFrame([defaults | row for row in rows], columns=RAW)


raw_row = st.fixed_dictionaries(
    {
        "year": st.integers(2018, 2025),
        "sex": st.sampled_from(["female", "male", "intersex", ""]),
        "age": st.one_of(st.none(), st.integers(0, 90)),
        "citizenship": st.sampled_from(["PH", "NG", "UA", "SY", "", "XX1"]),
        "exploitation_country": st.sampled_from(["AE", "IT", "LY", ""]),
        "exploitation_types": st.sampled_from(
            ["", "ForcedLabour", "SexualExploitation", "ForcedLabour;Servitude", "ForcedBegging"]
        ),
        "methods_of_control": st.sampled_from(
            ["", "DebtBondage", "TakesEarnings;PhysicalThreats", "WithholdsDocuments"]
        ),
    }
)


def test_ages_fall_in_the_ctdc_broad_bands() -> None:
    assert [release.age_broad(a) for a in (0, 8, 9, 17, 18, 20, 21, 29, 30, 38, 39, 47, 48, 90)] == [
        "0--8", "0--8", "9--17", "9--17", "18--20", "18--20", "21--23", "27--29",
        "30--38", "30--38", "39--47", "39--47", "48+", "48+",
    ]  # fmt: skip
    assert release.age_broad(None) == "-99"
    table = release.generalise(raw_rows([{"age": a} for a in (8, 9, 17, 18, 48)] + [{"age": None}]))
    assert list(table["ageBroad"]) == ["0--8", "9--17", "9--17", "18--20", "48+", "-99"]
    assert list(table["majorityStatus"]) == ["Minor", "Minor", "Minor", "Adult", "Adult", "-99"]


def test_generalisation_writes_codes_flags_and_minus_99_for_what_is_missing() -> None:
    table = release.generalise(
        raw_rows(
            [
                {"exploitation_types": "ForcedLabour;Servitude", "methods_of_control": ""},
                {"sex": "intersex", "citizenship": "", "exploitation_types": ""},
            ]
        )
    )
    first, second = table.to_dict("records")
    assert first["isForcedLabour"] == "1" and first["isOtherExploit"] == "1"
    assert first["isSexualExploitation"] == "0"
    assert first["meansOfControlDebtBondage"] == "-99"  # no means of control recorded
    assert second["gender"] == "-99" and second["citizenship"] == "-99"
    assert second["isForcedLabour"] == "-99"
    assert second["meansOfControlDebtBondage"] == "1"
    assert list(table.columns) == release.columns()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(raw_row, min_size=0, max_size=120), k=st.integers(2, 12))
def test_every_released_file_passes_the_checker_for_its_k(
    rows: list[dict], k: int, tmp_path_factory
) -> None:
    result = release.release(raw_rows(rows), k)
    folder = tmp_path_factory.mktemp("release")
    release.write_folder(result, folder)
    check = kcheck.check_file(folder / "cases.csv", k)
    assert check.holds, check.offending
    assert check.rows == result.report["rows_out"] == len(rows) - result.report["rows_removed"]


def test_cells_are_suppressed_before_any_row_is_removed() -> None:
    # Eleven identical cases and one that differs only in its citizenship: suppressing that
    # one cell would not help (no -99 class), so the rows merge by suppressing it in both.
    rows = [{}] * 11 + [{"citizenship": "NG"}] + [{"citizenship": "-"}] * 0
    result = release.release(raw_rows(rows), 11)
    assert result.report["rows_removed"] == 0 or result.report["rows_removed"] == 1
    # Twenty-two cases, eleven with a citizenship missing: the odd one joins them by one cell.
    rows = [{}] * 11 + [{"citizenship": ""}] * 11 + [{"citizenship": "NG"}]
    result = release.release(raw_rows(rows), 11)
    assert result.report["rows_removed"] == 0
    assert result.report["cells_suppressed"]["citizenship"] == 1
    assert result.report["cells_suppressed_total"] == 1
    assert (result.data["citizenship"] == "NG").sum() == 0


def test_rows_still_unique_after_suppressing_everything_are_removed() -> None:
    result = release.release(raw_rows([{}] * 3), 11)
    assert result.report["rows_removed"] == 3
    assert result.data.empty


def test_the_removal_limit_refuses_a_release_that_would_lose_too_many_rows() -> None:
    try:
        release.release(raw_rows([{}] * 3), 11, max_removed_share=0.5)
    except release.ReleaseRefused as exc:
        assert "3 of 3 rows" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected a refusal")


def test_k_below_two_is_refused() -> None:
    try:
        release.release(raw_rows([{}] * 30), 1)
    except release.ReleaseRefused as exc:
        assert "at least 2" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected a refusal")


def test_the_report_counts_what_was_done() -> None:
    rng = np.random.default_rng(7)
    rows = [
        {
            "citizenship": str(rng.choice(["PH", "NG", "UA", "SY", "ER"])),
            "age": int(rng.integers(10, 60)),
        }
        for _ in range(400)
    ]
    result = release.release(raw_rows(rows), 11)
    report = result.report
    assert report["k"] == 11 and report["rows_in"] == 400
    assert report["rows_out"] + report["rows_removed"] == 400
    published = result.data.to_numpy()
    assert (published == "-99").sum() >= report["cells_suppressed_total"]
    assert 0 < report["cells_kept_share"] <= 1
    assert set(report["cells_suppressed"]) == set(release.columns())
    assert "ageBroad" in report["generalisation"]
    assert "# Release report" in release.report_markdown(report)


def test_the_checker_rejects_a_file_with_a_unique_row(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["gender", "ageBroad"])
        writer.writerows([["Female", "18--20"]] * 11 + [["Male", "48+"]])
    result = kcheck.check_file(path, 11)
    assert not result.holds
    assert result.offending == ((("Male", "48+"), 1),)
    assert kcheck.check_file(path, 1).holds
