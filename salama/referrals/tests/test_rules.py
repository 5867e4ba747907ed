"""Referral rules: the state machine, SLA, minimum packets and eligibility (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from salama.referrals import rules

UTC = dt.UTC


def table() -> rules.StateTable:
    return rules.load_state_table()


def test_the_happy_path_walks_from_sent_to_completed():
    status = "sent"
    for action, expected in [
        ("acknowledge", "acknowledged"),
        ("accept", "accepted"),
        ("deliver", "delivered"),
        ("complete", "completed"),
    ]:
        status, _rule = rules.check_move(table(), status, action)
        assert status == expected


def test_a_referral_can_be_accepted_without_acknowledging_first():
    assert rules.check_move(table(), "sent", "accept")[0] == "accepted"


def test_final_states_allow_nothing():
    for status in ("declined", "completed", "withdrawn"):
        with pytest.raises(rules.MoveRefused) as exc:
            rules.check_move(table(), status, "withdraw")
        assert exc.value.code == "final"
        assert rules.allowed_actions(table(), status) == []


def test_illegal_move_names_what_is_possible():
    with pytest.raises(rules.MoveRefused) as exc:
        rules.check_move(table(), "sent", "complete")
    assert exc.value.code == "not_allowed"
    assert exc.value.params["allowed"] == ["acknowledge", "accept", "decline", "withdraw"]


def test_actions_are_split_between_the_sides():
    assert rules.allowed_actions(table(), "sent", "sender") == ["withdraw"]
    assert rules.allowed_actions(table(), "sent", "recipient") == [
        "acknowledge",
        "accept",
        "decline",
    ]
    assert rules.allowed_actions(table(), "delivered", "sender") == ["complete", "withdraw"]


def test_sla_defaults_per_service_type_and_service_overrides():
    assert rules.sla_days("accommodation") == {"acknowledge_days": 1, "accept_days": 2}
    assert rules.sla_days("unknown_type") == {"acknowledge_days": 2, "accept_days": 5}
    assert rules.sla_days("legal", {"acknowledge_days": 7, "accept_days": None}) == {
        "acknowledge_days": 7,
        "accept_days": 10,
    }


def test_due_dates_count_from_sending_and_end_after_acceptance():
    sent = dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    days = {"acknowledge_days": 1, "accept_days": 2}
    assert rules.due_at(table(), "sent", sent, days) == sent + dt.timedelta(days=1)
    assert rules.due_at(table(), "acknowledged", sent, days) == sent + dt.timedelta(days=2)
    assert rules.due_at(table(), "accepted", sent, days) is None


def test_a_stage_is_overdue_only_after_its_deadline():
    due = dt.datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
    assert rules.is_overdue(due, due) is False
    assert rules.is_overdue(due, due + dt.timedelta(seconds=1)) is True
    assert rules.is_overdue(None, due) is False


def test_default_packet_is_the_minimum_for_the_service_type():
    assert rules.default_packet("interpretation") == ["languages", "needs_note"]
    assert "case_summary" not in rules.default_packet("accommodation")
    assert rules.default_packet("livelihood") == ["sex", "age_band", "languages", "needs_note"]


def test_clean_packet_orders_keys_and_rejects_unknown_ones():
    assert rules.clean_packet(["needs_note", "name"]) == ["name", "needs_note"]
    with pytest.raises(ValueError, match="place_of_birth"):
        rules.clean_packet(["name", "place_of_birth"])


def test_eligibility_problems_ignore_unknown_facts():
    kwargs = {"min_age": 18, "max_age": 60, "sexes": ["female"], "case_types": ["trafficking"]}
    assert rules.eligibility_problems(age=None, sex="unknown", case_type="", **kwargs) == []
    assert rules.eligibility_problems(age=15, sex="male", case_type="returnee", **kwargs) == [
        "too_young",
        "sex",
        "case_type",
    ]
