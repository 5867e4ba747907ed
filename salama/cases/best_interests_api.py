"""A child's best-interests assessments and determinations over the API.

Same conventions as the cases API (`salama.cases.api`): the policy fetches the case (its content:
person.view besides), the service checks the actor again, refusals map to JSON errors. Recording
a determination needs case.approve (supervisors).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from salama.cases import best_interests
from salama.cases.access import access_best_interests_assessment, access_case_best_interests
from salama.cases.best_interests_models import (
    TEXT_LENGTH,
    BestInterestsAssessment,
    BestInterestsDetermination,
    PanelRole,
    Solution,
)
from salama.cases.models import Case
from salama.core.apierrors import call_service
from salama.core.apitypes import Text, Version
from salama.core.policy import request_principal
from salama.core.roles import Perm

router = Router(tags=["cases"])

PanelRoleCode = Literal[tuple(PanelRole.values)]  # type: ignore[valid-type]
SolutionCode = Literal[tuple(Solution.values)]  # type: ignore[valid-type]


def _text() -> Any:
    return Field("", max_length=TEXT_LENGTH)


class BestInterestsAssessmentIn(Schema):
    assessed_on: dt.date
    child_views_heard: bool = False
    views_how: Text = _text()
    safety: Text = _text()
    family: Text = _text()
    health: Text = _text()
    education: Text = _text()
    identity: Text = _text()
    recommendations: Text = _text()
    complete: bool = Field(False, description="Complete it (it can then no longer change).")


class BestInterestsAssessmentChangeIn(BestInterestsAssessmentIn):
    version: Version = Field(description="The version read; a stale one is 409.")


class BestInterestsAssessmentOut(Schema):
    id: uuid.UUID
    version: int
    status: str
    assessed_on: dt.date
    assessed_by: str
    child_views_heard: bool
    views_how: str
    safety: str
    family: str
    health: str
    education: str
    identity: str
    recommendations: str
    completed_at: dt.datetime | None


class BestInterestsDeterminationIn(Schema):
    assessment: uuid.UUID = Field(description="A completed assessment of this case.")
    decided_on: dt.date
    panel: list[PanelRoleCode] = Field(
        min_length=best_interests.MIN_PANEL,
        max_length=best_interests.MAX_PANEL,
        description="The panel's members by role.",
    )
    decision: SolutionCode
    reasons: Text = Field(max_length=TEXT_LENGTH)


class BestInterestsDeterminationOut(Schema):
    id: uuid.UUID
    assessment: uuid.UUID
    decided_on: dt.date
    panel: list[str]
    decision: str
    reasons: str
    recorded_by: str
    created_at: dt.datetime


class BestInterestsOut(Schema):
    case_id: uuid.UUID
    is_child: bool
    assessments: list[BestInterestsAssessmentOut]
    determinations: list[BestInterestsDeterminationOut]


def _assessment_out(a: BestInterestsAssessment) -> dict[str, Any]:
    return {
        "id": a.id,
        "version": a.version,
        "status": a.status,
        "assessed_on": a.assessed_on,
        "assessed_by": a.assessed_by.full_name,
        "child_views_heard": a.child_views_heard,
        **{f: getattr(a, f) for f in BestInterestsAssessment.TEXT_FIELDS},
        "completed_at": a.completed_at,
    }


def _determination_out(d: BestInterestsDetermination) -> dict[str, Any]:
    return {
        "id": d.id,
        "assessment": d.assessment_id,
        "decided_on": d.decided_on,
        "panel": list(d.panel),
        "decision": d.decision,
        "reasons": d.reasons,
        "recorded_by": d.recorded_by.full_name,
        "created_at": d.created_at,
    }


def _input(payload: BestInterestsAssessmentIn) -> best_interests.AssessmentInput:
    return best_interests.AssessmentInput(
        assessed_on=payload.assessed_on,
        child_views_heard=payload.child_views_heard,
        **{f: getattr(payload, f) for f in BestInterestsAssessment.TEXT_FIELDS},
    )


def _attach(case: Case, rows: list[Any]) -> list[Any]:
    for row in rows:
        row.case = case
    return rows


@router.get(
    "/{case_id}/best-interests",
    response=BestInterestsOut,
    summary="A child's best-interests assessments and determinations",
)
def get_best_interests(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    case = access_case_best_interests(request_principal(request), case_id)
    assessments = _attach(case, list(case.best_interests_assessments.select_related("assessed_by")))
    determinations = _attach(
        case, list(case.best_interests_determinations.select_related("recorded_by"))
    )
    return {
        "case_id": case.pk,
        "is_child": best_interests.case_is_for_child(case),
        "assessments": [_assessment_out(a) for a in assessments],
        "determinations": [_determination_out(d) for d in determinations],
    }


@router.post(
    "/{case_id}/best-interests/assessments",
    response={201: BestInterestsAssessmentOut},
    summary="Record a best-interests assessment (children only)",
)
def add_assessment(
    request: HttpRequest, case_id: uuid.UUID, payload: BestInterestsAssessmentIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request)
    case = access_case_best_interests(principal, case_id, for_write=True)
    assessment = call_service(
        lambda: best_interests.record_best_interests_assessment(
            actor=principal,
            case=case,
            data=_input(payload),
            complete=payload.complete,
            request=request,
        )
    )
    return Status(201, _assessment_out(assessment))


@router.put(
    "/{case_id}/best-interests/assessments/{bia_id}",
    response=BestInterestsAssessmentOut,
    summary="Change or complete a draft best-interests assessment",
)
def change_assessment(
    request: HttpRequest,
    case_id: uuid.UUID,
    bia_id: uuid.UUID,
    payload: BestInterestsAssessmentChangeIn,
) -> dict[str, Any]:
    principal = request_principal(request)
    case = access_case_best_interests(principal, case_id, for_write=True)
    assessment = access_best_interests_assessment(case, bia_id)
    call_service(
        lambda: best_interests.change_best_interests_assessment(
            actor=principal,
            assessment=assessment,
            data=_input(payload),
            complete=payload.complete,
            expected_version=payload.version,
            request=request,
        )
    )
    return _assessment_out(assessment)


@router.post(
    "/{case_id}/best-interests/determinations",
    response={201: BestInterestsDeterminationOut},
    summary="Record a panel's best-interests determination (supervisors)",
)
def add_determination(
    request: HttpRequest, case_id: uuid.UUID, payload: BestInterestsDeterminationIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request, Perm.CASE_APPROVE)
    case = access_case_best_interests(principal, case_id, for_write=True)
    assessment = access_best_interests_assessment(case, payload.assessment)
    determination = call_service(
        lambda: best_interests.record_best_interests_determination(
            actor=principal,
            case=case,
            assessment=assessment,
            decided_on=payload.decided_on,
            panel=list(payload.panel),
            decision=payload.decision,
            reasons=payload.reasons,
            request=request,
        )
    )
    return Status(201, _determination_out(determination))
