"""Loading and checking the versioned rule files under ``salama/screening/data/``.

Every rule a deployment may need to change is data: the ILO & European Commission indicator
lists (*Operational indicators of trafficking in human beings*, 2009, WCMS_105023) with their
ratings, dimension threshold and combination of dimensions, and the IOM Determinants of Migrant
Vulnerability factor and response catalogue (*Handbook on Protection and Assistance for Migrants
Vulnerable to Violence, Exploitation and Abuse*, 2019). Each file is named
``<name>.v<version>.json`` and states its own name and version; a published version is never
edited in place, so a loaded version may be cached for the life of the process.

This module finds the versions, reads a file and checks the types of its fields; the modules
that own each format (``indicators``, ``vulnerability``) parse and check what the fields mean.
Nothing here imports Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

DOMV_CATALOGUE = "domv-factors"
"""The file name of the DoMV catalogue."""
DEADLINES = "identification-deadlines"
"""The file name of the identification deadlines; every other rule file is an indicator table."""

_DATA_PACKAGE = "salama.screening"
_FILENAME = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)\.v(?P<version>\d+(?:\.\d+)*)\.json$")


class RuleTableError(ValueError):
    """A rule file is missing, malformed or inconsistent."""


def _data_root(data_dir: Path | None) -> Traversable:
    if data_dir is not None:
        return data_dir
    return resources.files(_DATA_PACKAGE).joinpath("data")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _versions_by_name(data_dir: Path | None) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for entry in _data_root(data_dir).iterdir():
        match = _FILENAME.match(entry.name)
        if match and entry.is_file():
            found.setdefault(match["name"], []).append(match["version"])
    return {name: tuple(sorted(v, key=_version_key)) for name, v in sorted(found.items())}


def resolve_version(name: str, version: str | None, data_dir: Path | None) -> str:
    """The version of rule file ``name`` to load: ``version`` if it exists, else the latest."""
    versions = _versions_by_name(data_dir).get(name, ())
    if not versions:
        raise RuleTableError(f"no rule file named {name!r} in {_data_root(data_dir)}")
    if version is None:
        return versions[-1]
    if version not in versions:
        raise RuleTableError(f"{name!r} has no version {version!r}; available: {versions}")
    return version


def _read_json(name: str, version: str, data_dir: Path | None) -> dict[str, Any]:
    entry = _data_root(data_dir).joinpath(f"{name}.v{version}.json")
    try:
        raw = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleTableError(f"cannot read {name} v{version}: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleTableError(f"{name} v{version}: top level must be an object")
    return raw


def _check_identity(raw: Mapping[str, Any], key: str, name: str, version: str) -> None:
    where = f"{name} v{version}"
    if (
        expect_field(raw, key, str, where) != name
        or expect_field(raw, "version", str, where) != version
    ):
        raise RuleTableError(f"{where}: {key!r}/'version' do not match the file name")


def read_rule_file(name: str, version: str, key: str, data_dir: Path | None) -> dict[str, Any]:
    """The JSON object of one version of a rule file, whose ``key`` and ``version`` must
    repeat the file's name and version."""
    raw = _read_json(name, version, data_dir)
    _check_identity(raw, key, name, version)
    return raw


def expect_object(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise RuleTableError(f"{where}: expected an object, got {type(raw).__name__}")
    return raw


def expect_field(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise RuleTableError(f"{where}: missing {key!r}")
    value = obj[key]
    # bool is an int subclass; a count of True must not pass as 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuleTableError(f"{where}: {key!r} must be {kind.__name__}")
    return value


def expect_strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = expect_field(raw, key, list, where)
    if not all(isinstance(value, str) for value in values):
        raise RuleTableError(f"{where}: {key!r} must be a list of strings")
    return tuple(values)


def available_tables(*, data_dir: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Indicator table names with their versions, oldest first."""
    versions = _versions_by_name(data_dir)
    versions.pop(DOMV_CATALOGUE, None)
    versions.pop(DEADLINES, None)
    return versions
