"""The return journey over the API: read a journey, open one, take each declared step, hand the
person over to the receiving organisation, record reception (the receiver), and the
reintegration plan.

Same conventions as the other routers: the access rules fetch the record (404 when missing or not
yours), the service checks the actor again, refusals map to JSON errors
(salama.core.apierrors). The receiving organisation never reads a journey here: it records the
reception on its referral, whose packet (GET /referrals/{id}/packet) carries the journey's summary.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.assistance.models import Fund
from salama.cases.access import access_case
from salama.core.apierrors import call_service
from salama.core.apitypes import MAX_INT, Amount, CountryCode, NonBlank, Page, Quantity, Text
from salama.core.pagination import LightPage
from salama.core.policy import get_or_404, has_perm, request_principal
from salama.core.roles import Perm
from salama.referrals.access import access_referral_packet, visible_services
from salama.referrals.choices import PacketField
from salama.returns import queries, rules, services
from salama.returns.access import access_journey
from salama.returns.models import ReturnJourney

router = Router(tags=["returns"])

StatusCode = Literal[tuple(rules.STATUSES)]  # type: ignore[valid-type]
StepCode = Literal[tuple(rules.HOST_STEPS)]  # type: ignore[valid-type]
RiskCode = Literal[("", *rules.RISK_LEVELS)]  # type: ignore[valid-type]
FitnessCode = Literal[("", *rules.FITNESS)]  # type: ignore[valid-type]
DocumentCode = Literal[("", *rules.DOCUMENT_TYPES)]  # type: ignore[valid-type]
ReasonCode = Literal[("", *rules.NO_SHOW_REASONS, *rules.CANCEL_REASONS)]  # type: ignore[valid-type]
DimensionCode = Literal[tuple(rules.DIMENSIONS)]  # type: ignore[valid-type]
LevelCode = Literal[tuple(rules.LEVELS)]  # type: ignore[valid-type]
ActionCode = Literal[tuple(rules.ACTION_KINDS)]  # type: ignore[valid-type]
Currency = Annotated[str, Field(pattern="^[A-Za-z]{3}$", min_length=3, max_length=3)]


class ReturnLegOut(Schema):
    position: int
    from_place: str
    to_place: str
    travel_on: dt.date
    carrier: str
    escort: bool
    transit_assistance: bool
    medical_needs: str


class ReturnStepOut(Schema):
    step: str
    from_status: str
    to_status: str
    happened_on: dt.date
    details: dict[str, Any]
    notes: str
    by: str | None = Field(description="Who recorded it (null: done automatically).")
    recorded_at: dt.datetime


class ReintegrationActionOut(Schema):
    id: uuid.UUID
    dimension: str
    level: str
    kind: str
    description: str
    assistance_item_id: uuid.UUID | None
    amount: Decimal | None
    currency: str
    item_status: str


class ReturnJourneyOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    country: str
    status: str
    version: int
    allowed_steps: list[str] = Field(description="The steps the table allows now.")
    decision: str
    decided_on: dt.date | None
    risk_level: str
    risk_reasons: str
    fitness: str
    document_type: str
    consulate: str
    document_number: str
    documents_requested_on: dt.date | None
    documents_issued_on: dt.date | None
    departed_on: dt.date | None
    arrived_on: dt.date | None
    reception_referral_id: uuid.UUID | None
    received_on: dt.date | None
    reception_place: str
    end_reason: str
    legs: list[ReturnLegOut]
    steps: list[ReturnStepOut]


class ReturnJourneyRowOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    country: str
    status: str
    opened_at: dt.datetime
    departed_on: dt.date | None
    arrived_on: dt.date | None
    received_on: dt.date | None


class ReturnJourneyPageOut(Schema):
    items: list[ReturnJourneyRowOut]
    page: int
    has_next: bool


class ReturnJourneyFilters(Schema):
    status: StatusCode | None = Field(None, description="Only journeys at this status.")
    country: CountryCode | None = Field(None, description="Only journeys to this country.")
    page: Page = Field(1, description="50 journeys a page; has_next says whether another follows")


def _actions_out(journey: ReturnJourney) -> list[dict[str, Any]]:
    out = []
    for a in journey.reintegration_actions.select_related("assistance_item"):
        item = a.assistance_item
        out.append(
            {
                "id": a.id,
                "dimension": a.dimension,
                "level": a.level,
                "kind": a.kind,
                "description": a.description,
                "assistance_item_id": item.pk if item else None,
                "amount": item.amount if item else None,
                "currency": item.currency if item else "",
                "item_status": item.status if item else "",
            }
        )
    return out


def _journey_out(journey: ReturnJourney) -> dict[str, Any]:
    return {
        "id": journey.id,
        "case_id": journey.case_id,
        "country": journey.country,
        "status": journey.status,
        "version": journey.version,
        "allowed_steps": rules.allowed_steps(journey.status, rules.HOST_STEPS),
        "decision": journey.decision,
        "decided_on": journey.decided_on,
        "risk_level": journey.risk_level,
        "risk_reasons": journey.risk_reasons or "",
        "fitness": journey.fitness,
        "document_type": journey.document_type,
        "consulate": journey.consulate,
        "document_number": journey.document_number or "",
        "documents_requested_on": journey.documents_requested_on,
        "documents_issued_on": journey.documents_issued_on,
        "departed_on": journey.departed_on,
        "arrived_on": journey.arrived_on,
        "reception_referral_id": journey.reception_referral_id,
        "received_on": journey.received_on,
        "reception_place": (journey.reception_place or "") if journey.received_on else "",
        "end_reason": journey.end_reason,
        "legs": [
            {
                "position": leg.position,
                "from_place": leg.from_place,
                "to_place": leg.to_place,
                "travel_on": leg.travel_on,
                "carrier": leg.carrier,
                "escort": leg.escort,
                "transit_assistance": leg.transit_assistance,
                "medical_needs": leg.medical_needs or "",
            }
            for leg in journey.legs.all()
        ],
        "steps": [
            {
                "step": s.step,
                "from_status": s.from_status,
                "to_status": s.to_status,
                "happened_on": s.happened_on,
                "details": s.details,
                "notes": s.notes or "",
                "by": s.actor.full_name if s.actor else None,
                "recorded_at": s.recorded_at,
            }
            for s in journey.steps.select_related("actor").order_by("happened_on", "recorded_at")
        ],
    }


def _readable(
    request: HttpRequest, journey_id: uuid.UUID, *, for_write: bool = False
) -> ReturnJourney:
    """A journey of a case the caller sees, with person.view (what it says identifies the
    person), and case.change to write."""
    principal = request_principal(request)
    if not has_perm(principal, Perm.PERSON_VIEW):
        raise Http404("Not found")
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return access_journey(principal, journey_id)


@router.get(
    "/journeys", response=ReturnJourneyPageOut, summary="Return journeys of the cases you see"
)
def list_journeys(request: HttpRequest, filters: Query[ReturnJourneyFilters]) -> dict[str, Any]:
    principal = request_principal(request)
    if not has_perm(principal, Perm.PERSON_VIEW):
        raise Http404("Not found")
    rows = queries.journey_rows(
        principal, status=filters.status or "", country=str(filters.country or "")
    )
    paged: LightPage[ReturnJourney] = LightPage(rows, filters.page, per_page=50)
    return {
        "items": [
            {
                "id": j.id,
                "case_id": j.case_id,
                "case_reference": j.case.reference,
                "country": j.country,
                "status": j.status,
                "opened_at": j.opened_at,
                "departed_on": j.departed_on,
                "arrived_on": j.arrived_on,
                "received_on": j.received_on,
            }
            for j in paged
        ],
        "page": paged.number,
        "has_next": paged.has_next(),
    }


@router.get("/journeys/{journey_id}", response=ReturnJourneyOut, summary="One return journey")
def get_journey(request: HttpRequest, journey_id: uuid.UUID) -> dict[str, Any]:
    return _journey_out(_readable(request, journey_id))


class ReturnJourneyOpenIn(Schema):
    country: CountryCode = Field(description="The country of return (ISO 3166 alpha-2).")


@router.post(
    "/cases/{case_id}/journeys",
    response={201: ReturnJourneyOut},
    summary="Open a return journey on a case (one open at a time)",
)
def open_journey(
    request: HttpRequest, case_id: uuid.UUID, payload: ReturnJourneyOpenIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    journey = call_service(
        lambda: services.open_journey(
            actor=principal, case=case, country=str(payload.country), request=request
        )
    )
    return Status(201, _journey_out(journey))


class ReturnStepIn(Schema):
    """What a step carries; each step reads the fields it needs (docs/api.md, return journeys)."""

    on: dt.date = Field(description="When it happened (a leg: its travel date).")
    version: int | None = Field(None, ge=1, le=MAX_INT, description="The version read.")
    notes: Text = Field("", max_length=4000)
    risk_level: RiskCode = ""
    reasons: Text = Field("", max_length=4000)
    fitness: FitnessCode = ""
    document_type: DocumentCode = ""
    consulate: Text = Field("", max_length=200)
    document_number: Text = Field("", max_length=64)
    from_place: Text = Field("", max_length=200)
    to_place: Text = Field("", max_length=200)
    carrier: Text = Field("", max_length=200)
    escort: bool = False
    transit_assistance: bool = False
    medical_needs: Text = Field("", max_length=4000)
    reason: ReasonCode = Field("", description="No-show or cancellation reason code.")


@router.post(
    "/journeys/{journey_id}/steps/{step}",
    response=ReturnJourneyOut,
    summary="Take one declared step of the journey",
)
def take_step(
    request: HttpRequest,
    journey_id: uuid.UUID,
    step: StepCode,  # type: ignore[valid-type]
    payload: ReturnStepIn,
) -> dict[str, Any]:
    journey = _readable(request, journey_id, for_write=True)
    data = payload.dict()
    version = data.pop("version")
    journey = call_service(
        lambda: services.take_step(
            actor=request_principal(request),
            journey=journey,
            step=str(step),
            data=services.StepInput(**data),
            expected_version=version,
            request=request,
        )
    )
    return _journey_out(journey)


class ReceptionReferralIn(Schema):
    service_uuid: uuid.UUID = Field(description="A reintegration or return service there.")
    purpose_note: NonBlank = Field(max_length=2000)
    packet_fields: list[PacketField] = Field(max_length=len(PacketField))
    needs_note: Text = Field("", max_length=2000)


class ReceptionReferralOut(Schema):
    referral_id: uuid.UUID
    to_organisation: str


@router.post(
    "/journeys/{journey_id}/reception-referral",
    response={201: ReceptionReferralOut},
    summary="Hand the person to an organisation in the country of return (a referral)",
)
def hand_over(
    request: HttpRequest, journey_id: uuid.UUID, payload: ReceptionReferralIn
) -> Status[dict[str, Any]]:
    journey = _readable(request, journey_id, for_write=True)
    principal = request_principal(request)
    service = get_or_404(visible_services(principal), uuid=payload.service_uuid)
    referral = call_service(
        lambda: services.send_reception_referral(
            actor=principal,
            journey=journey,
            service=service,
            purpose_note=payload.purpose_note,
            packet_fields=[str(f) for f in payload.packet_fields],
            needs_note=payload.needs_note,
            request=request,
        )
    )
    return Status(
        201, {"referral_id": referral.pk, "to_organisation": referral.to_organisation.name}
    )


class ReceptionIn(Schema):
    received_on: dt.date
    place: NonBlank = Field(max_length=200)


class ReceptionOut(Schema):
    referral_id: uuid.UUID
    status: str
    received_on: dt.date


@router.post(
    "/receptions/{referral_id}",
    response=ReceptionOut,
    summary="The receiving organisation records the reception on its referral",
)
def record_reception(
    request: HttpRequest, referral_id: uuid.UUID, payload: ReceptionIn
) -> dict[str, Any]:
    principal = request_principal(request)
    referral = access_referral_packet(principal, referral_id)
    journey = call_service(
        lambda: services.record_reception(
            actor=principal,
            referral=referral,
            received_on=payload.received_on,
            place=payload.place,
            request=request,
        )
    )
    return {
        "referral_id": referral.pk,
        "status": journey.status,
        "received_on": journey.received_on,
    }


@router.get(
    "/journeys/{journey_id}/reintegration-plan",
    response=list[ReintegrationActionOut],
    summary="The journey's reintegration plan",
)
def get_plan(request: HttpRequest, journey_id: uuid.UUID) -> list[dict[str, Any]]:
    return _actions_out(_readable(request, journey_id))


class ReintegrationActionIn(Schema):
    dimension: DimensionCode
    level: LevelCode
    kind: ActionCode
    description: NonBlank = Field(max_length=2000)
    quantity: Quantity = Decimal(1)
    unit_cost: Amount
    currency: Currency | Literal[""] = Field("", description="Empty: the fund's currency.")
    service_date: dt.date | None = None
    fund_id: uuid.UUID | None = None
    alternatives_checked: bool | None = None
    alternatives_note: Text = Field("", max_length=2000)


@router.post(
    "/journeys/{journey_id}/reintegration-plan",
    response={201: ReintegrationActionOut},
    summary="Add a reintegration action, funded by an assistance item",
)
def add_action(
    request: HttpRequest, journey_id: uuid.UUID, payload: ReintegrationActionIn
) -> Status[dict[str, Any]]:
    journey = _readable(request, journey_id, for_write=True)
    fund = None
    if payload.fund_id is not None:
        fund = get_or_404(
            Fund.objects.filter(organisation_id=journey.case.organisation_id),
            uuid=payload.fund_id,
        )
    action = call_service(
        lambda: services.add_reintegration_action(
            actor=request_principal(request),
            journey=journey,
            dimension=payload.dimension,
            level=payload.level,
            kind=payload.kind,
            description=payload.description,
            quantity=payload.quantity,
            unit_cost=payload.unit_cost,
            currency=payload.currency,
            service_date=payload.service_date,
            fund=fund,
            alternatives_checked=payload.alternatives_checked,
            alternatives_note=payload.alternatives_note,
            request=request,
        )
    )
    rows = [r for r in _actions_out(journey) if r["id"] == action.id]
    return Status(201, rows[0])
