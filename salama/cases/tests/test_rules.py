"""The stage table and its rules, without a database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from salama.cases import rules

TABLE = rules.load_stage_table()
TODAY = dt.date(2025, 1, 1)
CASE_TYPES = [
    "trafficking",
    "vulnerable_migrant",
    "stranded_migrant",
    "unaccompanied_child",
    "returnee",
]


def _types_for(transition: dict) -> list[str]:
    return transition.get("case_types", CASE_TYPES)


@pytest.mark.parametrize(
    "transition",
    [t for ts in TABLE.transitions.values() for t in ts],
    ids=lambda t: f"{t['from']}->{t['to']}",
)
def test_every_transition_in_the_table_is_allowed(transition):
    for case_type in _types_for(transition):
        rules.check_transition(TABLE, transition["from"], transition["to"], case_type)
        assert transition["to"] in rules.allowed_targets(TABLE, transition["from"], case_type)


def test_a_transition_missing_from_the_table_is_refused_with_its_code():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "screened", "identified", "trafficking")
    assert exc.value.code == "not_allowed"
    assert "referred_for_identification" in exc.value.params["allowed"]


def test_a_closed_case_cannot_move():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "closed", "assistance_plan", "trafficking")
    assert exc.value.code == "case_closed"


def test_closing_through_a_transition_is_refused():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "assistance_plan", "closed", "trafficking")
    assert exc.value.code == "use_closure"


def test_an_unknown_stage_is_refused():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "screened", "limbo", "trafficking")
    assert exc.value.code == "unknown_stage"


@pytest.mark.parametrize("case_type", ["vulnerable_migrant", "stranded_migrant", "returnee"])
def test_non_trafficking_case_types_skip_identification(case_type):
    assert rules.allowed_targets(TABLE, "screened", case_type) == ["assistance_plan"]
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "screened", "referred_for_identification", case_type)
    assert exc.value.code == "not_allowed"


def test_reflection_period_is_at_least_thirty_days():
    start = dt.date(2025, 1, 31)
    for country in ("JO", "KE", "XX"):
        assert (rules.reflection_end(TABLE, start, country) - start).days >= 30


def _write_table(tmp_path: Path, **period: object) -> Path:
    raw = json.loads((rules.DATA_DIR / "stages.v1.json").read_text(encoding="utf-8"))
    raw["version"] = "99"
    raw["reflection_period"] = {**raw["reflection_period"], **period}
    (tmp_path / "stages.v99.json").write_text(json.dumps(raw), encoding="utf-8")
    return tmp_path


def test_a_table_with_a_minimum_under_thirty_days_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="30 days"):
        rules.load_stage_table("99", _write_table(tmp_path, minimum_days=20, default_days=20))


def test_a_table_with_a_country_under_the_minimum_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="under 30 days"):
        rules.load_stage_table("99", _write_table(tmp_path, per_country_days={"ke": 14}))


def test_a_longer_country_period_is_used(tmp_path):
    table = rules.load_stage_table("99", _write_table(tmp_path, per_country_days={"ke": 90}))
    assert rules.reflection_days(table, "KE") == 90
    assert rules.reflection_days(table, "JO") == 30


def test_closure_with_person_returned_is_refused_during_the_reflection_period():
    ends = dt.date(2025, 3, 1)
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_closure(
            TABLE,
            "reflection_recovery",
            "person_returned",
            reflection_ends=ends,
            today=dt.date(2025, 2, 1),
        )
    assert exc.value.code == "reflection_period_running"
    rules.check_closure(
        TABLE, "identified", "person_returned", reflection_ends=ends, today=dt.date(2025, 3, 1)
    )


def test_closure_needs_a_known_reason_and_an_open_case():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_closure(TABLE, "screened", "bored", reflection_ends=None, today=TODAY)
    assert exc.value.code == "unknown_reason"
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_closure(TABLE, "closed", "other", reflection_ends=None, today=TODAY)
    assert exc.value.code == "case_closed"


@pytest.mark.parametrize(
    ("stage", "reason", "status"),
    [
        ("screened", "", "Active"),
        ("reflection_recovery", "", "Active"),
        ("follow_up", "", "FollowUp"),
        ("closed", "objectives_met", "Closed"),
        ("closed", "referred_elsewhere", "ClosedReferred"),
        ("closed", "transferred", "ClosedReferred"),
    ],
)
def test_stages_map_to_htcds_case_status(stage, reason, status):
    assert rules.htcds_status(TABLE, stage, reason) == status
