"""The case lifecycle as data: stages, allowed transitions, closure and the reflection period.

Source: docs/domain.md#case-lifecycle ([project rule] stages after the OSCE/ODIHR NRM handbook and the ICMPD TRM
guidelines; the reflection and recovery period of at least 30 days is CETS 197 art. 13).
The table lives in ``data/stages.v<N>.json``; code here only interprets it. Pure Python.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CETS_197_MINIMUM_DAYS = 30


class TransitionRefused(ValueError):
    """An illegal stage change; `code` says why and `params` fill the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


@dataclass(frozen=True)
class StageTable:
    version: str
    initial: str
    stages: dict[str, dict[str, Any]]
    transitions: dict[str, list[dict[str, Any]]]
    closure_reasons: tuple[str, ...]
    referred_reasons: frozenset[str]
    reflection_minimum: int
    reflection_default: int
    reflection_by_country: dict[str, int] = field(default_factory=dict)

    def stage_codes(self) -> list[str]:
        return list(self.stages)


@cache
def load_stage_table(version: str = "1", data_dir: Path = DATA_DIR) -> StageTable:
    raw = json.loads((data_dir / f"stages.v{version}.json").read_text(encoding="utf-8"))
    stages = {s["code"]: s for s in raw["stages"]}
    transitions: dict[str, list[dict[str, Any]]] = {code: [] for code in stages}
    for t in raw["transitions"]:
        if t["from"] not in stages or t["to"] not in stages:
            raise ValueError(f"stages.v{version}.json: transition {t} names an unknown stage")
        transitions[t["from"]].append(t)
    period = raw["reflection_period"]
    minimum = int(period["minimum_days"])
    if minimum < CETS_197_MINIMUM_DAYS:
        raise ValueError("the reflection period cannot be shorter than 30 days (CETS 197 art. 13)")
    by_country = {k.upper(): int(v) for k, v in period.get("per_country_days", {}).items()}
    short = [c for c, d in by_country.items() if d < minimum]
    if short or int(period["default_days"]) < minimum:
        raise ValueError(f"reflection periods under {minimum} days: {short or ['default']}")
    return StageTable(
        version=str(raw["version"]),
        initial=raw["initial"],
        stages=stages,
        transitions=transitions,
        closure_reasons=tuple(raw["closure"]["reasons"]),
        referred_reasons=frozenset(raw["closure"]["referred_reasons"]),
        reflection_minimum=minimum,
        reflection_default=int(period["default_days"]),
        reflection_by_country=by_country,
    )


def allowed_targets(table: StageTable, stage: str, case_type: str) -> list[str]:
    """Stages a case of `case_type` may move to from `stage` (closure is separate)."""
    return [
        t["to"]
        for t in table.transitions.get(stage, [])
        if "case_types" not in t or case_type in t["case_types"]
    ]


def check_transition(table: StageTable, stage: str, target: str, case_type: str) -> None:
    if stage not in table.stages:
        raise TransitionRefused("unknown_stage", stage=stage)
    if target not in table.stages:
        raise TransitionRefused("unknown_stage", stage=target)
    if table.stages[stage].get("terminal"):
        raise TransitionRefused("case_closed")
    if target == "closed":
        raise TransitionRefused("use_closure")
    if target not in allowed_targets(table, stage, case_type):
        raise TransitionRefused(
            "not_allowed",
            stage=stage,
            target=target,
            allowed=allowed_targets(table, stage, case_type),
        )


def reflection_days(table: StageTable, country: str) -> int:
    return max(
        table.reflection_minimum,
        table.reflection_by_country.get(country.upper(), table.reflection_default),
    )


def reflection_end(table: StageTable, start: dt.date, country: str) -> dt.date:
    return start + dt.timedelta(days=reflection_days(table, country))


def check_closure(
    table: StageTable, stage: str, reason: str, *, reflection_ends: dt.date | None, today: dt.date
) -> None:
    if table.stages.get(stage, {}).get("terminal"):
        raise TransitionRefused("case_closed")
    if reason not in table.closure_reasons:
        raise TransitionRefused("unknown_reason", reason=reason)
    # No removal during the reflection and recovery period (CETS 197 art. 13).
    if reason == "person_returned" and reflection_ends is not None and today < reflection_ends:
        raise TransitionRefused("reflection_period_running", ends=reflection_ends.isoformat())


def htcds_status(table: StageTable, stage: str, closure_reason: str = "") -> str:
    """HTCDS cas_Status for a stage: Active, FollowUp, Closed or ClosedReferred."""
    if table.stages[stage].get("terminal"):
        return "ClosedReferred" if closure_reason in table.referred_reasons else "Closed"
    return str(table.stages[stage]["htcds_status"])
