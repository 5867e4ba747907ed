"""The assistance API: funds, deposits and assistance items, through the same policy and services.

Service refusals map to HTTP: ValidationError → 422, ConflictError (someone else acted first)
→ 409, PermissionDenied → 403 (with the rule's message when there is one), missing or not
yours → 404. Amounts are decimal strings with two places, always with their currency.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from salama.accounts.models import Organisation
from salama.assistance import queries, services
from salama.assistance.access import access_fund, access_item
from salama.assistance.choices import FundKind
from salama.assistance.models import AssistanceItem, Fund, FundMovement
from salama.assistance.queries import usable_funds
from salama.cases.access import access_case
from salama.cases.plan_links import plan_item_by_id
from salama.core.apierrors import call_service
from salama.core.apitypes import Amount, NonBlank, Quantity, Text
from salama.core.policy import (
    get_or_404,
    request_principal,
    require_any_perm,
    require_perm,
)
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType

_principal = request_principal
_service = call_service

router = Router(tags=["assistance"])
T = TypeVar("T")


# Schemas -----------------------------------------------------------------------------------


class FundOut(Schema):
    id: uuid.UUID
    name: str
    kind: FundKind
    currency: str
    approval_threshold: Decimal
    is_active: bool
    deposited: Decimal
    committed: Decimal
    disbursed: Decimal
    available: Decimal


Currency = Annotated[
    str,
    Field(
        pattern="^[A-Za-z]{3}$",
        max_length=3,
        description="An ISO 4217 code Salama knows (e.g. USD, JOD, KES); lower case is accepted.",
    ),
]


class FundIn(Schema):
    name: NonBlank = Field(max_length=200)
    kind: FundKind
    currency: Currency
    approval_threshold: Amount


class FundUpdateIn(Schema):
    approval_threshold: Amount | None = None
    is_active: bool | None = None


class DepositIn(Schema):
    amount: Amount
    note: Text = Field("", max_length=200)


class MovementOut(Schema):
    id: uuid.UUID
    kind: str
    amount: Decimal
    currency: str
    available_after: Decimal
    item_id: uuid.UUID | None
    case_reference: str | None
    note: str
    created_at: dt.datetime


class FundDetailOut(FundOut):
    movements: list[MovementOut]


class ItemIn(Schema):
    service_type: ServiceType
    description: NonBlank = Field(max_length=2000)
    quantity: Quantity = Decimal(1)
    unit_cost: Amount
    currency: Currency | Literal[""] = Field("", description="Empty: the fund's currency.")
    service_date: dt.date
    fund_id: uuid.UUID | None = None
    provider_organisation_id: uuid.UUID | None = None
    provider_name: Text = Field("", max_length=200)
    justification: Text = Field("", max_length=4000)
    alternatives_checked: bool | None = None
    alternatives_note: Text = Field("", max_length=2000)
    plan_item: uuid.UUID | None = Field(None, description="The case plan item it delivers.")


class ItemOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    service_type: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal
    currency: str
    service_date: dt.date
    fund_id: uuid.UUID | None
    # Who approves, pays or cancels the item: the fund's organisation (after a transfer, the
    # sender for the items it kept), or for an item without a fund the case's.
    paying_organisation_id: uuid.UUID
    paying_organisation: str
    provider_organisation_id: uuid.UUID | None
    status: str
    requested_by: uuid.UUID
    requested_at: dt.datetime
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    paid_amount: Decimal | None
    disbursed_at: dt.datetime | None
    plan_item_id: uuid.UUID | None = None


class ItemDetailOut(ItemOut):
    description: str
    provider_name: str
    justification: str
    alternatives_checked: bool | None
    alternatives_note: str
    decision_reason: str
    cancel_reason: str


class ReasonIn(Schema):
    reason: NonBlank = Field(max_length=2000)


class CancelIn(Schema):
    reason: Text = Field("", max_length=2000)


class DisburseIn(Schema):
    amount: Amount | None = Field(None, description="Empty: the approved amount was paid.")


def _fund_out(fund: Fund) -> dict[str, Any]:
    return {
        "id": fund.uuid,
        "name": fund.name,
        "kind": fund.kind,
        "currency": fund.currency,
        "approval_threshold": fund.approval_threshold,
        "is_active": fund.is_active,
        "deposited": fund.deposited,
        "committed": fund.committed,
        "disbursed": fund.disbursed,
        "available": fund.available,
    }


def _movement_out(m: FundMovement, currency: str) -> dict[str, Any]:
    return {
        "id": m.uuid,
        "kind": m.kind,
        "amount": m.amount,
        "currency": currency,
        "available_after": m.available_after,
        "item_id": m.item_id,
        "case_reference": m.item.case.reference if m.item else None,
        "note": m.note,
        "created_at": m.created_at,
    }


def _item_out(item: AssistanceItem) -> dict[str, Any]:
    payer = item.fund.organisation if item.fund else item.case.organisation
    return {
        "id": item.id,
        "case_id": item.case_id,
        "case_reference": item.case.reference,
        "plan_item_id": item.plan_item_id,
        "service_type": item.service_type,
        "quantity": item.quantity,
        "unit_cost": item.unit_cost,
        "amount": item.amount,
        "currency": item.currency,
        "service_date": item.service_date,
        "fund_id": item.fund.uuid if item.fund else None,
        "paying_organisation_id": payer.uuid,
        "paying_organisation": payer.name,
        "provider_organisation_id": (
            item.provider_organisation.uuid if item.provider_organisation else None
        ),
        "status": item.status,
        "requested_by": item.requested_by.uuid,
        "requested_at": item.requested_at,
        "decided_by": item.decided_by.uuid if item.decided_by else None,
        "decided_at": item.decided_at,
        "paid_amount": item.paid_amount,
        "disbursed_at": item.disbursed_at,
    }


def _item_detail_out(item: AssistanceItem) -> dict[str, Any]:
    erased = item.case.person.is_erased
    text = {
        name: "" if erased else (getattr(item, name) or "")
        for name in (
            "description",
            "provider_name",
            "justification",
            "alternatives_note",
            "decision_reason",
            "cancel_reason",
        )
    }
    return {**_item_out(item), **text, "alternatives_checked": item.alternatives_checked}


# Funds -----------------------------------------------------------------------------------------


@router.get("/funds", response=list[FundOut], summary="Funds of the caller's organisation")
def list_funds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_fund_out(f) for f in queries.fund_list(_principal(request))]


@router.post("/funds", response={201: FundOut}, summary="Create a fund (fund.manage)")
def create_fund(request: HttpRequest, payload: FundIn) -> Status[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.FUND_MANAGE)
    fund = _service(
        lambda: services.create_fund(
            actor=principal,
            name=payload.name,
            kind=payload.kind,
            currency=payload.currency,
            approval_threshold=payload.approval_threshold,
            request=request,
        )
    )
    return Status(201, _fund_out(fund))


@router.get("/funds/{fund_id}", response=FundDetailOut, summary="A fund with its latest movements")
def get_fund(request: HttpRequest, fund_id: uuid.UUID) -> dict[str, Any]:
    fund = queries.fund_to_read(_principal(request), fund_id)
    movements = queries.fund_movements(fund)
    return {**_fund_out(fund), "movements": [_movement_out(m, fund.currency) for m in movements]}


@router.patch("/funds/{fund_id}", response=FundOut, summary="Change threshold or close a fund")
def update_fund(request: HttpRequest, fund_id: uuid.UUID, payload: FundUpdateIn) -> dict[str, Any]:
    principal = require_perm(_principal(request), Perm.FUND_MANAGE)
    fund = access_fund(principal, fund_id)
    _service(
        lambda: services.update_fund(
            actor=principal,
            fund=fund,
            approval_threshold=payload.approval_threshold,
            is_active=payload.is_active,
            request=request,
        )
    )
    return _fund_out(fund)


@router.post(
    "/funds/{fund_id}/deposits", response={201: MovementOut}, summary="Top up a fund (fund.manage)"
)
def deposit(request: HttpRequest, fund_id: uuid.UUID, payload: DepositIn) -> Status[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.FUND_MANAGE)
    fund = access_fund(principal, fund_id)
    movement = _service(
        lambda: services.deposit(
            actor=principal, fund=fund, amount=payload.amount, note=payload.note, request=request
        )
    )
    return Status(201, _movement_out(movement, fund.currency))


# Items -----------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/items", response=list[ItemDetailOut], summary="A case's assistance")
def list_case_items(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.CASE_VIEW)
    case = access_case(principal, case_id)
    return [_item_detail_out(i) for i in queries.case_items(principal, case, request=request)]


@router.post("/cases/{case_id}/items", response={201: ItemDetailOut}, summary="Request assistance")
def request_item(
    request: HttpRequest, case_id: uuid.UUID, payload: ItemIn
) -> Status[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.CASE_VIEW)
    case = access_case(principal, case_id, for_write=True)
    fund = None
    if payload.fund_id is not None:
        fund = usable_funds(case.organisation).filter(uuid=payload.fund_id).first()
        if fund is None:
            raise HttpError(422, _("No active fund of your organisation has this id."))
    provider = None
    if payload.provider_organisation_id is not None:
        provider = get_or_404(
            Organisation.objects.filter(is_active=True), uuid=payload.provider_organisation_id
        )
    item = _service(
        lambda: services.request_assistance(
            actor=principal,
            case=case,
            service_type=payload.service_type,
            description=payload.description,
            quantity=payload.quantity,
            unit_cost=payload.unit_cost,
            currency=payload.currency,
            service_date=payload.service_date,
            fund=fund,
            provider_organisation=provider,
            provider_name=payload.provider_name,
            justification=payload.justification,
            alternatives_checked=payload.alternatives_checked,
            alternatives_note=payload.alternatives_note,
            plan_item=plan_item_by_id(payload.plan_item),
            request=request,
        )
    )
    return Status(201, _item_detail_out(item))


@router.get("/approvals", response=list[ItemOut], summary="Requested items waiting for approval")
def list_approvals(request: HttpRequest) -> list[dict[str, Any]]:
    return [_item_out(i) for i in queries.pending_approvals(_principal(request))]


def _act(
    request: HttpRequest, item_id: uuid.UUID, perms: tuple[str, ...], call: Callable[..., Any]
) -> dict[str, Any]:
    principal = require_any_perm(_principal(request), *perms)
    item = access_item(principal, item_id)
    _service(lambda: call(principal, item))
    return _item_out(item)


@router.post("/items/{item_id}/approve", response=ItemOut, summary="Approve and commit")
def approve_item(request: HttpRequest, item_id: uuid.UUID) -> dict[str, Any]:
    return _act(
        request,
        item_id,
        (Perm.ASSISTANCE_APPROVE,),
        lambda p, item: services.approve_item(actor=p, item=item, request=request),
    )


@router.post("/items/{item_id}/reject", response=ItemOut, summary="Reject with a reason")
def reject_item(request: HttpRequest, item_id: uuid.UUID, payload: ReasonIn) -> dict[str, Any]:
    return _act(
        request,
        item_id,
        (Perm.ASSISTANCE_APPROVE,),
        lambda p, item: services.reject_item(
            actor=p, item=item, reason=payload.reason, request=request
        ),
    )


@router.post("/items/{item_id}/disburse", response=ItemOut, summary="Record the payment")
def disburse_item(request: HttpRequest, item_id: uuid.UUID, payload: DisburseIn) -> dict[str, Any]:
    return _act(
        request,
        item_id,
        (Perm.ASSISTANCE_APPROVE, Perm.FUND_MANAGE),
        lambda p, item: services.disburse_item(
            actor=p, item=item, amount=payload.amount, request=request
        ),
    )


@router.post("/items/{item_id}/cancel", response=ItemOut, summary="Cancel (releases commitment)")
def cancel_item(request: HttpRequest, item_id: uuid.UUID, payload: CancelIn) -> dict[str, Any]:
    return _act(
        request,
        item_id,
        (Perm.CASE_CHANGE, Perm.ASSISTANCE_APPROVE, Perm.FUND_MANAGE),
        lambda p, item: services.cancel_item(
            actor=p, item=item, reason=payload.reason, request=request
        ),
    )
