"""Small factories for assistance tests (the cast itself lives in the root conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from conftest import principal
from salama.accounts.models import User
from salama.assistance import services
from salama.assistance.choices import FundKind
from salama.assistance.models import AssistanceItem, Fund
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.people.services import register_person

DAY = dt.date(2026, 3, 1)


def make_case(user: User, given_name: str = "Amina") -> Case:
    actor = principal(user)
    person = register_person(
        actor=actor, given_name=given_name, family_name="Yusuf", date_of_birth=dt.date(1994, 5, 17)
    )
    return open_case(actor=actor, person=person, case_type="stranded_migrant")


def make_fund(
    manager: User,
    *,
    deposit: str | None = "100.00",
    threshold: str = "1000.00",
    kind: str = FundKind.STRANDED_MIGRANTS,
    currency: str = "USD",
    name: str = "Stranded migrants fund",
) -> Fund:
    actor = principal(manager)
    fund = services.create_fund(
        actor=actor, name=name, kind=kind, currency=currency, approval_threshold=Decimal(threshold)
    )
    if deposit is not None:
        services.deposit(actor=actor, fund=fund, amount=Decimal(deposit), note="Donor tranche 1")
    return fund


def ask(user: User, case: Case, fund: Fund | None, amount: str, **overrides: Any) -> AssistanceItem:
    """Request one unit of `amount` on `case`, from `fund`."""
    kwargs: dict[str, Any] = {
        "service_type": "accommodation",
        "description": "Three nights in a hostel near the bus station",
        "quantity": Decimal(1),
        "unit_cost": Decimal(amount),
        "service_date": DAY,
        "fund": fund,
        "currency": fund.currency if fund else "USD",
    }
    if fund is not None and fund.kind == FundKind.LAST_RESORT:
        kwargs.update(
            alternatives_checked=True, alternatives_note="National shelter programme full"
        )
    kwargs.update(overrides)
    return services.request_assistance(actor=principal(user), case=case, **kwargs)


def fund_state(fund: Fund) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    fund.refresh_from_db()
    return fund.deposited, fund.committed, fund.disbursed, fund.available
