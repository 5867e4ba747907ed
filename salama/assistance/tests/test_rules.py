"""The published assistance rules, without a database (docs/domain.md#direct-assistance)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salama.assistance import rules


@pytest.mark.parametrize(
    ("code", "expected"),
    [("usd", "USD"), (" JOD ", "JOD"), ("XOF", "XOF"), ("ABC", None), ("", None)],
)
def test_normalises_known_currency_codes(code, expected):
    assert rules.normalise_currency(code) == expected


def test_item_amount_rounds_half_up_to_cents():
    assert rules.item_amount(Decimal("3"), Decimal("33.335")) == Decimal("100.01")
    assert rules.item_amount(Decimal("2.5"), Decimal("10")) == Decimal("25.00")


def test_to_money_refuses_what_is_not_a_finite_number():
    assert rules.to_money("12.345") == Decimal("12.35")
    assert rules.to_money("abc") is None
    assert rules.to_money(Decimal("NaN")) is None
    assert rules.to_money("Infinity") is None


def test_available_counts_commitments_and_disbursements():
    assert rules.available(Decimal(100), Decimal(30), Decimal(50)) == Decimal(20)
    assert rules.can_commit(Decimal(20), Decimal(20)) is True
    assert rules.can_commit(Decimal("20.01"), Decimal(20)) is False


def test_above_the_threshold_the_requester_may_not_approve():
    kwargs = {"threshold": Decimal(100), "requester_id": 1, "approver_may_approve": True}
    assert (
        rules.approval_refusal(amount=Decimal("100.01"), approver_id=1, **kwargs) == "own_request"
    )
    assert rules.approval_refusal(amount=Decimal("100.01"), approver_id=2, **kwargs) is None


def test_at_or_below_the_threshold_an_approver_may_approve_their_own_request():
    kwargs = {"threshold": Decimal(100), "requester_id": 1, "approver_id": 1}
    assert rules.approval_refusal(amount=Decimal(100), approver_may_approve=True, **kwargs) is None
    assert (
        rules.approval_refusal(amount=Decimal(1), approver_may_approve=False, **kwargs)
        == "no_permission"
    )


def test_a_zero_threshold_always_needs_a_second_person():
    assert rules.needs_second_person(Decimal("0.01"), Decimal(0)) is True
    assert rules.needs_second_person(Decimal(5), None) is False


@pytest.mark.parametrize(
    ("checked", "note", "expected"),
    [(None, "", "unanswered"), (False, "", "not_checked"), (True, " ", "which"), (True, "x", None)],
)
def test_last_resort_needs_alternatives_checked_and_named(checked, note, expected):
    refusal = rules.alternatives_refusal(
        last_resort=True, alternatives_checked=checked, alternatives_note=note
    )
    assert refusal == expected


def test_other_funds_need_no_alternatives_answer():
    assert (
        rules.alternatives_refusal(
            last_resort=False, alternatives_checked=None, alternatives_note=""
        )
        is None
    )


@pytest.mark.parametrize(
    ("available", "deposited", "low"),
    [
        ("5.00", "100.00", True),
        ("10.00", "100.00", True),  # a tenth exactly: low
        ("10.01", "100.00", False),
        ("0.00", "0.00", True),  # nothing ever deposited: empty, so low
        ("900.00", "1000.00", False),
    ],
)
def test_a_fund_runs_low_at_a_tenth_of_its_deposits(available: str, deposited: str, low: bool):
    assert rules.is_low_balance(Decimal(available), Decimal(deposited)) is low
