"""The screening API: screenings, identification decisions and DoMV assessments.

The same policy fetchers and services as the pages. ValidationError → 422, PermissionDenied →
403, missing or not yours → 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal, TypeVar

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from salama.cases.access import access_case
from salama.core.apierrors import call_service
from salama.core.apitypes import Age, NonBlank, Text
from salama.core.policy import request_principal
from salama.screening import explain, queries, services
from salama.screening.access import access_assessment, access_screening
from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionOutcome,
    Exploitation,
    Harm,
    Polarity,
    Presence,
)
from salama.screening.models import (
    Screening,
    VulnerabilityAssessment,
)

_principal = request_principal
_service = call_service

router = Router(tags=["screening"])
T = TypeVar("T")
MAX_ANSWERS = 200  # answers sent at once (the tables and catalogues have fewer entries)


def _screening(request: HttpRequest, screening_id: uuid.UUID, write: bool = False) -> Screening:
    return access_screening(_principal(request), screening_id, for_write=write)


def _assessment(
    request: HttpRequest, assessment_id: uuid.UUID, write: bool = False
) -> VulnerabilityAssessment:
    return access_assessment(_principal(request), assessment_id, for_write=write)


# Schemas -----------------------------------------------------------------------------------


class ScreeningIn(Schema):
    exploitation: Exploitation
    age_at_recruitment: Age | None = None
    act_recorded: bool = False


class ScreeningOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    table: str
    table_version: str
    exploitation: str
    age_at_recruitment: int | None
    act_recorded: bool
    status: str
    outcome: str
    amends_id: uuid.UUID | None
    created_at: dt.datetime
    finalised_at: dt.datetime | None


class AnswerIn(Schema):
    indicator: Text = Field(max_length=80)
    value: AnswerValue
    source: AnswerSource | Literal[""] | None = Field(None, description="null keeps the answer's")
    answered_on: dt.date | None = None
    note: Text | None = Field(None, max_length=2000, description="null keeps the answer's")


class AnswersIn(Schema):
    answers: list[AnswerIn] = Field(max_length=MAX_ANSWERS, description=f"At most {MAX_ANSWERS}.")


class ResultOut(Schema):
    table: str
    version: str
    provisional: bool
    outcome: str
    result: dict[str, Any]
    explanation: list[str]


# The HTCDS value set of the bodies that decide (read once, as the service reads it).
DecidingBody = Literal[tuple(code for code, _label in services.decision_org_types())]  # type: ignore[misc]


class DecisionIn(Schema):
    decided_by_org_type: DecidingBody
    decided_on: dt.date
    outcome: DecisionOutcome
    legal_basis: Text = Field("", max_length=4000)


class DecisionOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    decided_by_org_type: str
    decided_on: dt.date
    outcome: str
    recorded_at: dt.datetime


class AssessmentOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    catalogue: str
    catalogue_version: str
    status: str
    amends_id: uuid.UUID | None
    profile: dict[str, Any]
    created_at: dt.datetime


class FactorIn(Schema):
    factor: Text = Field(max_length=64)
    present: Presence
    polarity: Polarity | Literal[""] = ""
    harms: list[Harm] = Field([], max_length=len(Harm))
    evidence: Text = Field("", max_length=4000)
    observed_on: dt.date | None = None


class FactorsIn(Schema):
    answers: list[FactorIn] = Field(max_length=MAX_ANSWERS, description=f"At most {MAX_ANSWERS}.")


class EventIn(Schema):
    factor: Text = Field(max_length=64)
    description: NonBlank = Field(max_length=2000)
    occurred_on: dt.date


class ProposalOut(Schema):
    code: str
    horizon: str
    case_action: bool
    harms: list[str]
    factors: list[str]
    children_only: bool


class PlanIn(Schema):
    responses: list[Annotated[Text, Field(max_length=64)]] = Field(
        max_length=MAX_ANSWERS, description=f"Response codes, at most {MAX_ANSWERS}."
    )


class ScreeningPlanItemOut(Schema):
    id: uuid.UUID
    action: str
    source: str


# Screenings --------------------------------------------------------------------------------


@router.get("/cases/{case_id}/screenings", response=list[ScreeningOut])
def list_screenings(request: HttpRequest, case_id: uuid.UUID) -> Any:
    return queries.case_screenings(access_case(_principal(request), case_id))


@router.post("/cases/{case_id}/screenings", response={201: ScreeningOut})
def create_screening(request: HttpRequest, case_id: uuid.UUID, payload: ScreeningIn) -> Any:
    case = access_case(_principal(request), case_id, for_write=True)
    screening = _service(
        lambda: services.start_screening(
            actor=_principal(request), case=case, request=request, **payload.dict()
        )
    )
    return Status(201, screening)


@router.get("/screenings/{screening_id}", response=ScreeningOut)
def get_screening(request: HttpRequest, screening_id: uuid.UUID) -> Any:
    return _screening(request, screening_id)


@router.put("/screenings/{screening_id}/answers", response=ResultOut)
def put_answers(request: HttpRequest, screening_id: uuid.UUID, payload: AnswersIn) -> Any:
    screening = _screening(request, screening_id, write=True)

    def answer_all() -> None:
        for item in payload.answers:
            services.answer_indicator(
                actor=_principal(request), screening=screening, request=request, **item.dict()
            )

    _service(answer_all)
    screening.refresh_from_db()
    return _result(screening)


def _result(screening: Screening) -> dict[str, Any]:
    table = services.table_for(screening)
    return {
        "table": screening.table,
        "version": screening.table_version,
        "provisional": bool(screening.result.get("provisional")),
        "outcome": screening.outcome,
        "result": screening.result,
        "explanation": explain.explain(screening.result, table),
    }


@router.get("/screenings/{screening_id}/result", response=ResultOut)
def get_result(request: HttpRequest, screening_id: uuid.UUID) -> Any:
    return _result(_screening(request, screening_id))


@router.post("/screenings/{screening_id}/finalise", response=ScreeningOut)
def finalise(request: HttpRequest, screening_id: uuid.UUID) -> Any:
    screening = _screening(request, screening_id, write=True)
    return _service(
        lambda: services.finalise_screening(
            actor=_principal(request), screening=screening, request=request
        )
    )


@router.post("/screenings/{screening_id}/amend", response={201: ScreeningOut})
def amend(request: HttpRequest, screening_id: uuid.UUID) -> Any:
    screening = _screening(request, screening_id, write=True)
    draft = _service(
        lambda: services.amend_screening(
            actor=_principal(request), screening=screening, request=request
        )
    )
    return Status(201, draft)


# Identification decisions ------------------------------------------------------------------


@router.get("/cases/{case_id}/decisions", response=list[DecisionOut])
def list_decisions(request: HttpRequest, case_id: uuid.UUID) -> Any:
    return queries.case_decisions(access_case(_principal(request), case_id))


@router.post("/cases/{case_id}/decisions", response={201: DecisionOut})
def create_decision(request: HttpRequest, case_id: uuid.UUID, payload: DecisionIn) -> Any:
    case = access_case(_principal(request), case_id, for_write=True)
    decision = _service(
        lambda: services.record_identification_decision(
            actor=_principal(request), case=case, request=request, **payload.dict()
        )
    )
    return Status(201, decision)


# Vulnerability assessments -----------------------------------------------------------------


@router.get("/cases/{case_id}/assessments", response=list[AssessmentOut])
def list_assessments(request: HttpRequest, case_id: uuid.UUID) -> Any:
    return queries.case_assessments(access_case(_principal(request), case_id))


@router.post("/cases/{case_id}/assessments", response={201: AssessmentOut})
def create_assessment(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = access_case(_principal(request), case_id, for_write=True)
    assessment = _service(
        lambda: services.start_assessment(actor=_principal(request), case=case, request=request)
    )
    return Status(201, assessment)


@router.get("/assessments/{assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    return _assessment(request, assessment_id)


@router.put("/assessments/{assessment_id}/answers", response=AssessmentOut)
def put_factor_answers(request: HttpRequest, assessment_id: uuid.UUID, payload: FactorsIn) -> Any:
    assessment = _assessment(request, assessment_id, write=True)

    def answer_all() -> None:
        for item in payload.answers:
            services.answer_factor(
                actor=_principal(request), assessment=assessment, request=request, **item.dict()
            )

    _service(answer_all)
    assessment.refresh_from_db()
    return assessment


@router.post("/assessments/{assessment_id}/events", response={201: AssessmentOut})
def add_event(request: HttpRequest, assessment_id: uuid.UUID, payload: EventIn) -> Any:
    assessment = _assessment(request, assessment_id, write=True)
    _service(
        lambda: services.add_situational_event(
            actor=_principal(request), assessment=assessment, request=request, **payload.dict()
        )
    )
    assessment.refresh_from_db()
    return Status(201, assessment)


@router.get("/assessments/{assessment_id}/profile", response=dict[str, Any])
def get_profile(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    assessment = _assessment(request, assessment_id)
    if assessment.is_final:
        return assessment.profile
    return services.compute_profile(assessment).as_dict()


@router.get("/assessments/{assessment_id}/proposals", response=list[ProposalOut])
def get_proposals(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    assessment = _assessment(request, assessment_id)
    return [
        {**vars(p), "harms": list(p.harms), "factors": list(p.factors)}
        for p in services.proposals(assessment)
    ]


@router.post("/assessments/{assessment_id}/finalise", response=AssessmentOut)
def finalise_assessment(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    assessment = _assessment(request, assessment_id, write=True)
    return _service(
        lambda: services.finalise_assessment(
            actor=_principal(request), assessment=assessment, request=request
        )
    )


@router.post("/assessments/{assessment_id}/plan", response={201: list[ScreeningPlanItemOut]})
def plan_from_proposals(request: HttpRequest, assessment_id: uuid.UUID, payload: PlanIn) -> Any:
    assessment = _assessment(request, assessment_id, write=True)
    items = _service(
        lambda: services.plan_from_proposals(
            actor=_principal(request),
            assessment=assessment,
            response_codes=payload.responses,
            request=request,
        )
    )
    return Status(201, items)
