"""The case lifecycle as data: stages, allowed transitions, closure and the reflection period.

Source: docs/domain.md#case-lifecycle ([project rule] stages after the OSCE/ODIHR NRM handbook and the ICMPD TRM
guidelines; the reflection and recovery period of at least 30 days is CETS 197 art. 13).
The table lives in ``data/stages.v<N>.json``; code here only interprets it. Pure Python.

A transition is *manual* (a person moves the case) unless it says ``"manual": false``; one with
``"on": [events]`` is also made by those events: finalising a screening, referring the case to a
competent authority, or an identification decision (``<step>.<outcome>``). A stage that only an
event reaches cannot be chosen by hand.
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
# The version new cases open on and every service applies (old cases are valid under it).
CURRENT_VERSION = "2"


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
    events: frozenset[str] = frozenset()

    def stage_codes(self) -> list[str]:
        return list(self.stages)


@cache
def load_stage_table(version: str = CURRENT_VERSION, data_dir: Path = DATA_DIR) -> StageTable:
    raw = json.loads((data_dir / f"stages.v{version}.json").read_text(encoding="utf-8"))
    stages = {s["code"]: s for s in raw["stages"]}
    events = frozenset(raw.get("events", []))
    transitions: dict[str, list[dict[str, Any]]] = {code: [] for code in stages}
    for t in raw["transitions"]:
        if t["from"] not in stages or t["to"] not in stages:
            raise ValueError(f"stages.v{version}.json: transition {t} names an unknown stage")
        unknown = set(t.get("on", [])) - events
        if unknown:
            raise ValueError(
                f"stages.v{version}.json: transition {t} names unknown events {unknown}"
            )
        if t.get("manual", True) is False and not t.get("on"):
            raise ValueError(f"stages.v{version}.json: transition {t} can never be made")
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
        events=events,
    )


def _applies(transition: dict[str, Any], case_type: str) -> bool:
    return "case_types" not in transition or case_type in transition["case_types"]


def allowed_targets(table: StageTable, stage: str, case_type: str) -> list[str]:
    """Stages a person may move a case of `case_type` to from `stage` (closure is separate)."""
    targets: list[str] = []
    for t in table.transitions.get(stage, []):
        if t.get("manual", True) and _applies(t, case_type) and t["to"] not in targets:
            targets.append(t["to"])
    return targets


def event_targets(table: StageTable, stage: str, case_type: str) -> list[str]:
    """Stages only an event (a screening, a referral, a decision) moves a case to from here."""
    manual = allowed_targets(table, stage, case_type)
    targets: list[str] = []
    for t in table.transitions.get(stage, []):
        if t.get("on") and _applies(t, case_type) and t["to"] not in manual + targets:
            targets.append(t["to"])
    return targets


def target_on_event(table: StageTable, stage: str, event: str, case_type: str) -> str | None:
    """Where `event` moves a case at `stage`, or None when the table moves it nowhere from here
    (the case is already further on, closed, or the event does not concern this stage)."""
    if event not in table.events:
        raise TransitionRefused("unknown_event", event=event)
    for t in table.transitions.get(stage, []):
        if event in t.get("on", ()) and _applies(t, case_type):
            return str(t["to"])
    return None


def check_transition(table: StageTable, stage: str, target: str, case_type: str) -> None:
    if stage not in table.stages:
        raise TransitionRefused("unknown_stage", stage=stage)
    if target not in table.stages:
        raise TransitionRefused("unknown_stage", stage=target)
    if table.stages[stage].get("terminal"):
        raise TransitionRefused("case_closed")
    if target == "closed":
        raise TransitionRefused("use_closure")
    if target in event_targets(table, stage, case_type):
        events = sorted(
            {e for t in table.transitions[stage] if t["to"] == target for e in t.get("on", ())}
        )
        raise TransitionRefused("needs_event", stage=stage, target=target, events=events)
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
