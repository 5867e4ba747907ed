"""The assistance app's panels on the home page (registered from AssistanceConfig.ready).

A supervisor sees what waits for their approval: reassignments of cases and assistance items in
the approvals queue. An organisation administrator sees the funds running low, when there are.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from salama.assistance import queries, rules
from salama.assistance.services import money_label
from salama.cases import queries as case_queries
from salama.core import home
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm, Role


def approvals(principal: Principal) -> dict[str, Any]:
    reassignments = []
    if has_perm(principal, Perm.CASE_APPROVE):
        reassignments = [
            {
                "reference": r.case.reference,
                "url": f"{reverse('cases:case-detail', args=[r.case.id])}#assign-h",
                "by": r.requested_by.full_name or r.requested_by.email,
                "to": r.to_user.full_name or r.to_user.email,
            }
            for r in case_queries.pending_reassignments(principal)
        ]
    items = None
    if has_perm(principal, Perm.ASSISTANCE_APPROVE):
        items = queries.approvals_waiting(principal)
    return {
        "reassignments": reassignments,
        "items": items,
        "items_url": reverse("assistance:approvals"),
    }


def low_funds(principal: Principal) -> dict[str, Any] | None:
    funds = queries.low_funds(principal)
    if not funds:
        return None  # the panel appears only when a fund runs low
    return {
        "funds": [
            {
                "name": fund.name,
                "available": money_label(fund.available, fund.currency),
                "deposited": money_label(fund.deposited, fund.currency),
                "url": fund.get_absolute_url(),
            }
            for fund in funds
        ],
        "share": int(rules.LOW_BALANCE_SHARE * 100),
        "funds_url": reverse("assistance:fund-list"),
    }


def register_panels() -> None:
    home.register_panel(
        "assistance.approvals",
        perm=Perm.CASE_APPROVE,
        roles=(Role.SUPERVISOR,),
        reader=approvals,
        template="assistance/panels/approvals.html",
        order=30,
    )
    home.register_panel(
        "assistance.low_funds",
        perm=Perm.FUND_MANAGE,
        roles=(Role.ORG_ADMIN,),
        reader=low_funds,
        template="assistance/panels/low_funds.html",
        order=20,
    )
