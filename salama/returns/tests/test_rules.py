"""The return journey's transition table and its rules, without a database."""

from __future__ import annotations

import pytest

from salama.returns import choices, rules


def test_every_status_and_step_has_a_label() -> None:
    assert set(rules.STATUSES) == set(choices.JourneyStatus.values)
    assert set(rules.STEPS) == set(choices.Step.values)
    assert set(rules.CANCEL_REASONS) == set(choices.CancelReason.values)
    assert set(rules.NO_SHOW_REASONS) == set(choices.NoShowReason.values)
    assert (
        set(rules.ACTION_KINDS) == set(choices.ActionKind.values) == set(rules.ACTION_SERVICE_TYPE)
    )


@pytest.mark.parametrize(
    ("status", "step", "target"),
    [
        ("counselling", "counsel", "counselling"),
        ("counselling", "decide_return", "decided"),
        ("counselling", "decide_stay", "staying"),
        ("decided", "assess_risk", "risk_assessed"),
        ("risk_assessed", "assess_risk", "risk_assessed"),
        ("risk_assessed", "assess_health", "fit_assessed"),
        ("fit_assessed", "request_documents", "documents_requested"),
        ("documents_requested", "issue_documents", "documents_issued"),
        ("documents_issued", "add_leg", "itinerary_set"),
        ("itinerary_set", "add_leg", "itinerary_set"),
        ("itinerary_set", "depart", "departed"),
        ("itinerary_set", "no_show", "no_show"),
        ("departed", "arrive", "arrived"),
        ("arrived", "receive", "received"),
        ("documents_requested", "cancel", "cancelled"),
    ],
)
def test_the_table_leads_each_allowed_step_to_its_status(
    status: str, step: str, target: str
) -> None:
    assert rules.check_step(status, step) == target


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("counselling", "depart"),
        ("counselling", "assess_risk"),
        ("decided", "assess_health"),
        ("fit_assessed", "add_leg"),
        ("documents_issued", "depart"),
        ("departed", "cancel"),
        ("departed", "no_show"),
        ("arrived", "decide_return"),
        ("departed", "receive"),
    ],
)
def test_a_step_out_of_order_is_refused_with_the_steps_possible_now(status: str, step: str) -> None:
    with pytest.raises(rules.StepRefused) as exc:
        rules.check_step(status, step)
    assert exc.value.code == "not_allowed"
    assert exc.value.params["allowed"] == rules.allowed_steps(status)


@pytest.mark.parametrize("status", sorted(rules.FINAL))
def test_nothing_happens_to_a_journey_that_ended(status: str) -> None:
    assert rules.allowed_steps(status) == []
    with pytest.raises(rules.StepRefused) as exc:
        rules.check_step(status, "counsel")
    assert exc.value.code == "final"


def test_an_unknown_step_is_refused() -> None:
    with pytest.raises(rules.StepRefused) as exc:
        rules.check_step("counselling", "teleport")
    assert exc.value.code == "unknown"


def test_every_status_is_reachable_from_counselling() -> None:
    reached = {"counselling"}
    frontier = ["counselling"]
    while frontier:
        status = frontier.pop()
        for step in rules.allowed_steps(status):
            target = rules.TRANSITIONS[step].target
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(rules.STATUSES)


def test_cancellation_is_possible_only_before_departure() -> None:
    assert rules.TRANSITIONS["cancel"].sources == rules.BEFORE_DEPARTURE
    assert "departed" not in rules.BEFORE_DEPARTURE


def test_no_decision_to_return_without_a_return_consent() -> None:
    assert rules.decision_refusal(has_return_consent=False) == "no_return_consent"
    assert rules.decision_refusal(has_return_consent=True) is None


def test_a_child_needs_a_best_interests_determination_for_return() -> None:
    assert (
        rules.risk_refusal(is_child=True, has_return_determination=False)
        == "no_best_interests_determination"
    )
    assert rules.risk_refusal(is_child=True, has_return_determination=True) is None
    assert rules.risk_refusal(is_child=False, has_return_determination=False) is None


READY = {
    "decision": "return",
    "has_return_consent": True,
    "fitness": "fit",
    "documents_issued": True,
    "legs": 1,
    "legs_without_escort": 1,
}


def test_a_departure_with_everything_in_place_is_allowed() -> None:
    assert rules.departure_refusals(**READY) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"decision": ""}, "no_decision"),
        ({"has_return_consent": False}, "no_return_consent"),
        ({"fitness": "not_fit"}, "not_fit"),
        ({"fitness": ""}, "not_fit"),
        ({"documents_issued": False}, "no_documents"),
        ({"legs": 0, "legs_without_escort": 0}, "no_itinerary"),
        ({"fitness": "fit_with_escort"}, "no_escort"),
    ],
)
def test_a_departure_is_refused_for_each_missing_condition(change: dict, code: str) -> None:
    assert rules.departure_refusals(**{**READY, **change}) == [code]


def test_a_withdrawn_consent_stops_only_a_journey_that_has_not_left() -> None:
    assert rules.stops_on_consent_withdrawal("itinerary_set")
    assert rules.stops_on_consent_withdrawal("counselling")
    assert not rules.stops_on_consent_withdrawal("departed")
    assert not rules.stops_on_consent_withdrawal("cancelled")
