"""`salama evidence release` and `salama evidence check-k`, with their exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from salama import cli
from salama.core.models import AuditEntry


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["gender", "ageBroad", "citizenship"])
        writer.writerows(rows)
    return path


def _run(*args: str) -> int:
    try:
        cli.main(["salama", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_check_k_accepts_an_11_anonymous_file(tmp_path: Path, capsys: Any) -> None:
    path = _write(tmp_path / "ok.csv", [["Female", "18--20", "PH"]] * 11 + [["-99"] * 3] * 12)
    assert _run("evidence", "check-k", str(path), "--k", "11") == 0
    assert "k-anonymity holds: 23 rows" in capsys.readouterr().out


def test_check_k_rejects_a_file_with_a_unique_row_and_names_it(tmp_path: Path, capsys: Any) -> None:
    path = _write(tmp_path / "bad.csv", [["Female", "18--20", "PH"]] * 11 + [["Male", "48+", "NG"]])
    assert _run("evidence", "check-k", str(path), "--k", "11") == 1
    err = capsys.readouterr().err
    assert "1 row(s): gender=Male, ageBroad=48+, citizenship=NG" in err
    assert "does not hold for k = 11" in err


def test_check_k_fails_on_a_missing_file(tmp_path: Path) -> None:
    assert _run("evidence", "check-k", str(tmp_path / "nope.csv")) != 0


@pytest.mark.django_db(transaction=True)
def test_release_writes_the_folder_that_check_k_accepts_and_is_audited(
    tmp_path: Path, ngo_a: Any
) -> None:
    out = tmp_path / "release"
    assert _run("evidence", "release", "--k", "11", "--output", str(out)) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "cases.csv", "codebook.json", "report.json", "report.md",
    ]  # fmt: skip
    report = json.loads((out / "report.json").read_text())
    assert report["k"] == 11 and report["approved_by"].startswith("operator:")
    assert _run("evidence", "check-k", str(out / "cases.csv"), "--k", "11") == 0
    entry = AuditEntry.objects.filter(action="evidence.release_written").get()
    assert entry.actor_label.startswith("operator:")
    assert entry.changes["k"] == [None, 11]


@pytest.mark.django_db
def test_release_names_an_unknown_organisation(tmp_path: Path, capsys: Any) -> None:
    assert _run("evidence", "release", "--output", str(tmp_path), "--organisation", "NOPE") == 1
    assert "No organisation 'NOPE'" in capsys.readouterr().err
