"""The integrations API: an organisation administrator's webhooks, their delivery log, re-sending.

The same policy and services as the pages: org.manage_settings, and another organisation's
integration is 404. The signing secret is in the answer of create and rotate only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from salama.core.apierrors import call_service
from salama.core.apitypes import NonBlank, Page, Version
from salama.core.events import EVENT_NAMES
from salama.core.policy import request_principal, require_perm
from salama.integrations import queries, services
from salama.integrations.access import (
    MANAGE,
    access_delivery,
    access_integration,
    visible_integrations,
)
from salama.integrations.choices import Scope
from salama.integrations.models import Delivery, Integration

router = Router(tags=["integrations"])
PAGE_SIZE = 50

EventName = Annotated[
    str,
    Field(
        max_length=60,
        pattern=r"^[a-z_]+\.[a-z_]+$",
        description="An event name from GET /integrations/events, e.g. `case.opened`.",
    ),
]
TargetUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        description="https address of the receiver; private and loopback addresses are refused.",
    ),
]


class IntegrationEventOut(Schema):
    name: str
    description: str


class IntegrationScopeOut(Schema):
    name: str
    description: str


class IntegrationCatalogueOut(Schema):
    events: list[IntegrationEventOut]
    scopes: list[IntegrationScopeOut]


class IntegrationIn(Schema):
    name: NonBlank = Field(max_length=100)
    target_url: TargetUrl
    events: list[EventName] = Field(min_length=1, max_length=50)
    scopes: list[Scope] = Field(default_factory=list, max_length=10)


class IntegrationUpdateIn(IntegrationIn):
    is_active: bool = True
    version: Version | None = Field(None, description="The version you read (409 if stale).")


class IntegrationOut(Schema):
    id: uuid.UUID
    name: str
    target_url: str
    events: list[str]
    scopes: list[str]
    is_active: bool
    disabled_reason: str
    disabled_at: dt.datetime | None
    consecutive_failures: int
    secret_prefix: str
    created_at: dt.datetime
    version: int


class IntegrationSecretOut(IntegrationOut):
    secret: str = Field(description="The signing secret. Shown in this answer only: store it now.")


class DeliveryOut(Schema):
    id: uuid.UUID
    event_id: uuid.UUID
    event: str
    status: str
    attempts: int
    response_code: int | None
    latency_ms: int | None
    error: str
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None


def _out(integration: Integration) -> dict[str, Any]:
    return {
        "id": integration.uuid,
        "name": integration.name,
        "target_url": integration.target_url,
        "events": integration.events,
        "scopes": integration.scopes,
        "is_active": integration.is_active,
        "disabled_reason": integration.disabled_reason,
        "disabled_at": integration.disabled_at,
        "consecutive_failures": integration.consecutive_failures,
        "secret_prefix": integration.secret_prefix,
        "created_at": integration.created_at,
        "version": integration.version,
    }


def _delivery_out(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.uuid,
        "event_id": d.event_id,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "response_code": d.response_code,
        "latency_ms": d.latency_ms,
        "error": d.error,
        "created_at": d.created_at,
        "last_attempt_at": d.last_attempt_at,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
    }


def _manager(request: HttpRequest) -> Any:
    return require_perm(request_principal(request), MANAGE)


@router.get("/events", response=IntegrationCatalogueOut, summary="Events and scopes to choose")
def catalogue(request: HttpRequest) -> dict[str, Any]:
    _manager(request)
    return {
        "events": [
            {"name": name, "description": str(text)} for name, text in sorted(EVENT_NAMES.items())
        ],
        "scopes": [{"name": value, "description": str(label)} for value, label in Scope.choices],
    }


@router.get("", response=list[IntegrationOut], summary="The organisation's integrations")
def list_integrations(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(i) for i in visible_integrations(_manager(request)).order_by("name")]


@router.post("", response={201: IntegrationSecretOut}, summary="Create an integration")
def create_integration(request: HttpRequest, payload: IntegrationIn) -> Status[dict[str, Any]]:
    principal = _manager(request)
    integration, secret = call_service(
        lambda: services.create_integration(
            actor=principal,
            name=payload.name,
            target_url=payload.target_url,
            events=payload.events,
            scopes=[str(s.value) for s in payload.scopes],
            request=request,
        )
    )
    return Status(201, {**_out(integration), "secret": secret})


@router.get("/{integration_id}", response=IntegrationOut, summary="An integration")
def get_integration(request: HttpRequest, integration_id: uuid.UUID) -> dict[str, Any]:
    return _out(access_integration(_manager(request), integration_id))


@router.put("/{integration_id}", response=IntegrationOut, summary="Change an integration")
def update_integration(
    request: HttpRequest, integration_id: uuid.UUID, payload: IntegrationUpdateIn
) -> dict[str, Any]:
    principal = _manager(request)
    integration = access_integration(principal, integration_id)
    call_service(
        lambda: services.update_integration(
            actor=principal,
            integration=integration,
            name=payload.name,
            target_url=payload.target_url,
            events=payload.events,
            scopes=[str(s.value) for s in payload.scopes],
            is_active=payload.is_active,
            expected_version=payload.version,
            request=request,
        )
    )
    return _out(integration)


@router.post(
    "/{integration_id}/secret",
    response=IntegrationSecretOut,
    summary="Replace the signing secret (the old one stops working)",
)
def rotate_secret(request: HttpRequest, integration_id: uuid.UUID) -> dict[str, Any]:
    principal = _manager(request)
    integration = access_integration(principal, integration_id)
    secret = call_service(
        lambda: services.rotate_integration_secret(
            actor=principal, integration=integration, request=request
        )
    )
    return {**_out(integration), "secret": secret}


@router.post(
    "/{integration_id}/test", response={202: DeliveryOut}, summary="Send a test event (ping)"
)
def send_test(request: HttpRequest, integration_id: uuid.UUID) -> Status[dict[str, Any]]:
    principal = _manager(request)
    integration = access_integration(principal, integration_id)
    found = call_service(
        lambda: services.send_test_event(actor=principal, integration=integration, request=request)
    )
    return Status(202, _delivery_out(found))


@router.get("/{integration_id}/deliveries", response=list[DeliveryOut], summary="The delivery log")
def list_deliveries(
    request: HttpRequest, integration_id: uuid.UUID, page: Page = 1
) -> list[dict[str, Any]]:
    integration = access_integration(_manager(request), integration_id)
    start = (page - 1) * PAGE_SIZE
    rows = queries.deliveries_of(integration)[start : start + PAGE_SIZE]
    return [_delivery_out(d) for d in rows]


@router.post(
    "/deliveries/{delivery_id}/resend",
    response={202: DeliveryOut},
    summary="Send a logged event again",
)
def resend(request: HttpRequest, delivery_id: uuid.UUID) -> Status[dict[str, Any]]:
    principal = _manager(request)
    delivery = access_delivery(principal, delivery_id)
    again = call_service(
        lambda: services.resend_delivery(actor=principal, delivery=delivery, request=request)
    )
    return Status(202, _delivery_out(again))
