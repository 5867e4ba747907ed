"""Family tracing over the API: requests on a case, their matches as one side may see them,
the caseworkers' decisions and the reunification steps.

Same conventions as the other routers: the access rules fetch the record (404 when missing, not
yours, or hidden by the consent gate), the service checks the actor again, refusals map to JSON
errors (salama.core.apierrors). A match's counterpart names are null until the caller may see
them (docs/api.md, family tracing).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.cases.access import access_case
from salama.core.apierrors import call_service
from salama.core.apitypes import Age, Page, Text, Version
from salama.core.pagination import LightPage
from salama.core.policy import Principal, has_perm, request_principal
from salama.core.roles import Perm
from salama.people.choices import Sex
from salama.tracing import queries, services
from salama.tracing.access import access_match, access_request
from salama.tracing.choices import CloseReason, Relationship, RequestStatus, ReunificationStep
from salama.tracing.models import TracingRequest

router = Router(tags=["tracing"])

RelationshipCode = Literal[tuple(Relationship.values)]  # type: ignore[valid-type]
SexCode = Literal[tuple(Sex.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(RequestStatus.values)]  # type: ignore[valid-type]
CloseCode = Literal[tuple(CloseReason.values)]  # type: ignore[valid-type]
StepCode = Literal[tuple(ReunificationStep.values)]  # type: ignore[valid-type]
Name = Text
# One other spelling (the service trims it).
OtherName = Annotated[str, Field(max_length=200)]


class TracingRequestIn(Schema):
    relationship: RelationshipCode = Field(description="Who the sought person is to the seeker.")
    sought_given_name: Name = Field("", max_length=200, description="In any script.")
    sought_family_name: Name = Field("", max_length=200)
    sought_other_names: list[OtherName] = Field(
        [], max_length=10, description="Other spellings, in any script (at most 10)."
    )
    sought_sex: SexCode = Sex.UNKNOWN
    sought_age: Age | None = Field(None, description="Approximate age now.")
    sought_birth_year: int | None = Field(None, ge=1900, le=2100)
    separation_place: Name = Field("", max_length=200)
    separation_year: int | None = Field(None, ge=1900, le=2100)
    separation_month: int | None = Field(None, ge=1, le=12)


class TracingRequestUpdateIn(TracingRequestIn):
    version: Version = Field(description="The version read.")


class TracingCloseIn(Schema):
    reason: CloseCode
    version: Version = Field(description="The version read.")


class TracingStepIn(Schema):
    step: StepCode
    happened_on: dt.date


class TracingStepOut(Schema):
    step: str
    happened_on: dt.date
    by: str
    recorded_at: dt.datetime


class TracingMatchOut(Schema):
    id: uuid.UUID
    request_id: uuid.UUID
    kind: str = Field(description="person: a registered person; request: another request.")
    status: str
    score: float
    reasons: list[str] = Field(description="Reason codes (docs/api.md, family tracing).")
    sides: list[str] = Field(description="The sides you stand on: seeker, other.")
    seeker_confirmed: bool
    other_confirmed: bool
    counterpart_name: str | None = Field(
        description="Null until you may see it: your own person, or both sides confirmed."
    )
    counterpart_case_id: uuid.UUID | None = Field(description="Your own case on the other side.")
    seeker_name: str | None
    steps: list[TracingStepOut]


class TracingRequestOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    status: str
    close_reason: str
    version: int
    relationship: str
    sought_given_name: str
    sought_family_name: str
    sought_other_names: list[str]
    sought_sex: str
    sought_age: int | None
    sought_birth_year: int | None
    separation_place: str
    separation_year: int | None
    separation_month: int | None
    created_at: dt.datetime
    matches: list[TracingMatchOut]


class TracingRequestRowOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    status: str
    relationship: str
    created_at: dt.datetime


class TracingRequestPageOut(Schema):
    items: list[TracingRequestRowOut]
    page: int
    has_next: bool


class TracingRequestFilters(Schema):
    status: StatusCode | None = Field(None, description="Only requests at this status.")
    page: Page = Field(1, description="50 requests a page; has_next says whether another follows")


def _principal(request: HttpRequest, *, for_write: bool = False) -> Principal:
    principal = request_principal(request)
    if not has_perm(principal, Perm.PERSON_VIEW):
        raise Http404("Not found")
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return principal


def _match_out(view: queries.MatchView) -> dict[str, Any]:
    m = view.match
    return {
        "id": m.id,
        "request_id": m.request_id,
        "kind": view.kind,
        "status": m.status,
        "score": m.score,
        "reasons": list(m.reasons),
        "sides": sorted(view.sides),
        "seeker_confirmed": m.seeker_confirmed_at is not None,
        "other_confirmed": m.other_confirmed_at is not None,
        "counterpart_name": view.counterpart_name or None,
        "counterpart_case_id": view.counterpart_case.pk if view.counterpart_case else None,
        "seeker_name": view.seeker_name or None,
        "steps": [
            {
                "step": s.step,
                "happened_on": s.happened_on,
                "by": s.recorded_by.full_name,
                "recorded_at": s.recorded_at,
            }
            for s in view.steps
        ],
    }


def _request_out(principal: Principal, tr: TracingRequest) -> dict[str, Any]:
    return {
        "id": tr.id,
        "case_id": tr.case_id,
        "status": tr.status,
        "close_reason": tr.close_reason,
        "version": tr.version,
        "relationship": tr.relationship,
        "sought_given_name": tr.sought_given_name or "",
        "sought_family_name": tr.sought_family_name or "",
        "sought_other_names": list(tr.sought_other_names or []),
        "sought_sex": tr.sought_sex,
        "sought_age": tr.sought_age,
        "sought_birth_year": tr.sought_birth_year,
        "separation_place": tr.separation_place or "",
        "separation_year": tr.separation_year,
        "separation_month": tr.separation_month,
        "created_at": tr.created_at,
        "matches": [_match_out(v) for v in queries.request_matches(principal, tr)],
    }


@router.get("/requests", response=TracingRequestPageOut, summary="Tracing requests you see")
def list_requests(request: HttpRequest, filters: Query[TracingRequestFilters]) -> dict[str, Any]:
    principal = _principal(request)
    rows = queries.request_rows(principal, filters.status or "")
    paged: LightPage[TracingRequest] = LightPage(rows, filters.page, per_page=50)
    return {
        "items": [
            {
                "id": r.id,
                "case_id": r.case_id,
                "case_reference": r.case.reference,
                "status": r.status,
                "relationship": r.relationship,
                "created_at": r.created_at,
            }
            for r in paged
        ],
        "page": paged.number,
        "has_next": paged.has_next(),
    }


@router.get("/requests/{tracing_id}", response=TracingRequestOut, summary="One tracing request")
def get_request(request: HttpRequest, tracing_id: uuid.UUID) -> dict[str, Any]:
    principal = _principal(request)
    return _request_out(principal, access_request(principal, tracing_id))


@router.post(
    "/cases/{case_id}/requests",
    response={201: TracingRequestOut},
    summary="Open a tracing request on a case (its person is the seeker) and look for matches",
)
def create_request(
    request: HttpRequest, case_id: uuid.UUID, payload: TracingRequestIn
) -> Status[dict[str, Any]]:
    principal = _principal(request, for_write=True)
    case = access_case(principal, case_id, for_write=True)
    created = call_service(
        lambda: services.create_request(
            actor=principal, case=case, request=request, **payload.dict()
        )
    )
    return Status(201, _request_out(principal, access_request(principal, created.pk)))


@router.put(
    "/requests/{tracing_id}",
    response=TracingRequestOut,
    summary="Change what a request says of the sought person; matching runs again",
)
def update_request(
    request: HttpRequest, tracing_id: uuid.UUID, payload: TracingRequestUpdateIn
) -> dict[str, Any]:
    principal = _principal(request, for_write=True)
    tr = access_request(principal, tracing_id)
    data = payload.dict()
    version = data.pop("version")
    call_service(
        lambda: services.update_request(
            actor=principal, tracing_request=tr, version=version, request=request, **data
        )
    )
    return _request_out(principal, access_request(principal, tracing_id))


@router.post("/requests/{tracing_id}/close", response=TracingRequestOut, summary="Close a request")
def close_request(
    request: HttpRequest, tracing_id: uuid.UUID, payload: TracingCloseIn
) -> dict[str, Any]:
    principal = _principal(request, for_write=True)
    tr = access_request(principal, tracing_id)
    call_service(
        lambda: services.close_request(
            actor=principal,
            tracing_request=tr,
            reason=str(payload.reason),
            version=payload.version,
            request=request,
        )
    )
    return _request_out(principal, access_request(principal, tracing_id))


@router.get(
    "/matches/{match_id}", response=TracingMatchOut, summary="One match, as your side sees it"
)
def get_match(request: HttpRequest, match_id: uuid.UUID) -> dict[str, Any]:
    principal = _principal(request)
    return _match_out(queries.match_view(principal, access_match(principal, match_id)))


@router.post(
    "/matches/{match_id}/confirm",
    response=TracingMatchOut,
    summary="Confirm a proposed match for your side (both sides confirm)",
)
def confirm_match(request: HttpRequest, match_id: uuid.UUID) -> dict[str, Any]:
    principal = _principal(request, for_write=True)
    match = access_match(principal, match_id)
    call_service(lambda: services.confirm_match(actor=principal, match=match, request=request))
    return _match_out(queries.match_view(principal, access_match(principal, match_id)))


@router.post(
    "/matches/{match_id}/reject", response=TracingMatchOut, summary="Reject a proposed match"
)
def reject_match(request: HttpRequest, match_id: uuid.UUID) -> dict[str, Any]:
    principal = _principal(request, for_write=True)
    match = access_match(principal, match_id)
    call_service(lambda: services.reject_match(actor=principal, match=match, request=request))
    return _match_out(queries.match_view(principal, access_match(principal, match_id)))


@router.post(
    "/matches/{match_id}/steps",
    response={201: TracingMatchOut},
    summary="Record a step towards reunification on a confirmed match",
)
def add_step(
    request: HttpRequest, match_id: uuid.UUID, payload: TracingStepIn
) -> Status[dict[str, Any]]:
    principal = _principal(request, for_write=True)
    match = access_match(principal, match_id)
    call_service(
        lambda: services.add_reunification_step(
            actor=principal,
            match=match,
            step=str(payload.step),
            happened_on=payload.happened_on,
            request=request,
        )
    )
    return Status(201, _match_out(queries.match_view(principal, access_match(principal, match_id))))
