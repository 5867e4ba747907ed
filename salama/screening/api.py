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
from salama.core.roles import Perm
from salama.screening import explain, queries, services
from salama.screening.access import (
    access_assessment,
    access_decision,
    access_reconsideration,
    access_screening,
)
from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionOutcome,
    DecisionStep,
    Exploitation,
    Harm,
    Polarity,
    Presence,
    ReviewKind,
    ReviewRequester,
)
from salama.screening.models import (
    IdentificationDecision,
    Reconsideration,
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
    step: DecisionStep
    decided_by_org_type: DecidingBody = Field(description="The kind of competent authority.")
    authority_name: NonBlank = Field(max_length=200, description="The competent authority.")
    decided_on: dt.date
    outcome: DecisionOutcome
    legal_basis: Text = Field("", max_length=4000)


class ReconsiderationOut(Schema):
    id: uuid.UUID
    decision_id: uuid.UUID
    kind: str
    requested_on: dt.date
    requested_by: str
    outcome: str
    decided_on: dt.date | None
    new_decision_id: uuid.UUID | None
    recorded_at: dt.datetime


class DecisionOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    step: str
    decided_by_org_type: str
    authority_name: str
    decided_on: dt.date
    outcome: str
    trafficking_status: str = Field(description="The status the decision set; empty if none.")
    referral_id: uuid.UUID | None
    replaces_id: uuid.UUID | None
    overturned: bool
    jurisdiction: str
    deadline_version: str
    due_on: dt.date | None
    not_before: dt.date | None
    late: bool = Field(description="Decided after its deadline.")
    early: bool = Field(description="Decided before the recovery period ended.")
    reconsiderations: list[ReconsiderationOut]
    recorded_at: dt.datetime

    @staticmethod
    def resolve_overturned(obj: IdentificationDecision) -> bool:
        return getattr(obj, "replaced_by", None) is not None

    @staticmethod
    def resolve_reconsiderations(obj: IdentificationDecision) -> list[Reconsideration]:
        return list(obj.reconsiderations.all())


class ReconsiderationIn(Schema):
    kind: ReviewKind
    requested_on: dt.date
    requested_by: ReviewRequester
    grounds: Text = Field("", max_length=4000)


class ReconsiderationOutcomeIn(Schema):
    outcome: Literal["upheld", "overturned"]
    decided_on: dt.date
    legal_basis: Text = Field(
        "", max_length=4000, description="For an overturned decision: the new decision's basis."
    )


class IdentificationReferralIn(Schema):
    referred_on: dt.date
    authority_type: DecidingBody = Field(description="The kind of competent authority.")
    authority_name: NonBlank = Field(max_length=200, description="The competent authority.")


class IdentificationReferralOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    referred_on: dt.date
    authority_type: str
    authority_name: str
    jurisdiction: str
    deadline_version: str
    due_on: dt.date | None = Field(description="The last day for the reasonable-grounds decision.")
    decided_on: dt.date | None = Field(description="When the reasonable-grounds decision came.")
    late: bool
    overdue: bool
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

    @staticmethod
    def resolve_action(obj: Any) -> str:
        return str(obj.shown_action)


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


def _referral_out(row: queries.ReferralRow) -> dict[str, Any]:
    referral = row.referral
    return {
        "id": referral.id,
        "case_id": referral.case_id,
        "referred_on": referral.referred_on,
        "authority_type": referral.authority_type,
        "authority_name": referral.authority_name,
        "jurisdiction": referral.jurisdiction,
        "deadline_version": referral.deadline_version,
        "due_on": referral.due_on,
        "recorded_at": referral.recorded_at,
        "decided_on": row.decision.decided_on if row.decision else None,
        "late": row.timing.late,
        "overdue": row.timing.overdue,
    }


@router.get("/cases/{case_id}/identification-referrals", response=list[IdentificationReferralOut])
def list_identification_referrals(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = access_case(_principal(request), case_id)
    return [_referral_out(row) for row in queries.identification(case).referrals]


@router.post("/cases/{case_id}/identification-referrals", response={201: IdentificationReferralOut})
def create_identification_referral(
    request: HttpRequest, case_id: uuid.UUID, payload: IdentificationReferralIn
) -> Any:
    case = access_case(_principal(request), case_id, for_write=True)
    referral = _service(
        lambda: services.refer_for_identification(
            actor=_principal(request), case=case, request=request, **payload.dict()
        )
    )
    row = next(r for r in queries.identification(case).referrals if r.referral.pk == referral.pk)
    return Status(201, _referral_out(row))


@router.get("/cases/{case_id}/decisions", response=list[DecisionOut])
def list_decisions(request: HttpRequest, case_id: uuid.UUID) -> Any:
    return queries.case_decisions(access_case(_principal(request), case_id))


@router.post("/cases/{case_id}/decisions", response={201: DecisionOut})
def create_decision(request: HttpRequest, case_id: uuid.UUID, payload: DecisionIn) -> Any:
    principal = request_principal(request, Perm.IDENTIFICATION_RECORD)
    case = access_case(principal, case_id, for_write=True)
    decision = _service(
        lambda: services.record_identification_decision(
            actor=principal, case=case, request=request, **payload.dict()
        )
    )
    return Status(201, decision)


@router.post("/decisions/{decision_id}/reconsiderations", response={201: ReconsiderationOut})
def create_reconsideration(
    request: HttpRequest, decision_id: uuid.UUID, payload: ReconsiderationIn
) -> Any:
    principal = request_principal(request, Perm.IDENTIFICATION_RECORD)
    decision = access_decision(principal, decision_id)
    reconsideration = _service(
        lambda: services.request_reconsideration(
            actor=principal, decision=decision, request=request, **payload.dict()
        )
    )
    return Status(201, reconsideration)


@router.post("/reconsiderations/{reconsideration_id}/decide", response=ReconsiderationOut)
def decide_reconsideration(
    request: HttpRequest, reconsideration_id: uuid.UUID, payload: ReconsiderationOutcomeIn
) -> Any:
    principal = request_principal(request, Perm.IDENTIFICATION_RECORD)
    reconsideration = access_reconsideration(principal, reconsideration_id)
    return _service(
        lambda: services.decide_reconsideration(
            actor=principal, reconsideration=reconsideration, request=request, **payload.dict()
        )
    )


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
