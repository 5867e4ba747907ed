"""What the assistance pages and the assistance API read, written once.

A page renders these results and the API serialises them. Reading a case's assistance shows what
was written about the person (descriptions, justifications), so it is audited as a view of the
case, from either side.
"""

from __future__ import annotations

from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Value
from django.http import HttpRequest

from salama.assistance import rules
from salama.assistance.access import FUND_READERS, access_fund, approval_queue, visible_funds
from salama.assistance.models import AssistanceItem, Fund, FundMovement
from salama.cases.models import Case
from salama.cases.queries import record_case_view
from salama.core.policy import Principal, require_any_perm, require_perm
from salama.core.roles import Perm

MOVEMENT_LIMIT = 200
APPROVALS_LIMIT = 200


def usable_funds(organisation: Any) -> QuerySet[Fund]:
    """Active funds an item on a case of `organisation` may draw on."""
    return Fund.objects.filter(organisation=organisation, is_active=True)


def case_items(
    principal: Principal, case: Case, *, request: HttpRequest | None
) -> list[AssistanceItem]:
    """The assistance of a case (fetched through salama.cases.access), oldest request first;
    audited as a view of the case."""
    items = list(
        case.assistance_items.select_related(
            "fund__organisation", "requested_by", "decided_by", "provider_organisation"
        )
    )
    for item in items:
        item.case = case  # the person's key is already loaded with the case
    record_case_view(principal, case, request=request)
    return items


def fund_list(principal: Principal | None) -> list[Fund]:
    """The organisation's funds, open ones first, by name (PermissionDenied unless the
    principal manages funds or approves assistance)."""
    principal = require_any_perm(principal, *FUND_READERS)
    return list(visible_funds(principal).order_by("-is_active", "name"))


def fund_to_read(principal: Principal | None, fund_id: Any) -> Fund:
    """One fund of the organisation (PermissionDenied for a role that reads no funds, 404 for a
    fund that is missing or another organisation's)."""
    return access_fund(require_any_perm(principal, *FUND_READERS), fund_id)


def fund_movements(fund: Fund) -> list[FundMovement]:
    """The fund's latest movements, newest first, with the case each one paid for."""
    return list(fund.movements.select_related("actor", "item__case")[:MOVEMENT_LIMIT])


def pending_approvals(principal: Principal | None) -> list[AssistanceItem]:
    """Requested items waiting for the principal's approval, oldest first (PermissionDenied
    without assistance.approve)."""
    queue = approval_queue(require_perm(principal, Perm.ASSISTANCE_APPROVE))
    return list(queue[:APPROVALS_LIMIT])


# The home page ----------------------------------------------------------------------------------

HOME_LIST_LIMIT = 8


def approvals_waiting(principal: Principal | None) -> int:
    """How many items wait in the principal's approval queue (PermissionDenied without
    assistance.approve)."""
    return approval_queue(require_perm(principal, Perm.ASSISTANCE_APPROVE)).count()


def low_funds(principal: Principal | None) -> list[Fund]:
    """The organisation's active funds running low (rules.is_low_balance), by name (at most
    HOME_LIST_LIMIT; PermissionDenied without fund.manage)."""
    principal = require_perm(principal, Perm.FUND_MANAGE)
    left = F("deposited") - F("committed") - F("disbursed")
    share = Value(
        rules.LOW_BALANCE_SHARE, output_field=DecimalField(max_digits=4, decimal_places=2)
    )
    return list(
        visible_funds(principal)
        .filter(is_active=True)
        .alias(
            left=left, floor=ExpressionWrapper(F("deposited") * share, output_field=DecimalField())
        )
        .filter(left__lte=F("floor"))
        .order_by("name")[:HOME_LIST_LIMIT]
    )
