"""The referrals API: directory, sending, inbox and packets, state changes, transfers.

The same policy fetchers and services as the pages. Refusals map to HTTP: ConsentMissing and
other ValidationErrors → 422 (with the message), ConflictError → 409, PermissionDenied → 403,
missing or not yours → 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from salama.accounts.models import Organisation
from salama.cases.access import access_case
from salama.cases.plan_links import plan_item_by_id
from salama.cases.queries import staff_member
from salama.core.apierrors import call_service
from salama.core.apitypes import CountryCode, LanguageCode, NonBlank, Text, Version
from salama.core.policy import get_or_404, has_perm, request_principal, require_perm
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType
from salama.referrals import collab_queries, queries, services
from salama.referrals.access import (
    access_referral_packet,
    access_referral_sent,
    access_transfer_packet,
    can_view_directory,
    visible_services,
)
from salama.referrals.choices import PacketField, ReferralAction, Urgency
from salama.referrals.collab import sender_contact
from salama.referrals.directory import find_services
from salama.referrals.models import CaseTransfer, Referral, Service

_principal = request_principal
_service = call_service

router = Router(tags=["referrals"])
T = TypeVar("T")


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# Schemas ----------------------------------------------------------------------------------------


class ServiceOut(Schema):
    id: uuid.UUID
    name: str
    provider: str
    provider_external: bool
    service_type: str
    description: str
    country: str
    area: str
    languages: list[str]
    min_age: int | None
    max_age: int | None
    sexes: list[str]
    case_types: list[str]
    capacity: int | None
    available: int | None
    opening_hours: str
    contact_phone: str
    contact_email: str


class DirectoryQuery(Schema):
    service_type: ServiceType | Literal[""] = ""
    country: CountryCode | Literal[""] = ""
    area: Text = Field("", max_length=120)
    language: LanguageCode | Literal[""] = ""


PacketFields = Annotated[
    list[PacketField],
    Field(max_length=len(PacketField), description="What the recipient will see."),
]
Note = Annotated[Text, Field(max_length=2000)]


class ReferralIn(Schema):
    case_id: uuid.UUID
    service_id: uuid.UUID
    packet_fields: PacketFields
    purpose_note: NonBlank = Field(max_length=2000)
    needs_note: Note = ""
    emergency_override_reason: Note = ""
    urgency: Urgency = Urgency.NORMAL
    sender_phone: Text = Field("", max_length=40, description="Your work phone, for the recipient.")
    sender_email: Text = Field(
        "", max_length=254, description="Your work email for the recipient; default: your login."
    )

    plan_item: uuid.UUID | None = Field(None, description="The case plan item it delivers.")


class SenderContactOut(Schema):
    name: str
    organisation: str
    phone: str
    email: str


class ReferralOut(Schema):
    id: uuid.UUID
    reference: str
    urgency: str
    sender: SenderContactOut
    status: str
    version: int
    service_id: uuid.UUID
    service: str
    service_type: str
    from_organisation: str
    to_organisation: str
    is_cross_border: bool
    emergency_override: bool
    packet_fields: list[str]
    sent_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool


class SentOut(ReferralOut):
    case_id: uuid.UUID
    plan_item_id: uuid.UUID | None = None


class PacketOut(ReferralOut):
    purpose_note: str
    packet: dict[str, Any]


class ReferralMoveIn(Schema):
    version: Version
    reason: Note = ""
    delivery_note: Note = ""
    delivered_on: dt.date | None = None


class TransferIn(Schema):
    case_id: uuid.UUID
    to_organisation: uuid.UUID
    packet_fields: PacketFields
    reason: NonBlank = Field(max_length=2000)
    needs_note: Note = ""
    # What accepting does with the case's requested or approved assistance on the sender's funds:
    # "cancel" (released to the funds) or "keep" (the sender still pays or cancels them).
    # Required when the case has any; 422 without it.
    open_items: Literal["", "cancel", "keep"] = ""


class TransferOut(Schema):
    id: uuid.UUID
    status: str
    from_organisation: str
    to_organisation: str
    is_cross_border: bool
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    new_reference: str
    open_items: str


class TransferPacketOut(TransferOut):
    reason: str
    packet: dict[str, Any]


class AcceptIn(Schema):
    assign_to: uuid.UUID


class DeclineIn(Schema):
    reason: NonBlank = Field(max_length=2000)


def _service_out(s: Service) -> dict[str, Any]:
    return {
        "id": s.uuid,
        "name": s.name,
        "provider": s.provider.name,
        "provider_external": s.provider.is_external,
        "service_type": s.service_type,
        "description": s.description,
        "country": s.country,
        "area": s.area,
        "languages": s.languages,
        "min_age": s.min_age,
        "max_age": s.max_age,
        "sexes": s.sexes,
        "case_types": s.case_types,
        "capacity": s.capacity,
        "available": s.available,
        "opening_hours": s.opening_hours,
        "contact_phone": s.contact_phone,
        "contact_email": s.contact_email,
    }


def _referral_out(r: Referral) -> dict[str, Any]:
    return {
        "id": r.id,
        "reference": r.reference,
        "urgency": r.urgency,
        "sender": sender_contact(r),
        "status": r.status,
        "version": r.version,
        "service_id": r.service.uuid,
        "service": r.service.name,
        "service_type": r.service_type,
        "from_organisation": r.from_organisation.name,
        "to_organisation": r.to_organisation.name,
        "is_cross_border": r.is_cross_border,
        "emergency_override": r.emergency_override,
        "packet_fields": r.packet_fields,
        "sent_at": r.sent_at,
        "due_at": r.due_at,
        "overdue": r.is_overdue(),
    }


def _transfer_out(t: CaseTransfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "status": t.status,
        "from_organisation": t.from_organisation.name,
        "to_organisation": t.to_organisation.name,
        "is_cross_border": t.is_cross_border,
        "requested_at": t.requested_at,
        "decided_at": t.decided_at,
        "new_reference": t.new_reference,
        "open_items": t.open_items,
    }


# Directory --------------------------------------------------------------------------------------


@router.get("/directory", response=list[ServiceOut], summary="Find services by need and place")
def directory(request: HttpRequest, query: Query[DirectoryQuery]) -> list[dict[str, Any]]:
    principal = _principal(request)
    if not can_view_directory(principal):
        raise HttpError(403, _("You may not see the directory."))
    found = find_services(
        visible_services(principal),
        service_type=query.service_type,
        country=query.country,
        area=query.area,
        language=query.language,
    )
    return [_service_out(s) for s in found]


# Transfers (registered before /{referral_id} so their paths win) --------------------------------------------------------------------------------------


@router.get("/transfers/", response=list[TransferOut], summary="Transfers in and out")
def transfers(request: HttpRequest) -> list[dict[str, Any]]:
    return [_transfer_out(t) for t in queries.transfer_list(_principal(request))]


@router.post("/transfers/", response={201: TransferOut}, summary="Request a case transfer")
def transfer_request(request: HttpRequest, payload: TransferIn) -> Status[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.CASE_TRANSFER)
    case = access_case(principal, payload.case_id, for_write=True)
    to_org = Organisation.objects.filter(uuid=payload.to_organisation, is_active=True).first()
    if to_org is None:
        raise HttpError(422, _("No active organisation has this id."))
    transfer = _service(
        lambda: services.request_transfer(
            actor=principal,
            case=case,
            to_org=to_org,
            packet_fields=payload.packet_fields,
            reason=payload.reason,
            needs_note=payload.needs_note,
            open_items=payload.open_items,
            base_url=_base(request),
            request=request,
        )
    )
    return Status(201, _transfer_out(transfer))


@router.get("/transfers/{transfer_id}", response=TransferPacketOut, summary="A transfer")
def transfer_detail(request: HttpRequest, transfer_id: uuid.UUID) -> dict[str, Any]:
    transfer = queries.read_transfer_packet(_principal(request), transfer_id, request=request)
    return {**_transfer_out(transfer), "reason": transfer.reason, "packet": transfer.packet}


@router.post("/transfers/{transfer_id}/accept", response=TransferOut, summary="Accept")
def transfer_accept(request: HttpRequest, transfer_id: uuid.UUID, payload: AcceptIn) -> Any:
    principal = _principal(request)
    transfer = access_transfer_packet(principal, transfer_id)
    user = staff_member(principal.organisation, payload.assign_to)
    if user is None:
        raise HttpError(422, _("No caseworker or supervisor of your organisation has this id."))
    _service(
        lambda: services.accept_transfer(
            actor=principal,
            transfer=transfer,
            assign_to=user,
            base_url=_base(request),
            request=request,
        )
    )
    return _transfer_out(transfer)


@router.post("/transfers/{transfer_id}/decline", response=TransferOut, summary="Decline")
def transfer_decline(request: HttpRequest, transfer_id: uuid.UUID, payload: DeclineIn) -> Any:
    principal = _principal(request)
    transfer = access_transfer_packet(principal, transfer_id)
    _service(
        lambda: services.decline_transfer(
            actor=principal,
            transfer=transfer,
            reason=payload.reason,
            base_url=_base(request),
            request=request,
        )
    )
    return _transfer_out(transfer)


# Referrals --------------------------------------------------------------------------------------


@router.post("/", response={201: SentOut}, summary="Send a referral (needs consent)")
def send(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.REFERRAL_SEND)
    case = access_case(principal, payload.case_id, for_write=True)
    service = get_or_404(visible_services(principal), uuid=payload.service_id)
    referral = _service(
        lambda: services.send_referral(
            actor=principal,
            case=case,
            service=service,
            packet_fields=payload.packet_fields,
            purpose_note=payload.purpose_note,
            needs_note=payload.needs_note,
            emergency_override_reason=payload.emergency_override_reason,
            urgency_level=payload.urgency,
            sender_phone=payload.sender_phone,
            sender_email=payload.sender_email,
            base_url=_base(request),
            plan_item=plan_item_by_id(payload.plan_item),
            request=request,
        )
    )
    return Status(
        201,
        {
            **_referral_out(referral),
            "case_id": referral.case_id,
            "plan_item_id": referral.plan_item_id,
        },
    )


@router.get("/sent", response=list[SentOut], summary="Referrals sent from cases you can see")
def sent(request: HttpRequest, case_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    principal = _principal(request)
    case = access_case(principal, case_id) if case_id is not None else None
    return [
        {**_referral_out(r), "case_id": r.case_id, "plan_item_id": r.plan_item_id}
        for r in queries.referrals_sent(principal, case)
    ]


@router.get(
    "/inbox",
    response=list[ReferralOut],
    summary="Referrals to your organisation, the most urgent first",
)
def inbox(request: HttpRequest, include_closed: bool = False) -> list[dict[str, Any]]:
    referrals = collab_queries.inbox_referrals(_principal(request), include_closed=include_closed)
    return [_referral_out(r) for r in referrals]


@router.get("/{referral_id}/packet", response=PacketOut, summary="The packet (recipient)")
def packet(request: HttpRequest, referral_id: uuid.UUID) -> dict[str, Any]:
    referral = queries.read_packet(_principal(request), referral_id, request=request)
    return {
        **_referral_out(referral),
        "purpose_note": referral.purpose_note,
        "packet": referral.packet,
    }


@router.get("/{referral_id}", response=SentOut, summary="One referral you sent")
def detail(request: HttpRequest, referral_id: uuid.UUID) -> dict[str, Any]:
    referral = access_referral_sent(_principal(request), referral_id)
    return {**_referral_out(referral), "case_id": referral.case_id}


@router.post("/{referral_id}/{action}", response=ReferralOut, summary="Change the state")
def move(
    request: HttpRequest, referral_id: uuid.UUID, action: ReferralAction, payload: ReferralMoveIn
) -> Any:
    principal = _principal(request)
    if action not in ReferralAction.values:
        raise HttpError(404, _("Not found"))
    referral = (
        access_referral_packet(principal, referral_id)
        if has_perm(principal, Perm.REFERRAL_RECEIVE)
        else access_referral_sent(principal, referral_id)
    )
    _service(
        lambda: services.move_referral(
            actor=principal,
            referral=referral,
            action=action,
            expected_version=payload.version,
            reason=payload.reason,
            delivery_note=payload.delivery_note,
            delivered_on=payload.delivered_on,
            base_url=_base(request),
            request=request,
        )
    )
    return _referral_out(referral)
