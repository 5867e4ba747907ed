"""Reintegration monitoring over the API: the questionnaire, a case's or a reception referral's
visits and scores, recording a visit, lost contact, cancelling, scheduling, and the programme's
figures. Same rules as the pages: the host reads its case's scores, the receiving organisation
records through its referral, anyone else gets 404."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.cases.access import access_case
from salama.core.apierrors import call_service
from salama.core.apitypes import MAX_INT, CountryCode, Version
from salama.core.policy import request_principal
from salama.returns import monitoring, monitoring_queries, programme, rss_questions, scoring
from salama.returns import monitoring_access as access
from salama.returns.monitoring_models import (
    AttemptChannel,
    CancelReason,
    MonitoringSchedule,
    MonitoringVisit,
    VisitPlace,
)

router = Router(tags=["returns"])

_TABLE = scoring.load_table()
QuestionCode = Literal[tuple(q.code for q in _TABLE.questions)]  # type: ignore[valid-type]
AnswerCode = Literal[  # type: ignore[valid-type]
    tuple(sorted({a for q in _TABLE.questions for a in q.answers}))
]
PlaceCode = Literal[tuple(VisitPlace.values)]  # type: ignore[valid-type]
ChannelCode = Literal[tuple(AttemptChannel.values)]  # type: ignore[valid-type]
CancelCode = Literal[tuple(CancelReason.values)]  # type: ignore[valid-type]
Score = Annotated[float, Field(ge=0, le=1)]


# The questionnaire -----------------------------------------------------------------------------


class RssAnswerOut(Schema):
    code: str
    label: str
    score: float | None = Field(description="0 to 1; null: not applicable (counts as unanswered)")


class RssQuestionOut(Schema):
    code: str
    indicator: str
    dimension: str
    weight: float
    label: str
    answers: list[RssAnswerOut]


class RssQuestionnaireOut(Schema):
    version: str
    provisional: bool = Field(description="True while the weights are the provisional equal ones")
    missing_rule: str
    questions: list[RssQuestionOut]


@router.get(
    "/monitoring/questionnaire",
    response=RssQuestionnaireOut,
    summary="The RSS questionnaire and weights used for new visits, in your language",
)
def questionnaire(request: HttpRequest) -> dict[str, Any]:
    request_principal(request)
    table = scoring.load_table()
    return {
        "version": table.version,
        "provisional": table.provisional,
        "missing_rule": table.missing_rule,
        "questions": [
            {
                "code": q.code,
                "indicator": q.indicator,
                "dimension": q.dimension,
                "weight": q.weight,
                "label": str(rss_questions.label(rss_questions.QUESTIONS, q.code)),
                "answers": [
                    {
                        "code": a,
                        "label": str(rss_questions.label(rss_questions.ANSWERS, a)),
                        "score": s,
                    }
                    for a, s in q.answers.items()
                ],
            }
            for q in table.questions
        ],
    }


# Schedules and visits ------------------------------------------------------------------------


class MonitoringAttemptOut(Schema):
    on: dt.date
    channel: str


class MonitoringVisitOut(Schema):
    id: uuid.UUID
    month: int
    due_on: dt.date
    status: str
    visited_on: dt.date | None
    place: str
    weight_version: str = Field(description="The weight table the scores were computed with")
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None
    below_threshold: list[str]
    attempts: list[MonitoringAttemptOut]
    cancel_reason: str
    version: int


class MonitoringScheduleOut(Schema):
    id: uuid.UUID
    arrived_on: dt.date
    country: str
    monitoring_organisation: str
    reception_referral_id: uuid.UUID | None
    can_record: bool
    threshold: float
    visits: list[MonitoringVisitOut]


def _visit_out(visit: MonitoringVisit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "month": visit.month,
        "due_on": visit.due_on,
        "status": visit.status,
        "visited_on": visit.visited_on,
        "place": visit.place,
        "weight_version": visit.weight_version,
        "economic": visit.economic,
        "social": visit.social,
        "psychosocial": visit.psychosocial,
        "composite": visit.composite,
        "below_threshold": list(visit.below_threshold or []),
        "attempts": list(visit.attempts or []),
        "cancel_reason": visit.cancel_reason,
        "version": visit.version,
    }


def _schedules_out(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for block in blocks:
        schedule: MonitoringSchedule = block["schedule"]
        out.append(
            {
                "id": schedule.id,
                "arrived_on": schedule.arrived_on,
                "country": schedule.country,
                "monitoring_organisation": block["monitor_name"],
                # The receiver is told its own referral; the host sees it too (it sent it).
                "reception_referral_id": schedule.reception_referral_id,
                "can_record": block["can_record"],
                "threshold": float(block["threshold"]),
                "visits": [_visit_out(row["visit"]) for row in block["rows"]],
            }
        )
    return out


@router.get(
    "/monitoring/cases/{case_id}",
    response=list[MonitoringScheduleOut],
    summary="A case's monitoring schedules, visits and scores (the case's organisation)",
)
def case_monitoring(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = request_principal(request)
    case = access_case(principal, case_id)
    return _schedules_out(monitoring_queries.case_schedules(principal, case))


@router.get(
    "/monitoring/referrals/{referral_id}",
    response=list[MonitoringScheduleOut],
    summary="The monitoring of a reception referral (the receiving organisation)",
)
def reception_monitoring(request: HttpRequest, referral_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = request_principal(request)
    referral = access.access_reception(principal, referral_id)
    return _schedules_out(monitoring_queries.reception_schedules(principal, referral))


class MonitoringScheduleIn(Schema):
    arrived_on: dt.date = Field(description="Arrival in the country of return; not in the future")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 of the country")


@router.post(
    "/monitoring/cases/{case_id}/schedule",
    response={201: list[MonitoringScheduleOut]},
    summary="Schedule the visits of a return recorded before monitoring existed",
)
def schedule(
    request: HttpRequest, case_id: uuid.UUID, payload: MonitoringScheduleIn
) -> Status[list[dict[str, Any]]]:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    call_service(
        lambda: monitoring.schedule_monitoring(
            case,
            arrived_on=payload.arrived_on,
            country=str(payload.country.value if payload.country else ""),
            actor=principal,
            request=request,
        )
    )
    return Status(201, _schedules_out(monitoring_queries.case_schedules(principal, case)))


class MonitoringVisitIn(Schema):
    visited_on: dt.date
    place: PlaceCode
    answers: dict[QuestionCode, AnswerCode] = Field(
        max_length=len(_TABLE.questions),
        description="Question code → answer code (GET /returns/monitoring/questionnaire); leave "
        "out what was not answered.",
    )
    version: Version | None = Field(None, description="The visit's version you read")


def _visit_to_record(request: HttpRequest, visit_id: uuid.UUID) -> tuple[Any, MonitoringVisit]:
    principal = request_principal(request)
    return principal, access.access_visit_to_record(principal, visit_id)


@router.post(
    "/monitoring/visits/{visit_id}/record",
    response=MonitoringVisitOut,
    summary="Record a visit's answers; scored with the newest weight table",
)
def record_visit(
    request: HttpRequest, visit_id: uuid.UUID, payload: MonitoringVisitIn
) -> dict[str, Any]:
    principal, visit = _visit_to_record(request, visit_id)
    done = call_service(
        lambda: monitoring.record_monitoring_visit(
            visit,
            actor=principal,
            answers=dict(payload.answers),
            visited_on=payload.visited_on,
            place=payload.place,
            expected_version=payload.version,
            request=request,
        )
    )
    return _visit_out(done)


class MonitoringAttemptIn(Schema):
    on: dt.date
    channel: ChannelCode


class MonitoringLostContactIn(Schema):
    attempts: list[MonitoringAttemptIn] = Field(min_length=1, max_length=monitoring.MAX_ATTEMPTS)
    version: Version | None = None


@router.post(
    "/monitoring/visits/{visit_id}/lost-contact",
    response=MonitoringVisitOut,
    summary="Record that the person could not be reached, with the attempts made",
)
def lost_contact(
    request: HttpRequest, visit_id: uuid.UUID, payload: MonitoringLostContactIn
) -> dict[str, Any]:
    principal, visit = _visit_to_record(request, visit_id)
    done = call_service(
        lambda: monitoring.record_lost_contact(
            visit,
            actor=principal,
            attempts=[{"on": a.on, "channel": a.channel} for a in payload.attempts],
            expected_version=payload.version,
            request=request,
        )
    )
    return _visit_out(done)


class MonitoringCancelIn(Schema):
    reason: CancelCode
    version: Version | None = None


@router.post(
    "/monitoring/visits/{visit_id}/cancel",
    response=MonitoringVisitOut,
    summary="Cancel a visit that will not take place",
)
def cancel_visit(
    request: HttpRequest, visit_id: uuid.UUID, payload: MonitoringCancelIn
) -> dict[str, Any]:
    principal, visit = _visit_to_record(request, visit_id)
    done = call_service(
        lambda: monitoring.cancel_monitoring_visit(
            visit,
            actor=principal,
            reason=payload.reason,
            expected_version=payload.version,
            request=request,
        )
    )
    return _visit_out(done)


# The programme -------------------------------------------------------------------------------


class ProgrammeFilterIn(Schema):
    date_from: dt.date | None = Field(None, description="Visits due on or after this day")
    date_to: dt.date | None = Field(None, description="Visits due on or before this day")
    country: CountryCode | None = Field(None, description="Country of return (ISO alpha-2)")


class ProgrammeCountOut(Schema):
    code: str
    label: str
    count: Annotated[int, Field(ge=0, le=MAX_INT)]


class ProgrammeMeanOut(Schema):
    code: str
    label: str
    visits: int
    mean: float


class ProgrammeOut(Schema):
    coverage: list[ProgrammeCountOut]
    contact_rate: float | None = Field(description="Done ÷ (done + lost contact); null if none")
    means: dict[str, float | None] = Field(description="Mean score per dimension and composite")
    bands: list[str]
    distribution: dict[str, list[int]] = Field(
        description="Per dimension and composite: done visits per score band (see bands)"
    )
    by_country: list[ProgrammeMeanOut]
    by_assistance: list[ProgrammeMeanOut]
    journey: list[ProgrammeCountOut] | None = Field(
        description="Departures and arrivals from the return journey; null where not installed"
    )


@router.get(
    "/programme",
    response=ProgrammeOut,
    summary="The reintegration programme's figures (aggregates of your organisation only)",
)
def programme_figures(request: HttpRequest, filters: Query[ProgrammeFilterIn]) -> dict[str, Any]:
    principal = request_principal(request)
    if not access.can_view_programme(principal):
        raise Http404("Not found")
    return programme.programme_figures(
        principal,
        date_from=filters.date_from,
        date_to=filters.date_to,
        country=str(filters.country.value) if filters.country else "",
    )
