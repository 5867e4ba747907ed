"""Referral rules as pure functions over versioned data (docs/domain.md#referral-mechanism, project rules).

- The state machine (data/states.v1.json): sent → acknowledged → accepted | declined →
  delivered → completed, or withdrawn by the sender from any state that is not final.
- The SLA (data/sla.v1.json): days to acknowledge and to accept, per service type, counted from
  the moment the referral was sent; a service may set its own.
- The minimum packet per service type (data/packet_defaults.v1.json).
- Eligibility of a person for a service (age, sex, case type).
No Django imports: plain values in, plain values out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
PACKET_KEYS: tuple[str, ...] = (
    "name",
    "date_of_birth",
    "sex",
    "age_band",
    "nationalities",
    "languages",
    "contacts.phone",
    "documents",
    "case_summary",
    "needs_note",
    "trafficking_status",
    "screening_outcome",
)


class MoveRefused(Exception):
    """An action that the state machine does not allow from the current state."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class StateTable:
    version: str
    initial: str
    final: frozenset[str]
    actions: Mapping[str, Mapping[str, Any]]
    sla: Mapping[str, str]


@lru_cache(maxsize=2)
def load_state_table(name: str = "states.v1.json") -> StateTable:
    raw = json.loads((DATA / name).read_text(encoding="utf-8"))
    return StateTable(
        version=raw["version"],
        initial=raw["initial"],
        final=frozenset(raw["final"]),
        actions=raw["actions"],
        sla=raw["sla"],
    )


@lru_cache(maxsize=2)
def load_sla(name: str = "sla.v1.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=2)
def load_packet_defaults(name: str = "packet_defaults.v1.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def check_move(table: StateTable, status: str, action: str) -> tuple[str, Mapping[str, Any]]:
    """The state `action` leads to from `status`, and the action's rule; MoveRefused otherwise."""
    rule = table.actions.get(action)
    if rule is None:
        raise MoveRefused("unknown_action", action=action)
    if status in table.final:
        raise MoveRefused("final", status=status)
    if status not in rule["from"]:
        raise MoveRefused(
            "not_allowed", status=status, action=action, allowed=allowed_actions(table, status)
        )
    return rule["to"], rule


def allowed_actions(table: StateTable, status: str, side: str | None = None) -> list[str]:
    """Actions possible from `status`, optionally only those `side` ("sender"/"recipient") may do."""
    if status in table.final:
        return []
    return [
        name
        for name, rule in table.actions.items()
        if status in rule["from"] and (side is None or rule["by"] in (side, "either"))
    ]


def sla_days(
    service_type: str, overrides: Mapping[str, int | None] | None = None
) -> dict[str, int]:
    """Days to acknowledge and to accept for a service type; a service's own values win."""
    table = load_sla()
    days = dict(table["default"])
    days.update(table["service_types"].get(service_type, {}))
    for key, value in (overrides or {}).items():
        if value is not None:
            days[key] = int(value)
    return days


def due_at(
    table: StateTable, status: str, sent_at: dt.datetime, days: Mapping[str, int]
) -> dt.datetime | None:
    """When the stage `status` must be left, or None when it has no deadline."""
    key = table.sla.get(status)
    if key is None:
        return None
    return sent_at + dt.timedelta(days=days[key])


def is_overdue(due: dt.datetime | None, now: dt.datetime) -> bool:
    """A stage is overdue once its deadline has passed (at the deadline itself it is not)."""
    return due is not None and now > due


def default_packet(service_type: str) -> list[str]:
    data = load_packet_defaults()
    keys: list[str] = data["service_types"].get(service_type, data["default"])
    return [k for k in PACKET_KEYS if k in keys]


def clean_packet(keys: Iterable[str]) -> list[str]:
    """The chosen keys in catalogue order; ValueError naming any key outside the catalogue."""
    chosen = {k.strip() for k in keys if k and k.strip()}
    unknown = sorted(chosen - set(PACKET_KEYS))
    if unknown:
        raise ValueError(", ".join(unknown))
    return [k for k in PACKET_KEYS if k in chosen]


def eligibility_problems(
    *,
    age: int | None,
    sex: str,
    case_type: str,
    min_age: int | None,
    max_age: int | None,
    sexes: Iterable[str],
    case_types: Iterable[str],
) -> list[str]:
    """Codes of the service's conditions the person does not meet (unknown facts never fail)."""
    problems = []
    if age is not None and min_age is not None and age < min_age:
        problems.append("too_young")
    if age is not None and max_age is not None and age > max_age:
        problems.append("too_old")
    allowed_sexes = set(sexes)
    if allowed_sexes and sex and sex != "unknown" and sex not in allowed_sexes:
        problems.append("sex")
    allowed_types = set(case_types)
    if allowed_types and case_type and case_type not in allowed_types:
        problems.append("case_type")
    return problems
