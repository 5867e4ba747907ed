"""Fault points do nothing unless a drill started the process for them, and never in production."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from salama.core import faults
from salama.core.tests import test_settings


@pytest.fixture(autouse=True)
def _fresh_plan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(faults.ENABLE_VAR, raising=False)
    monkeypatch.delenv(faults.AT_VAR, raising=False)
    faults.reset()
    yield
    faults.reset()


def test_a_point_names_its_place_and_the_nth_time_it_is_reached() -> None:
    assert faults.parse("import.row") == ("import.row", 1)
    assert faults.parse("import.row:3") == ("import.row", 3)


@pytest.mark.parametrize("value", ["import.rows", "import.row:0", "import.row:x", ""])
def test_a_misspelt_point_or_count_is_refused_clearly(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="SALAMA_FAULT_AT"):
        faults.parse(value)


def test_the_point_alone_without_the_switch_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(faults.AT_VAR, "referral.send")
    assert not faults.enabled()
    faults.point("referral.send")  # still alive


def test_the_switch_alone_without_a_point_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(faults.ENABLE_VAR, "1")
    assert not faults.enabled()
    faults.point("referral.send")


def test_a_production_deployment_ignores_both_variables(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setenv(faults.ENABLE_VAR, "1")
    monkeypatch.setenv(faults.AT_VAR, "referral.send")
    settings.PRODUCTION = True
    assert not faults.enabled()
    faults.point("referral.send")


def test_another_point_than_the_one_named_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(faults.ENABLE_VAR, "1")
    monkeypatch.setenv(faults.AT_VAR, "keys.rotate:2")
    assert faults.enabled()
    faults.point("import.row")
    faults.point("keys.rotate")  # the first of two: still alive


def test_production_refuses_to_start_with_fault_injection_switched_on(tmp_path: Path) -> None:
    # The settings tests' production environment (it starts; salama/core/tests/test_settings.py).
    env = test_settings.production_env.__wrapped__(tmp_path)
    env.update(SALAMA_FAULT_INJECTION="1", SALAMA_FAULT_AT="referral.send")
    result = subprocess.run(  # noqa: S603 - our interpreter, fixed code
        [sys.executable, "-c", test_settings.SETUP],
        env=env,
        cwd=test_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "SALAMA_FAULT_INJECTION must not be set when SALAMA_ENV=production" in result.stderr
