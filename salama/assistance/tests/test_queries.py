"""The home page's reads of funds and approvals (salama.assistance.queries)."""

from __future__ import annotations

from typing import Any

import pytest

from salama.assistance import queries
from salama.assistance.services import approve_item
from salama.assistance.tests.factories import ask, make_case, make_fund, principal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("committed", "low"), [("90.00", True), ("89.99", False)])
def test_the_database_finds_low_funds_by_the_same_rule_to_the_cent(
    committed: str, low: bool, org_admin_a: Any, caseworker_a: Any, supervisor_a: Any
) -> None:
    fund = make_fund(org_admin_a, deposit="100.00")
    approve_item(
        actor=principal(supervisor_a),
        item=ask(caseworker_a, make_case(caseworker_a), fund, committed),
    )
    found = queries.low_funds(principal(org_admin_a))
    assert (fund in found) is low


def test_low_funds_are_the_organisations_own_and_open_ones(
    org_admin_a: Any, org_admin_b: Any
) -> None:
    empty_b = make_fund(org_admin_b, deposit=None, name="B's empty fund")
    closed = make_fund(org_admin_a, deposit=None, name="Closed fund")
    closed.is_active = False
    closed.save()
    empty_a = make_fund(org_admin_a, deposit=None, name="A's empty fund")
    assert queries.low_funds(principal(org_admin_a)) == [empty_a]
    assert queries.low_funds(principal(org_admin_b)) == [empty_b]
