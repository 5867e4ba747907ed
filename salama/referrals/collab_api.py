"""The referrals API for working together: a referral's message thread and the receiving
organisation's delivery records. Mounted on /referrals before the main referrals router, so
its literal paths win over `/{referral_id}/{action}`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from salama.core.apierrors import call_service
from salama.core.apitypes import NonBlank
from salama.core.policy import request_principal
from salama.referrals import collab_queries, services
from salama.referrals.access import access_thread
from salama.referrals.models import ReferralMessage, ServiceDeliveryRecord

router = Router(tags=["referrals"])


class ReferralMessageIn(Schema):
    body: NonBlank = Field(
        max_length=2000,
        description="Nothing about the person that the referral packet does not share.",
    )


class ReferralMessageOut(Schema):
    id: uuid.UUID
    author: str
    organisation: str
    mine: bool
    body: str
    created_at: dt.datetime


class ReferralThreadOut(Schema):
    reference: str
    status: str
    open: bool
    messages: list[ReferralMessageOut]


class DeliveryRecordOut(Schema):
    id: uuid.UUID
    reference: str
    client_label: str
    service: str
    service_type: str
    referred_by: str
    urgency: str
    outcome: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    delivered_at: dt.datetime | None
    closed_at: dt.datetime


def _message_out(m: ReferralMessage, org_id: int | None) -> dict[str, Any]:
    return {
        "id": m.id,
        "author": m.author.full_name or m.author.email,
        "organisation": m.organisation.name,
        "mine": m.organisation_id == org_id,
        "body": m.body,
        "created_at": m.created_at,
    }


def _record_out(r: ServiceDeliveryRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "reference": r.reference,
        "client_label": r.client_label,
        "service": r.service.name,
        "service_type": r.service_type,
        "referred_by": r.from_organisation_name,
        "urgency": r.urgency,
        "outcome": r.outcome,
        "received_at": r.received_at,
        "accepted_at": r.accepted_at,
        "delivered_at": r.delivered_at,
        "closed_at": r.closed_at,
    }


@router.get(
    "/delivered",
    response=list[DeliveryRecordOut],
    summary="Your organisation's records of the referrals it handled",
)
def delivered(request: HttpRequest) -> list[dict[str, Any]]:
    return [_record_out(r) for r in collab_queries.delivery_records(request_principal(request))]


@router.get(
    "/{referral_id}/messages",
    response=ReferralThreadOut,
    summary="The messages between the sending and the receiving organisation",
)
def messages(request: HttpRequest, referral_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request)
    referral, thread = collab_queries.read_thread(principal, referral_id, request=request)
    org_id = principal.organisation.pk if principal.organisation else None
    return {
        "reference": referral.reference,
        "status": referral.status,
        "open": referral.is_open,
        "messages": [_message_out(m, org_id) for m in thread],
    }


@router.post(
    "/{referral_id}/messages",
    response={201: ReferralMessageOut},
    summary="Post a message to the other organisation (open referrals only)",
)
def post_message(
    request: HttpRequest, referral_id: uuid.UUID, payload: ReferralMessageIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request)
    referral = access_thread(principal, referral_id)
    message = call_service(
        lambda: services.post_referral_message(
            actor=principal,
            referral=referral,
            body=payload.body,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            request=request,
        )
    )
    org_id = principal.organisation.pk if principal.organisation else None
    return Status(201, _message_out(message, org_id))
