"""Who may see funds and assistance items.

Funds are seen by their organisation's approvers and fund managers, and act only for that
organisation: approving, rejecting or paying an item drawn on a fund needs a member of the fund's
organisation (not merely of the case's — a case can move to another organisation by transfer).
Items are seen through a visible case, or, for fund managers who do not work cases, through a
visible fund (its ledger shows case references and amounts, never descriptions).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from salama.assistance.choices import ItemStatus
from salama.assistance.models import AssistanceItem, Fund
from salama.cases.access import visible_cases
from salama.core.policy import (
    NotPermitted,
    Principal,
    ensure,
    get_or_404,
    has_any_perm,
    has_perm,
    in_organisation,
    register,
)
from salama.core.roles import Perm

# Who reads funds: those who manage them and those who approve what is drawn on them.
FUND_READERS = (Perm.FUND_MANAGE, Perm.ASSISTANCE_APPROVE)


def may_see_funds(principal: Principal | None) -> bool:
    return has_any_perm(principal, *FUND_READERS)


def visible_funds(principal: Principal | None) -> QuerySet[Fund]:
    if not in_organisation(principal) or not may_see_funds(principal):
        return Fund.objects.none()
    assert principal is not None
    return Fund.objects.filter(organisation=principal.organisation)


def access_fund(principal: Principal | None, fund_uuid: Any) -> Fund:
    return get_or_404(visible_funds(principal).select_related("organisation"), uuid=fund_uuid)


def visible_items(principal: Principal | None) -> QuerySet[AssistanceItem]:
    if not in_organisation(principal):
        return AssistanceItem.objects.none()
    assert principal is not None
    through_case = Q(case__in=visible_cases(principal))
    if has_perm(principal, Perm.FUND_MANAGE):
        through_case |= Q(fund__organisation=principal.organisation)
    return AssistanceItem.objects.filter(through_case)


def access_item(principal: Principal | None, item_id: Any) -> AssistanceItem:
    return get_or_404(
        visible_items(principal).select_related(
            "case__person__data_key", "case__organisation", "fund", "requested_by"
        ),
        id=item_id,
    )


def approval_queue(principal: Principal | None) -> QuerySet[AssistanceItem]:
    """Requested items of visible cases, on the principal's own organisation's funds (or none),
    waiting for someone allowed to approve them."""
    if not has_perm(principal, Perm.ASSISTANCE_APPROVE) or not in_organisation(principal):
        return AssistanceItem.objects.none()
    assert principal is not None
    return (
        AssistanceItem.objects.filter(
            case__in=visible_cases(principal), status=ItemStatus.REQUESTED
        )
        .filter(Q(fund__isnull=True) | Q(fund__organisation=principal.organisation))
        .select_related("case__person__data_key", "fund", "requested_by", "provider_organisation")
        .order_by("requested_at", "id")
    )


def ensure_fund(actor: Principal | None, fund: Fund, *perms: str) -> None:
    """Services: the fund belongs to the actor's organisation and the actor may see funds."""
    ensure(actor, fund, *perms)


def ensure_acts_for_item(actor: Principal | None, item: AssistanceItem, *any_of: str) -> None:
    """Services: the actor holds one of `any_of`, may see the item, and works for the
    organisation that pays for it: the fund's owner, or for an item without a fund the case's."""
    if not has_any_perm(actor, *any_of):
        raise NotPermitted
    ensure(actor, item)
    assert actor is not None
    paying_org_id = item.fund.organisation_id if item.fund_id else item.case.organisation_id
    if actor.organisation.pk != paying_org_id:
        raise NotPermitted


def register_rules() -> None:
    register(Fund, visible_funds)
    register(AssistanceItem, visible_items)
