"""Identification deadlines and working days, without a database."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from salama.screening import rules
from salama.screening.rules import deadlines

DATA = Path(rules.__file__).resolve().parent.parent / "data"
TABLE = rules.load_deadlines()
GB = TABLE.for_jurisdiction("GB")
JO = TABLE.for_jurisdiction("JO")
MON_TO_FRI = rules.Calendar()
D = dt.date


# Working days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "end"),
    [
        (D(2026, 1, 5), 5, D(2026, 1, 12)),  # Monday + 5 working days = next Monday
        (D(2026, 1, 9), 1, D(2026, 1, 12)),  # Friday + 1 = Monday
        (D(2026, 1, 10), 1, D(2026, 1, 12)),  # from a Saturday, the count starts on Monday
        (D(2026, 1, 7), 0, D(2026, 1, 7)),
    ],
)
def test_working_days_skip_the_weekend(start, count, end):
    assert rules.add_working_days(start, count, MON_TO_FRI) == end


def test_working_days_skip_the_jurisdictions_holidays():
    # England and Wales, Easter 2026: Good Friday 3 April and Easter Monday 6 April.
    assert rules.add_working_days(D(2026, 4, 1), 5, GB.calendar) == D(2026, 4, 10)
    assert rules.add_working_days(D(2026, 4, 1), 5, MON_TO_FRI) == D(2026, 4, 8)


def test_working_days_follow_the_jurisdictions_weekly_rest_days():
    # Jordan rests on Friday and Saturday: Thursday + 1 working day is Sunday.
    assert rules.add_working_days(D(2026, 1, 8), 1, JO.calendar) == D(2026, 1, 11)
    assert rules.add_working_days(D(2026, 1, 8), 1, MON_TO_FRI) == D(2026, 1, 9)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert rules.working_days_between(D(2026, 1, 5), D(2026, 1, 12), MON_TO_FRI) == 5
    assert rules.working_days_between(D(2026, 1, 9), D(2026, 1, 11), MON_TO_FRI) == 0
    assert rules.working_days_between(D(2026, 1, 9), D(2026, 1, 5), MON_TO_FRI) == 0


def test_a_negative_count_or_a_week_without_working_days_is_refused():
    with pytest.raises(ValueError):
        rules.add_working_days(D(2026, 1, 5), -1, MON_TO_FRI)
    with pytest.raises(ValueError):
        rules.add_working_days(D(2026, 1, 5), 1, rules.Calendar(weekend=frozenset(range(7))))


# The reasonable-grounds deadline -----------------------------------------------------------


def test_gb_reasonable_grounds_are_due_five_working_days_after_the_referral():
    assert GB.reasonable_grounds_within == rules.Period(5, "working_days")
    assert not GB.project_rule and "Modern Slavery" in GB.source
    # Referred on Wednesday 16 April 2025; Easter fell on 18 and 21 April.
    assert rules.reasonable_grounds_due(GB, D(2025, 4, 16)) == D(2025, 4, 25)


def test_a_reasonable_grounds_decision_after_its_deadline_is_flagged_late():
    timing = rules.reasonable_grounds_timing(
        GB, referred_on=D(2026, 1, 5), decided_on=D(2026, 1, 13), today=D(2026, 2, 1)
    )
    assert timing.due_on == D(2026, 1, 12)
    assert timing.late and not timing.overdue
    assert timing.working_days_taken == 6


def test_a_reasonable_grounds_decision_on_its_last_day_is_not_late():
    timing = rules.reasonable_grounds_timing(
        GB, referred_on=D(2026, 1, 5), decided_on=D(2026, 1, 12), today=D(2026, 2, 1)
    )
    assert not timing.late
    assert timing.working_days_taken == 5


def test_an_undecided_referral_past_its_deadline_is_overdue():
    def waiting(today: dt.date) -> rules.StepTiming:
        return rules.reasonable_grounds_timing(
            GB, referred_on=D(2026, 1, 5), decided_on=None, today=today
        )

    assert not waiting(D(2026, 1, 12)).overdue  # the last day itself
    assert waiting(D(2026, 1, 13)).overdue
    assert not waiting(D(2026, 1, 13)).late


def test_without_a_referral_there_is_no_deadline():
    timing = rules.reasonable_grounds_timing(
        GB, referred_on=None, decided_on=D(2026, 1, 5), today=D(2026, 2, 1)
    )
    assert timing == rules.StepTiming()


# The conclusive-grounds step ---------------------------------------------------------------


def test_a_conclusive_decision_before_the_recovery_period_ends_is_early():
    early = rules.conclusive_grounds_timing(
        GB,
        positive_reasonable_grounds_on=D(2026, 1, 12),
        decided_on=D(2026, 2, 1),
        today=D(2026, 3, 1),
    )
    assert early.not_before == D(2026, 2, 11)
    assert early.early and not early.late and early.due_on is None
    on_time = rules.conclusive_grounds_timing(
        GB,
        positive_reasonable_grounds_on=D(2026, 1, 12),
        decided_on=D(2026, 2, 11),
        today=D(2026, 3, 1),
    )
    assert not on_time.early


def test_a_conclusive_deadline_set_by_a_jurisdiction_flags_an_overdue_decision():
    rules_with_deadline = deadlines.JurisdictionRules(
        jurisdiction="XX",
        source="test",
        project_rule=True,
        calendar=MON_TO_FRI,
        reasonable_grounds_within=None,
        conclusive_grounds_not_before=None,
        conclusive_grounds_within=rules.Period(90, "calendar_days"),
    )
    timing = rules.conclusive_grounds_timing(
        rules_with_deadline,
        positive_reasonable_grounds_on=D(2026, 1, 1),
        decided_on=None,
        today=D(2026, 4, 2),
    )
    assert timing.due_on == D(2026, 4, 1) and timing.overdue


# The table ---------------------------------------------------------------------------------


def test_a_jurisdiction_the_table_does_not_name_gets_the_default_project_rule():
    kenya = TABLE.for_jurisdiction("ke")
    assert kenya is TABLE.default
    assert kenya.project_rule
    assert kenya.reasonable_grounds_within == rules.Period(5, "working_days")
    assert kenya.conclusive_grounds_not_before == rules.Period(30, "calendar_days")
    assert "CETS No. 197" in kenya.source


def test_jordan_keeps_the_default_periods_on_its_own_working_week():
    assert JO.calendar.weekend == frozenset({4, 5})
    assert JO.reasonable_grounds_within == TABLE.default.reasonable_grounds_within
    assert JO.project_rule


def test_the_deadline_table_is_not_an_indicator_table():
    assert rules.DEADLINES not in rules.available_tables()


def _raw() -> dict[str, Any]:
    return json.loads((DATA / "identification-deadlines.v1.json").read_text(encoding="utf-8"))


def _broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw())
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["jurisdictions"].update(GBR={"source": "x"}), "ISO 3166-1"),
        (lambda r: r["jurisdictions"]["JO"].pop("source"), "say where"),
        (lambda r: r["jurisdictions"]["JO"].update(deadline=3), "unknown keys"),
        (lambda r: r["default"].update(weekend=list(deadlines.WEEKDAYS)), "working day"),
        (lambda r: r["default"].update(weekend=["friday"]), "mon, tue"),
        (lambda r: r["default"].update(holidays=["25/12/2026"]), "YYYY-MM-DD"),
        (
            lambda r: r["default"]["reasonable_grounds"]["within"].update(unit="weeks"),
            "working_days",
        ),
        (lambda r: r["default"]["reasonable_grounds"]["within"].update(count=0), "between 1"),
        (lambda r: r["default"]["reasonable_grounds"]["within"].update(count=True), "int"),
    ],
)
def test_a_malformed_table_is_refused_with_what_to_fix(change, message):
    with pytest.raises(rules.RuleTableError, match=message):
        deadlines.parse_deadlines(_broken(change), "test")


def test_a_new_version_of_the_table_is_loaded_as_the_latest(tmp_path):
    raw = _broken(lambda r: r.update(version="2"))
    raw["jurisdictions"]["GB"]["reasonable_grounds"]["within"]["count"] = 10
    (tmp_path / "identification-deadlines.v1.json").write_text(json.dumps(_raw()))
    (tmp_path / "identification-deadlines.v2.json").write_text(json.dumps(raw))
    latest = rules.load_deadlines(data_dir=tmp_path)
    assert latest.version == "2"
    assert latest.for_jurisdiction("GB").reasonable_grounds_within == rules.Period(
        10, "working_days"
    )
    first = rules.load_deadlines("1", data_dir=tmp_path)
    assert first.for_jurisdiction("GB").reasonable_grounds_within == rules.Period(5, "working_days")
