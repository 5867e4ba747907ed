"""Two people spending from one fund at the same moment cannot overdraw it.

Each thread has its own database connection. On PostgreSQL the fund row lock
(`select_for_update`) makes the second transaction wait and then read the balance the first one
left. On SQLite the IMMEDIATE transactions serialise the writers; the in-memory test database
(shared cache) answers "table is locked" at once instead of waiting as a database file does, so
there the thread retries its whole unit of work, which is what SQLite's busy handler does for
a file. Both threads start together at a barrier.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction

from salama.assistance import services
from salama.assistance.choices import ItemStatus
from salama.assistance.models import AssistanceItem, FundMovement
from salama.assistance.tests.factories import ask, fund_state, make_case, make_fund, principal

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


def _as_busy_handler(work: Callable[[], Any]) -> Any:
    for _attempt in range(5000):
        try:
            return work()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
        time.sleep(0.002)  # back off like SQLite's busy handler; no outcome depends on timing
    raise AssertionError("the other transaction never finished")


def _race(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = _as_busy_handler(work[index])
        except Exception as exc:  # noqa: BLE001  (the test inspects what each thread met)
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _load(item_id: Any) -> AssistanceItem:
    return AssistanceItem.objects.select_related(
        "case__person__data_key", "case__organisation"
    ).get(pk=item_id)


def test_two_concurrent_disbursements_cannot_overdraw_a_fund(
    caseworker_a, supervisor_a, org_admin_a
):
    fund = make_fund(org_admin_a, deposit="100.00", threshold="1000.00")
    case = make_case(caseworker_a)
    items = [ask(caseworker_a, case, fund, "70.00") for _ in range(2)]
    approver = principal(supervisor_a)

    def spend(item_id: Any) -> Callable[[], str]:
        def work() -> str:
            item = _load(item_id)
            with transaction.atomic():
                services.approve_item(actor=approver, item=item)
                services.disburse_item(actor=approver, item=item)
            return "paid"

        return work

    results = _race([spend(items[0].pk), spend(items[1].pk)])

    assert results.count("paid") == 1
    (refused,) = [r for r in results if r != "paid"]
    assert isinstance(refused, ValidationError)
    assert "Only 30.00 USD is available" in " ".join(refused.messages)
    assert fund_state(fund) == (D(100), D(0), D(70), D(30))
    statuses = sorted(AssistanceItem.objects.values_list("status", flat=True))
    assert statuses == [ItemStatus.DISBURSED, ItemStatus.REQUESTED]


def test_the_same_item_is_paid_once_when_two_people_pay_it_together(
    caseworker_a, supervisor_a, org_admin_a
):
    fund = make_fund(org_admin_a, deposit="100.00", threshold="1000.00")
    case = make_case(caseworker_a)
    item = ask(caseworker_a, case, fund, "70.00")
    services.approve_item(actor=principal(supervisor_a), item=item)
    payers = [principal(supervisor_a), principal(org_admin_a)]

    def pay(actor: Any) -> Callable[[], str]:
        def work() -> str:
            services.disburse_item(actor=actor, item=_load(item.pk))
            return "paid"

        return work

    results = _race([pay(payers[0]), pay(payers[1])])

    assert results.count("paid") == 1
    (refused,) = [r for r in results if r != "paid"]
    assert isinstance(refused, ValidationError)
    assert "already “Disbursed (paid)”" in " ".join(refused.messages)
    assert fund_state(fund) == (D(100), D(0), D(70), D(30))
    assert FundMovement.objects.filter(kind="disbursement").count() == 1
