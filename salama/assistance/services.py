"""Every write to funds and assistance items (docs/domain.md#direct-assistance, the IOM Global Assistance Fund).

Money moves only here. Each function is one transaction that locks the fund row
(`select_for_update`) before it reads the balance, so on PostgreSQL two concurrent commitments or
payments from one fund run one after the other; SQLite serialises writers anyway (IMMEDIATE
transactions). A CHECK constraint on the fund's stored totals refuses an overdrawn balance as the
last line of defence. The fund row is always locked before the item row, so two actions never
wait on each other in opposite order.

Every movement (request, approval, rejection, payment, cancellation, deposit) writes an audit
entry with amounts and currency (non-identifying); the free text about the person is named in
`fields` only. Entries about an item are scoped to its case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.accounts.models import Organisation
from salama.assistance import rules
from salama.assistance.access import ensure_acts_for_item, ensure_fund, paying_organisation_id
from salama.assistance.choices import FundKind, ItemStatus, MovementKind
from salama.assistance.models import AssistanceItem, Fund, FundMovement
from salama.cases.access import ensure_case
from salama.cases.models import PlanItem
from salama.cases.plan_links import check_plan_item
from salama.core import audit
from salama.core.errors import ConflictError
from salama.core.policy import NotPermitted, Principal, has_perm, require_perm
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType

if TYPE_CHECKING:
    from salama.referrals.models import CaseTransfer

MAX_QUANTITY = Decimal("99999999.99")
# The reason recorded on the items a transfer cancels (stored as written, like a typed reason).
CASE_TRANSFERRED = "case transferred"


def money_label(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def money_total(items: Iterable[AssistanceItem]) -> str:
    """The items' amounts summed per currency (never across), e.g. "45.00 USD, 10.00 EUR"."""
    sums: dict[str, Decimal] = {}
    for item in items:
        sums[item.currency] = sums.get(item.currency, Decimal(0)) + item.amount
    return ", ".join(money_label(amount, currency) for currency, amount in sorted(sums.items()))


def _require_any(actor: Principal, *perms: str) -> None:
    if not any(has_perm(actor, perm) for perm in perms):
        raise PermissionDenied


def _currency(code: str, field: str = "currency") -> str:
    currency = rules.normalise_currency(code)
    if currency is None:
        raise ValidationError(
            {
                field: _(
                    "“%(code)s” is not a currency Salama knows. Use a three-letter ISO 4217 "
                    "code such as USD, EUR, GBP, JOD or KES."
                )
                % {"code": code}
            }
        )
    return currency


def _amount(value: Any, field: str, *, positive: bool) -> Decimal:
    amount = rules.to_money(value)
    if amount is None or amount < 0 or amount > rules.MAX_AMOUNT:
        raise ValidationError({field: _("Enter an amount of money, such as 250.00.")})
    if positive and amount == 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount


def _lock_fund(fund_id: int) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund_id)


def _locked_status(item: AssistanceItem) -> str:
    """The item's status as committed now, with its row locked until the transaction ends."""
    status: str = (
        AssistanceItem.objects.select_for_update()
        .filter(pk=item.pk)
        .values_list("status", flat=True)
        .get()
    )
    return status


def _save_totals(fund: Fund) -> None:
    try:
        with transaction.atomic():
            fund.save(update_fields=["deposited", "committed", "disbursed"])
    except IntegrityError:
        raise ValidationError(
            _("This would take the fund “%(fund)s” below zero; nothing was changed.")
            % {"fund": fund.name}
        ) from None


def _move(
    fund: Fund,
    kind: str,
    amount: Decimal,
    actor: Principal,
    *,
    item: AssistanceItem | None = None,
    note: str = "",
) -> FundMovement:
    return FundMovement.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        available_after=fund.available,
        item=item,
        note=note,
        actor=actor.user,
    )


def _status_conflict(status: str) -> ConflictError:
    label = dict(ItemStatus.choices).get(status, status)
    return ConflictError(
        _(
            "This item is already “%(status)s”: someone else acted on it. Reload the page to "
            "see its current state."
        )
        % {"status": label}
    )


def _shortfall(fund: Fund, amount: Decimal) -> ValidationError:
    return ValidationError(
        _(
            "Only %(available)s is available in “%(fund)s” (deposits less commitments and "
            "payments); this needs %(amount)s. Top up the fund or ask for less."
        )
        % {
            "available": money_label(fund.available, fund.currency),
            "fund": fund.name,
            "amount": money_label(amount, fund.currency),
        }
    )


def _item_audit(
    action: str,
    actor: Principal,
    item: AssistanceItem,
    *,
    changes: dict[str, tuple[Any, Any]],
    fields: list[str] | None = None,
    fund: Fund | None = None,
    available_before: Decimal | None = None,
    request: HttpRequest | None,
) -> None:
    changes = {
        "amount": (None, str(item.amount)),
        "currency": (None, item.currency),
        **changes,
    }
    if fund is not None:
        changes["fund"] = (None, str(fund.uuid))
        if available_before is not None:
            changes["available"] = (str(available_before), str(fund.available))
    audit.record(
        action,
        actor=actor.user,
        obj=item,
        organisation=paying_organisation_id(item),
        fields=fields or [],
        changes=changes,
        request=request,
        scope=item.case,
    )


# Funds ---------------------------------------------------------------------------------------


@transaction.atomic
def create_fund(
    *,
    actor: Principal,
    name: str,
    kind: str,
    currency: str,
    approval_threshold: Any,
    request: HttpRequest | None = None,
) -> Fund:
    """Create an empty fund of the actor's organisation (fund.manage); audited."""
    require_perm(actor, Perm.FUND_MANAGE)
    org = actor.organisation
    if org is None:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the fund a name.")})
    if kind not in FundKind.values:
        raise ValidationError({"kind": _("Choose a kind of fund from the list.")})
    currency = _currency(currency)
    threshold = _amount(approval_threshold, "approval_threshold", positive=False)
    if Fund.objects.filter(organisation=org, name=name).exists():
        raise ValidationError({"name": _("Your organisation already has a fund with this name.")})
    fund = Fund.objects.create(
        organisation=org,
        kind=kind,
        name=name,
        currency=currency,
        approval_threshold=threshold,
        created_by=actor.user,
    )
    audit.record(
        "fund.create",
        actor=actor.user,
        obj=fund,
        organisation=org,
        changes={
            "name": (None, name),
            "kind": (None, kind),
            "currency": (None, currency),
            "approval_threshold": (None, str(threshold)),
        },
        request=request,
    )
    return fund


@transaction.atomic
def update_fund(
    *,
    actor: Principal,
    fund: Fund,
    approval_threshold: Any = None,
    is_active: bool | None = None,
    request: HttpRequest | None = None,
) -> Fund:
    """Change a fund's approval threshold or close/reopen it (fund.manage); audited."""
    ensure_fund(actor, fund, Perm.FUND_MANAGE)
    locked = _lock_fund(fund.pk)
    before = {"approval_threshold": locked.approval_threshold, "is_active": locked.is_active}
    if approval_threshold is not None:
        locked.approval_threshold = _amount(
            approval_threshold, "approval_threshold", positive=False
        )
    if is_active is not None:
        locked.is_active = is_active
    changes = {k: (str(v), str(getattr(locked, k))) for k, v in before.items()}
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if changes:
        locked.save(update_fields=["approval_threshold", "is_active"])
        audit.record(
            "fund.update",
            actor=actor.user,
            obj=locked,
            organisation=locked.organisation_id,
            changes=changes,
            request=request,
        )
    fund.approval_threshold, fund.is_active = locked.approval_threshold, locked.is_active
    return fund


@transaction.atomic
def deposit(
    *,
    actor: Principal,
    fund: Fund,
    amount: Any,
    note: str = "",
    request: HttpRequest | None = None,
) -> FundMovement:
    """Top up a fund (fund.manage). The note is about the money (a donor tranche), not a person."""
    ensure_fund(actor, fund, Perm.FUND_MANAGE)
    value = _amount(amount, "amount", positive=True)
    locked = _lock_fund(fund.pk)
    before = locked.available
    locked.deposited += value
    _save_totals(locked)
    movement = _move(locked, MovementKind.DEPOSIT, value, actor, note=note.strip()[:200])
    audit.record(
        "fund.deposit",
        actor=actor.user,
        obj=locked,
        organisation=locked.organisation_id,
        changes={
            "amount": (None, str(value)),
            "currency": (None, locked.currency),
            "available": (str(before), str(locked.available)),
        },
        request=request,
    )
    fund.deposited, fund.committed, fund.disbursed = (
        locked.deposited,
        locked.committed,
        locked.disbursed,
    )
    return movement


# Assistance items ------------------------------------------------------------------------------


@transaction.atomic
def request_assistance(
    *,
    actor: Principal,
    case: Any,
    service_type: str,
    description: str,
    quantity: Any,
    unit_cost: Any,
    service_date: dt.date,
    currency: str = "",
    fund: Fund | None = None,
    provider_organisation: Organisation | None = None,
    provider_name: str = "",
    justification: str = "",
    alternatives_checked: bool | None = None,
    alternatives_note: str = "",
    plan_item: PlanItem | None = None,
    request: HttpRequest | None = None,
) -> AssistanceItem:
    """Ask for an item of assistance on a case (case.change); audited with amount and currency.

    An item drawing on a fund is in the fund's currency and may not ask for more than the fund
    has available now (commitments count). A fund of last resort needs the answer that national
    and regional alternatives were checked, and which.
    """
    ensure_case(actor, case, Perm.CASE_CHANGE)
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it first."))
    check_plan_item(case, plan_item)
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("Choose a service type from the list.")})
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Describe what is needed.")})
    qty = rules.to_money(quantity)
    if qty is None or qty <= 0 or qty > MAX_QUANTITY:
        raise ValidationError({"quantity": _("The quantity must be a number above zero.")})
    cost = _amount(unit_cost, "unit_cost", positive=False)
    amount = rules.item_amount(qty, cost)
    if amount > rules.MAX_AMOUNT:
        raise ValidationError({"unit_cost": _("This amount is too large.")})
    provider_name = provider_name.strip()
    if provider_organisation is not None and provider_name:
        raise ValidationError(
            _("Give either a provider organisation or an external provider, not both.")
        )
    if fund is not None:
        if fund.organisation_id != case.organisation_id:
            raise ValidationError({"fund": _("Choose a fund of your organisation.")})
        if not fund.is_active:
            raise ValidationError({"fund": _("This fund is closed; choose another.")})
        currency = currency or fund.currency
    if not currency:
        raise ValidationError({"currency": _("Give the currency of the item.")})
    currency = _currency(currency)
    if fund is not None:
        if currency != fund.currency:
            raise ValidationError(
                {
                    "currency": _(
                        "The fund “%(fund)s” holds %(fund_currency)s but this item is in "
                        "%(currency)s. Record the item in %(fund_currency)s or choose a fund "
                        "in %(currency)s."
                    )
                    % {"fund": fund.name, "fund_currency": fund.currency, "currency": currency}
                }
            )
        if amount <= 0:
            raise ValidationError({"unit_cost": _("An item paid from a fund must cost something.")})
        refusal = rules.alternatives_refusal(
            last_resort=fund.is_last_resort,
            alternatives_checked=alternatives_checked,
            alternatives_note=alternatives_note,
        )
        if refusal is not None:
            raise ValidationError(
                {
                    "alternatives_checked": _(
                        "“%(fund)s” is a fund of last resort: it may be used only after national "
                        "and regional programmes were checked. Confirm that they were checked and "
                        "say which."
                    )
                    % {"fund": fund.name}
                }
            )
        # Early feedback only: the binding check is made under the row lock at approval.
        fresh = Fund.objects.get(pk=fund.pk)
        if not rules.can_commit(amount, fresh.available):
            raise _shortfall(fresh, amount)
    item = AssistanceItem(
        case=case,
        service_type=service_type,
        description=description,
        quantity=qty,
        unit_cost=cost,
        amount=amount,
        currency=currency,
        service_date=service_date,
        provider_organisation=provider_organisation,
        provider_name=provider_name,
        fund=fund,
        justification=justification.strip(),
        alternatives_checked=alternatives_checked,
        plan_item=plan_item,
        alternatives_note=alternatives_note.strip(),
        requested_by=actor.user,
    )
    item.save()
    identifying = ["description"]
    identifying += [
        name
        for name in ("provider_name", "justification", "alternatives_note")
        if getattr(item, name)
    ]
    _item_audit(
        "assistance.request",
        actor,
        item,
        changes={
            "status": (None, item.status),
            "service_type": (None, service_type),
            "quantity": (None, str(qty)),
            "unit_cost": (None, str(cost)),
            "alternatives_checked": (None, alternatives_checked),
            "plan_item": (None, str(plan_item.pk) if plan_item else None),
        },
        fields=identifying,
        fund=fund,
        request=request,
    )
    return item


@transaction.atomic
def approve_item(
    *, actor: Principal, item: AssistanceItem, request: HttpRequest | None = None
) -> AssistanceItem:
    """Approve a requested item (assistance.approve) and commit its amount in the fund.

    Above the fund's threshold the approver is never the requester. The commitment is refused
    when the fund's available balance, read under the row lock, is smaller than the amount.
    """
    ensure_acts_for_item(actor, item, Perm.ASSISTANCE_APPROVE)
    fund = _lock_fund(item.fund_id) if item.fund_id else None
    status = _locked_status(item)
    refusal = rules.approval_refusal(
        amount=item.amount,
        threshold=fund.approval_threshold if fund else None,
        requester_id=item.requested_by_id,
        approver_id=actor.user.pk,
        approver_may_approve=has_perm(actor, Perm.ASSISTANCE_APPROVE),
    )
    if refusal == "no_permission":
        raise PermissionDenied
    if refusal == "own_request":
        assert fund is not None
        raise PermissionDenied(
            _(
                "This request is above the approval threshold of %(threshold)s of “%(fund)s”, "
                "so a second person must approve it. You asked for it, so you cannot approve it."
            )
            % {
                "threshold": money_label(fund.approval_threshold, fund.currency),
                "fund": fund.name,
            }
        )
    if status != ItemStatus.REQUESTED:
        raise _status_conflict(status)
    before = None
    if fund is not None:
        if not rules.can_commit(item.amount, fund.available):
            raise _shortfall(fund, item.amount)
        before = fund.available
        fund.committed += item.amount
        _save_totals(fund)
        _move(fund, MovementKind.COMMITMENT, item.amount, actor, item=item)
    item.status = ItemStatus.APPROVED
    item.decided_by = actor.user
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    _item_audit(
        "assistance.approve",
        actor,
        item,
        changes={"status": (ItemStatus.REQUESTED, ItemStatus.APPROVED)},
        fund=fund,
        available_before=before,
        request=request,
    )
    return item


@transaction.atomic
def reject_item(
    *, actor: Principal, item: AssistanceItem, reason: str, request: HttpRequest | None = None
) -> AssistanceItem:
    """Reject a requested item with a reason (assistance.approve); nothing was committed."""
    ensure_acts_for_item(actor, item, Perm.ASSISTANCE_APPROVE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    if item.fund_id:
        _lock_fund(item.fund_id)
    status = _locked_status(item)
    if status != ItemStatus.REQUESTED:
        raise _status_conflict(status)
    item.status = ItemStatus.REJECTED
    item.decided_by = actor.user
    item.decided_at = timezone.now()
    item.decision_reason = reason
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _item_audit(
        "assistance.reject",
        actor,
        item,
        changes={"status": (ItemStatus.REQUESTED, ItemStatus.REJECTED)},
        fields=["decision_reason"],
        fund=item.fund,
        request=request,
    )
    return item


@transaction.atomic
def disburse_item(
    *,
    actor: Principal,
    item: AssistanceItem,
    amount: Any = None,
    request: HttpRequest | None = None,
) -> AssistanceItem:
    """Record the payment of an approved item (assistance.approve or fund.manage).

    The payment turns the commitment into a disbursement. It may be less than approved (the rest
    is released to the fund), never more; an item is paid once, also when two people press
    "paid" at the same moment.
    """
    ensure_acts_for_item(actor, item, Perm.ASSISTANCE_APPROVE, Perm.FUND_MANAGE)
    paid = item.amount if amount is None else _amount(amount, "amount", positive=True)
    if paid > item.amount:
        raise ValidationError(
            {
                "amount": _(
                    "The payment may be at most the approved %(amount)s; request a new item "
                    "for the difference."
                )
                % {"amount": money_label(item.amount, item.currency)}
            }
        )
    fund = _lock_fund(item.fund_id) if item.fund_id else None
    status = _locked_status(item)
    if status != ItemStatus.APPROVED:
        if status == ItemStatus.REQUESTED:
            raise ValidationError(_("This item must be approved before it is paid."))
        raise _status_conflict(status)
    before = None
    if fund is not None:
        before = fund.available
        fund.committed -= item.amount
        fund.disbursed += paid
        _save_totals(fund)
        _move(fund, MovementKind.DISBURSEMENT, paid, actor, item=item)
        if paid < item.amount:
            # available_after on both rows is the final balance after the payment.
            _move(fund, MovementKind.RELEASE, item.amount - paid, actor, item=item)
    item.status = ItemStatus.DISBURSED
    item.paid_amount = paid
    item.disbursed_by = actor.user
    item.disbursed_at = timezone.now()
    item.save(update_fields=["status", "paid_amount", "disbursed_by", "disbursed_at"])
    _item_audit(
        "assistance.disburse",
        actor,
        item,
        changes={
            "status": (ItemStatus.APPROVED, ItemStatus.DISBURSED),
            "paid_amount": (None, str(paid)),
        },
        fund=fund,
        available_before=before,
        request=request,
    )
    return item


@transaction.atomic
def cancel_item(
    *,
    actor: Principal,
    item: AssistanceItem,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AssistanceItem:
    """Cancel a requested or approved item (case.change, assistance.approve or fund.manage), by
    the organisation that pays for it.

    Cancelling an approved item releases its commitment back to the fund. A paid item stays paid.
    """
    ensure_acts_for_item(actor, item, Perm.CASE_CHANGE, Perm.ASSISTANCE_APPROVE, Perm.FUND_MANAGE)
    fund = _lock_fund(item.fund_id) if item.fund_id else None
    return _cancel(actor, item, fund, reason=reason, request=request)


def _cancel(
    actor: Principal,
    item: AssistanceItem,
    fund: Fund | None,
    *,
    reason: str,
    request: HttpRequest | None,
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> AssistanceItem:
    """The ledger side of cancelling, after the caller checked who acts and locked `fund`:
    lock the item, release an approved item's commitment, mark it cancelled, audit it."""
    status = _locked_status(item)
    if status not in (ItemStatus.REQUESTED, ItemStatus.APPROVED):
        raise _status_conflict(status)
    before = None
    if fund is not None and status == ItemStatus.APPROVED:
        before = fund.available
        fund.committed -= item.amount
        _save_totals(fund)
        _move(fund, MovementKind.RELEASE, item.amount, actor, item=item)
    item.status = ItemStatus.CANCELLED
    item.cancelled_by = actor.user
    item.cancelled_at = timezone.now()
    item.cancel_reason = reason.strip()
    item.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    _item_audit(
        "assistance.cancel",
        actor,
        item,
        changes={"status": (status, ItemStatus.CANCELLED), **(changes or {})},
        fields=["cancel_reason"] if item.cancel_reason else [],
        fund=fund,
        available_before=before,
        request=request,
    )
    return item


# Case transfers --------------------------------------------------------------------------------


def open_items_on_funds_of(case: Any, organisation_id: int) -> QuerySet[AssistanceItem]:
    """The case's open items (requested or approved) drawn on `organisation_id`'s funds: what a
    transfer of the case by that organisation must settle."""
    return AssistanceItem.objects.filter(
        case=case,
        fund__organisation_id=organisation_id,
        status__in=(ItemStatus.REQUESTED, ItemStatus.APPROVED),
    )


@transaction.atomic
def settle_items_for_transfer(
    *, actor: Principal, transfer: CaseTransfer, request: HttpRequest | None = None
) -> tuple[list[AssistanceItem], list[AssistanceItem]]:
    """Apply the sender's choice for the case's open items on the sender's funds while a transfer
    is being accepted. Returns (cancelled, kept).

    Called by salama.referrals.transfers.accept_transfer inside its transaction, after it claimed
    the transfer and before the case moves: the actor must be of the receiving organisation (with
    case.transfer) and the transfer accepted while the case still belongs to the sender; anything
    else is refused. "Cancel" cancels each item through the same ledger code as cancel_item (an
    approved item's commitment goes back to its fund), audited per item with the reason "case
    transferred"; "keep" (and no choice, when the case had no such items at the request) leaves
    them as they are: they stay the sender's to pay or cancel, never the receiver's.
    """
    from salama.referrals.choices import OpenItems, TransferStatus
    from salama.referrals.models import CaseTransfer

    if (
        actor.organisation is None
        or actor.organisation.pk != transfer.to_organisation_id
        or not has_perm(actor, Perm.CASE_TRANSFER)
    ):
        raise NotPermitted
    being_accepted = CaseTransfer.objects.filter(
        pk=transfer.pk,
        status=TransferStatus.ACCEPTED,
        case__organisation_id=transfer.from_organisation_id,
    ).exists()
    if not being_accepted:
        raise NotPermitted
    items = list(
        open_items_on_funds_of(transfer.case_id, transfer.from_organisation_id)
        .select_related("case", "fund")
        .order_by("fund_id", "requested_at", "id")
    )
    if transfer.open_items != OpenItems.CANCEL:
        return [], items
    # Every fund row before any item row, in one order, as everywhere else.
    funds = {
        pk: _lock_fund(pk)
        for pk in sorted({item.fund_id for item in items if item.fund_id is not None})
    }
    for item in items:
        _cancel(
            actor,
            item,
            funds[item.fund_id] if item.fund_id is not None else None,
            reason=CASE_TRANSFERRED,
            request=request,
            changes={"transfer": (None, str(transfer.pk))},
        )
    return items, []
