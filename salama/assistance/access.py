"""Who may see funds and assistance items.

Funds are seen by their organisation's approvers and fund managers, and act only for that
organisation: approving, rejecting, paying or cancelling an item drawn on a fund needs a member of
the fund's organisation (not merely of the case's — a case can move to another organisation by
transfer, and the items the sender kept stay the sender's). Items are seen through a visible case,
or, for approvers and fund managers, through their own organisation's funds (so the sender still
reaches the items it kept when a case was transferred; the fund's ledger shows case references and
amounts, never descriptions).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from salama.assistance.choices import ItemStatus
from salama.assistance.models import AssistanceItem, Fund
from salama.cases.access import through_visible_case
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
    through_case = Q(through_visible_case(principal))
    if may_see_funds(principal):
        through_case |= Q(fund__organisation=principal.organisation)
    return AssistanceItem.objects.filter(through_case)


def access_item(principal: Principal | None, item_id: Any) -> AssistanceItem:
    return get_or_404(
        visible_items(principal).select_related(
            "case__person__data_key", "case__organisation", "fund__organisation", "requested_by"
        ),
        id=item_id,
    )


def approval_queue(principal: Principal | None) -> QuerySet[AssistanceItem]:
    """Requested items the principal's organisation pays for, waiting for someone allowed to
    approve them: those on its own funds (also of a case it transferred and kept them on), and
    those without a fund on cases the principal can see. Never items on another's fund."""
    if not has_perm(principal, Perm.ASSISTANCE_APPROVE) or not in_organisation(principal):
        return AssistanceItem.objects.none()
    assert principal is not None
    own_fund = Q(fund__organisation=principal.organisation)
    no_fund_on_visible_case = Q(through_visible_case(principal), fund__isnull=True)
    return (
        AssistanceItem.objects.filter(status=ItemStatus.REQUESTED)
        .filter(own_fund | no_fund_on_visible_case)
        .select_related(
            "case__person__data_key",
            "case__organisation",
            "fund__organisation",
            "requested_by",
            "provider_organisation",
        )
        .order_by("requested_at", "id")
    )


def ensure_fund(actor: Principal | None, fund: Fund, *perms: str) -> None:
    """Services: the fund belongs to the actor's organisation and the actor may see funds."""
    ensure(actor, fund, *perms)


def paying_organisation_id(item: AssistanceItem) -> int:
    """The organisation that pays for an item: the fund's owner, or for an item without a fund
    the case's. Only its members approve, reject, pay or cancel the item."""
    org_id: int = item.fund.organisation_id if item.fund is not None else item.case.organisation_id
    return org_id


def acts_for_item(principal: Principal | None, item: AssistanceItem) -> bool:
    """Whether the principal works for the organisation that pays for the item (pages use it to
    offer actions only on items that are theirs)."""
    if not in_organisation(principal):
        return False
    assert principal is not None
    return bool(principal.organisation.pk == paying_organisation_id(item))


def ensure_acts_for_item(actor: Principal | None, item: AssistanceItem, *any_of: str) -> None:
    """Services: the actor holds one of `any_of`, may see the item, and works for the
    organisation that pays for it (paying_organisation_id)."""
    if not has_any_perm(actor, *any_of):
        raise NotPermitted
    ensure(actor, item)
    if not acts_for_item(actor, item):
        raise NotPermitted


def register_rules() -> None:
    register(Fund, visible_funds)
    register(AssistanceItem, visible_items)
