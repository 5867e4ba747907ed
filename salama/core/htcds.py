"""Value sets of the IOM Human Trafficking Case Data Standard (HTCDS), for Django ``choices``.

Source: the UN Migration (IOM) repository UNMigration/HTCDS on GitHub (HTCDS Field Reference.md,
Field Definitions.md and Toolkit/Survey/htcds_xlsform.xml), transcribed into
``data/htcds-2.0.json``. Codes are the standard's value names, spelled as it spells them. The JSON
records, per value set, which file it was copied from and what could not be read.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "htcds-2.0.json"


@cache
def _data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def _entries(name: str) -> list[dict[str, str]]:
    sets: dict[str, list[dict[str, str]]] = _data()["value_sets"]
    try:
        return sets[name]
    except KeyError:
        known = ", ".join(sorted(sets))
        raise KeyError(f"unknown HTCDS value set {name!r}; known value sets: {known}") from None


def version() -> str:
    """The HTCDS version the data file targets."""
    return str(_data()["version"])


def value_set_names() -> list[str]:
    """Names of all value sets, e.g. ``org_Type``, ``vic_TraffickingStatus``."""
    return sorted(_data()["value_sets"])


def value_set(name: str) -> list[tuple[str, str]]:
    """``(code, label)`` pairs of one value set, in the standard's order; usable as ``choices``."""
    return [(entry["code"], entry["label"]) for entry in _entries(name)]


def labels(name: str) -> dict[str, str]:
    """Map of code to English label for one value set."""
    return dict(value_set(name))


def fields() -> dict[str, dict[str, Any]]:
    """Field name → ``{"description", "type", "value_set", ...}`` (a copy; safe to modify)."""
    result: dict[str, dict[str, Any]] = copy.deepcopy(_data()["fields"])
    return result
