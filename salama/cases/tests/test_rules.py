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


MANUAL = [t for ts in TABLE.transitions.values() for t in ts if t.get("manual", True)]
BY_EVENT = [t for ts in TABLE.transitions.values() for t in ts if t.get("on")]


def _ids(t: dict) -> str:
    return f"{t['from']}->{t['to']}"


def test_new_cases_open_at_registered_on_the_current_table():
    assert TABLE.version == rules.CURRENT_VERSION == "2"
    assert TABLE.initial == "registered"


@pytest.mark.parametrize("transition", MANUAL, ids=_ids)
def test_every_manual_transition_in_the_table_is_allowed(transition):
    for case_type in _types_for(transition):
        rules.check_transition(TABLE, transition["from"], transition["to"], case_type)
        assert transition["to"] in rules.allowed_targets(TABLE, transition["from"], case_type)


@pytest.mark.parametrize("transition", BY_EVENT, ids=_ids)
def test_every_event_moves_the_case_where_its_transition_says(transition):
    for event in transition["on"]:
        for case_type in _types_for(transition):
            target = rules.target_on_event(TABLE, transition["from"], event, case_type)
            assert target == transition["to"]


@pytest.mark.parametrize(
    ("stage", "event", "target"),
    [
        ("registered", "screening.final", "screened"),
        ("screened", "screening.final", None),
        ("screened", "identification.referred", "referred_for_identification"),
        ("referred_for_identification", "reasonable_grounds.positive", "presumed_victim"),
        ("referred_for_identification", "reasonable_grounds.negative", "not_identified"),
        ("presumed_victim", "conclusive_grounds.positive", "identified"),
        ("reflection_recovery", "conclusive_grounds.positive", "identified"),
        ("reflection_recovery", "conclusive_grounds.negative", "not_identified"),
        ("not_identified", "reasonable_grounds.positive", "presumed_victim"),
        ("not_identified", "conclusive_grounds.positive", "identified"),
        ("identified", "reasonable_grounds.negative", None),
        ("assistance_plan", "conclusive_grounds.positive", None),
        ("closed", "conclusive_grounds.positive", None),
    ],
)
def test_decisions_move_the_case_as_the_table_says(stage, event, target):
    assert rules.target_on_event(TABLE, stage, event, "trafficking") == target


def test_an_unknown_event_is_refused():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.target_on_event(TABLE, "screened", "rumour", "trafficking")
    assert exc.value.code == "unknown_event"


@pytest.mark.parametrize("target", ["presumed_victim", "identified", "not_identified"])
def test_only_a_decision_reaches_the_identification_stages(target):
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "referred_for_identification", target, "trafficking")
    assert exc.value.code == "needs_event"
    assert any(e.startswith(("reasonable", "conclusive")) for e in exc.value.params["events"])
    assert target not in rules.allowed_targets(TABLE, "referred_for_identification", "trafficking")


def test_a_transition_missing_from_the_table_is_refused_with_its_code():
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "screened", "follow_up", "trafficking")
    assert exc.value.code == "not_allowed"
    assert "referred_for_identification" in exc.value.params["allowed"]


def test_every_v1_stage_is_a_v2_stage_so_old_cases_stay_valid():
    v1 = rules.load_stage_table("1")
    assert set(v1.stages) <= set(TABLE.stages)
    assert v1.initial == "screened"


def test_a_table_with_an_event_it_does_not_declare_is_rejected(tmp_path):
    raw = json.loads((rules.DATA_DIR / "stages.v2.json").read_text(encoding="utf-8"))
    raw["version"] = "98"
    raw["transitions"].append({"from": "screened", "to": "follow_up", "on": ["rumour"]})
    (tmp_path / "stages.v98.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown events"):
        rules.load_stage_table("98", tmp_path)


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
    assert rules.allowed_targets(TABLE, "registered", case_type) == ["screened", "assistance_plan"]
    with pytest.raises(rules.TransitionRefused) as exc:
        rules.check_transition(TABLE, "screened", "referred_for_identification", case_type)
    # Only recording a referral to a competent authority takes such a case there.
    assert exc.value.code == "needs_event"
    assert exc.value.params["events"] == ["identification.referred"]


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
