"""Identification deadlines per jurisdiction, and the working-day arithmetic they need.

A national referral mechanism identifies in two steps (docs/domain.md#formal-identification): a
*reasonable grounds* decision, due within a period counted from the referral to the competent
authority, then a *conclusive grounds* decision, not made before the end of the recovery period
that a positive reasonable-grounds decision opens. The periods, the weekly rest days and the
public holidays are data, per jurisdiction (ISO 3166-1 alpha-2), in
``data/identification-deadlines.v<N>.json``, with a default for the jurisdictions it does not
name; each entry names its source or says it is a project rule.

A period is counted in working days (days that are neither a weekly rest day nor a listed
holiday, counted from the day after the start) or in calendar days. Nothing here imports Django.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from salama.screening.rules.tables import (
    DEADLINES,
    RuleTableError,
    expect_field,
    expect_object,
    read_rule_file,
    resolve_version,
)

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
UNITS = (WORKING_DAYS, CALENDAR_DAYS)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
MAX_PERIOD_DAYS = 366
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_OVERRIDABLE = (
    "source",
    "project_rule",
    "weekend",
    "holidays",
    "reasonable_grounds",
    "conclusive_grounds",
)


# Working days ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """Which days count as working days: not a weekly rest day (0 = Monday) nor a holiday."""

    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays


def add_working_days(start: dt.date, count: int, calendar: Calendar) -> dt.date:
    """The `count`-th working day after `start` (`start` itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if len(calendar.weekend) >= 7:
        raise ValueError("a week needs at least one working day")
    day = start
    left = count
    while left:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, calendar: Calendar) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after it)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days += 1
    return days


# Periods and rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    count: int
    unit: str

    def end(self, start: dt.date, calendar: Calendar) -> dt.date:
        """The last day of the period that begins after `start`."""
        if self.unit == WORKING_DAYS:
            return add_working_days(start, self.count, calendar)
        return start + dt.timedelta(days=self.count)


@dataclass(frozen=True)
class JurisdictionRules:
    """The deadlines of one jurisdiction ("" for the table's default)."""

    jurisdiction: str
    source: str
    project_rule: bool
    calendar: Calendar
    reasonable_grounds_within: Period | None
    """From the referral to the competent authority to the reasonable-grounds decision."""
    conclusive_grounds_not_before: Period | None
    """From the positive reasonable-grounds decision: the recovery period before a conclusive one."""
    conclusive_grounds_within: Period | None
    """From the positive reasonable-grounds decision to the conclusive one, where a law sets it."""


@dataclass(frozen=True)
class DeadlineTable:
    table: str
    version: str
    title: str
    default: JurisdictionRules
    jurisdictions: Mapping[str, JurisdictionRules]

    def for_jurisdiction(self, code: str) -> JurisdictionRules:
        return self.jurisdictions.get(code.upper(), self.default)


def load_deadlines(version: str | None = None, *, data_dir: Path | None = None) -> DeadlineTable:
    """The deadline table; the latest version when ``version`` is None."""
    resolved = resolve_version(DEADLINES, version, data_dir)
    return _load_cached(resolved, data_dir)


@lru_cache(maxsize=8)
def _load_cached(version: str, data_dir: Path | None) -> DeadlineTable:
    raw = read_rule_file(DEADLINES, version, "table", data_dir)
    return parse_deadlines(raw, f"{DEADLINES} v{version}")


def parse_deadlines(raw: Mapping[str, Any], where: str) -> DeadlineTable:
    default_raw = expect_object(expect_field(raw, "default", dict, where), f"{where} default")
    default = _parse_rules("", default_raw, f"{where} default")
    jurisdictions: dict[str, JurisdictionRules] = {}
    for code, entry in expect_field(raw, "jurisdictions", dict, where).items():
        here = f"{where} {code}"
        if not _COUNTRY.match(code):
            raise RuleTableError(f"{here}: a jurisdiction is an ISO 3166-1 alpha-2 code, e.g. GB")
        entry = expect_object(entry, here)
        unknown = set(entry) - set(_OVERRIDABLE)
        if unknown:
            raise RuleTableError(f"{here}: unknown keys {sorted(unknown)}")
        if "source" not in entry:
            raise RuleTableError(f"{here}: say where this jurisdiction's rules come from")
        merged = {**default_raw, "project_rule": False, **entry}
        jurisdictions[code] = _parse_rules(code, merged, here)
    return DeadlineTable(
        table=expect_field(raw, "table", str, where),
        version=expect_field(raw, "version", str, where),
        title=expect_field(raw, "title", str, where),
        default=default,
        jurisdictions=jurisdictions,
    )


def _parse_rules(code: str, raw: Mapping[str, Any], where: str) -> JurisdictionRules:
    reasonable = expect_object(raw.get("reasonable_grounds", {}), f"{where} reasonable_grounds")
    conclusive = expect_object(raw.get("conclusive_grounds", {}), f"{where} conclusive_grounds")
    project_rule = raw.get("project_rule", False)
    if not isinstance(project_rule, bool):
        raise RuleTableError(f"{where}: 'project_rule' must be true or false")
    return JurisdictionRules(
        jurisdiction=code,
        source=expect_field(raw, "source", str, where),
        project_rule=project_rule,
        calendar=Calendar(
            weekend=_weekend(raw.get("weekend", ["sat", "sun"]), where),
            holidays=_holidays(raw.get("holidays", []), where),
        ),
        reasonable_grounds_within=_period(reasonable.get("within"), f"{where} reasonable_grounds"),
        conclusive_grounds_not_before=_period(
            conclusive.get("not_before"), f"{where} conclusive_grounds not_before"
        ),
        conclusive_grounds_within=_period(
            conclusive.get("within"), f"{where} conclusive_grounds within"
        ),
    )


def _weekend(raw: Any, where: str) -> frozenset[int]:
    if not isinstance(raw, list) or not all(isinstance(d, str) and d in WEEKDAYS for d in raw):
        raise RuleTableError(f"{where}: 'weekend' lists days as mon, tue, … sun")
    days = frozenset(WEEKDAYS[d] for d in raw)
    if len(days) >= 7:
        raise RuleTableError(f"{where}: a week needs at least one working day")
    return days


def _holidays(raw: Any, where: str) -> frozenset[dt.date]:
    if not isinstance(raw, list):
        raise RuleTableError(f"{where}: 'holidays' is a list of dates (YYYY-MM-DD)")
    try:
        return frozenset(dt.date.fromisoformat(d) for d in raw)
    except (TypeError, ValueError):
        raise RuleTableError(f"{where}: 'holidays' is a list of dates (YYYY-MM-DD)") from None


def _period(raw: Any, where: str) -> Period | None:
    if raw is None:
        return None
    raw = expect_object(raw, where)
    count = expect_field(raw, "count", int, where)
    unit = expect_field(raw, "unit", str, where)
    if unit not in UNITS:
        raise RuleTableError(f"{where}: 'unit' is one of {', '.join(UNITS)}")
    if not 1 <= count <= MAX_PERIOD_DAYS:
        raise RuleTableError(f"{where}: 'count' is between 1 and {MAX_PERIOD_DAYS}")
    return Period(count=count, unit=unit)


# Timing of one step ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTiming:
    """When a decision was due and whether it kept to it.

    ``late``: decided after ``due_on``. ``overdue``: not decided and ``today`` is after
    ``due_on``. ``early``: decided before ``not_before``. Dates are None where the
    jurisdiction sets no such limit or the start of the period is unknown.
    """

    due_on: dt.date | None = None
    not_before: dt.date | None = None
    late: bool = False
    overdue: bool = False
    early: bool = False
    working_days_taken: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "late": self.late,
            "overdue": self.overdue,
            "early": self.early,
            "working_days_taken": self.working_days_taken,
        }


def reasonable_grounds_due(rules: JurisdictionRules, referred_on: dt.date) -> dt.date | None:
    """The last day for the reasonable-grounds decision on a referral made on `referred_on`."""
    period = rules.reasonable_grounds_within
    return period.end(referred_on, rules.calendar) if period else None


def reasonable_grounds_timing(
    rules: JurisdictionRules,
    *,
    referred_on: dt.date | None,
    decided_on: dt.date | None,
    today: dt.date,
) -> StepTiming:
    """The reasonable-grounds step: due within the jurisdiction's period from the referral."""
    if referred_on is None:
        return StepTiming()
    due = reasonable_grounds_due(rules, referred_on)
    return step_timing(
        due_on=due,
        decided_on=decided_on,
        today=today,
        taken=working_days_between(referred_on, decided_on, rules.calendar) if decided_on else None,
    )


def conclusive_grounds_timing(
    rules: JurisdictionRules,
    *,
    positive_reasonable_grounds_on: dt.date | None,
    decided_on: dt.date | None,
    today: dt.date,
) -> StepTiming:
    """The conclusive-grounds step: not before the recovery period that a positive
    reasonable-grounds decision opens has run; due within a period where a law sets one."""
    start = positive_reasonable_grounds_on
    if start is None:
        return StepTiming()
    not_before = rules.conclusive_grounds_not_before
    within = rules.conclusive_grounds_within
    return step_timing(
        due_on=within.end(start, rules.calendar) if within else None,
        not_before=not_before.end(start, rules.calendar) if not_before else None,
        decided_on=decided_on,
        today=today,
    )


def step_timing(
    *,
    due_on: dt.date | None,
    decided_on: dt.date | None,
    today: dt.date,
    not_before: dt.date | None = None,
    taken: int | None = None,
) -> StepTiming:
    """Flags for a step due by `due_on` and not to be decided before `not_before`."""
    return StepTiming(
        due_on=due_on,
        not_before=not_before,
        late=bool(due_on and decided_on and decided_on > due_on),
        overdue=bool(due_on and decided_on is None and today > due_on),
        early=bool(not_before and decided_on and decided_on < not_before),
        working_days_taken=taken,
    )
