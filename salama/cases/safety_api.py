"""Risk assessments, the safety plan and the contact log over the API.

Same conventions as the cases API (`salama.cases.api`): the access rules fetch the case (its
content: what is written here is identifying data about the person), the service checks the
actor again, refusals map to JSON errors.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from salama.cases import safety, safety_queries
from salama.cases.access import access_case, access_case_content
from salama.cases.models import Case
from salama.cases.safety_models import (
    Contact,
    ContactMode,
    ContactWith,
    PlanReview,
    Risk,
    RiskAssessment,
    RiskLevel,
    SafetyPlan,
)
from salama.core.apierrors import call_service
from salama.core.apitypes import MAX_INT, Text
from salama.core.policy import has_perm, request_principal
from salama.core.roles import Perm

router = Router(tags=["cases"])

RiskLevelCode = Literal[tuple(RiskLevel.values)]  # type: ignore[valid-type]
RiskCode = Literal[tuple(Risk.values)]  # type: ignore[valid-type]
ContactModeCode = Literal[tuple(ContactMode.values)]  # type: ignore[valid-type]
ContactWithCode = Literal[tuple(ContactWith.values)]  # type: ignore[valid-type]
PlanReviewCode = Literal[tuple(PlanReview.values)]  # type: ignore[valid-type]
# The safety plan revision read: 0 when the case had no plan yet.
Revision = Annotated[int, Field(ge=0, le=MAX_INT)]


def _content(request: HttpRequest, case_id: uuid.UUID, *, for_write: bool = False) -> Case:
    principal = request_principal(request)
    case: Case = access_case_content(principal, case_id)
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return case


# Risk assessments ---------------------------------------------------------------------------


class RiskAssessmentIn(Schema):
    level: RiskLevelCode = Field(description="high, medium or low: sets the review interval.")
    risks: list[RiskCode] = Field(
        default_factory=list,
        max_length=len(Risk.values),
        description="The risks considered (docs/domain.md#risk-and-safety), each once.",
    )
    notes: Text = Field("", max_length=safety.NOTES_LENGTH)


class RiskAssessmentOut(Schema):
    id: uuid.UUID
    level: str
    risks: list[str]
    notes: str = Field(description="Empty unless you may read the person's data (person.view).")
    review_days: int
    next_review_on: dt.date
    review_overdue: bool
    assessed_by: str
    assessed_at: dt.datetime


class RiskAssessmentsOut(Schema):
    current: RiskAssessmentOut | None = Field(description="The latest assessment, or null.")
    history: list[RiskAssessmentOut] = Field(description="Every assessment, newest first.")


def _risk_out(risk: RiskAssessment, *, content: bool) -> dict[str, Any]:
    return {
        "id": risk.id,
        "level": risk.level,
        "risks": risk.risks,
        "notes": risk.notes if content else "",
        "review_days": risk.review_days,
        "next_review_on": risk.next_review_on,
        "review_overdue": risk.review_overdue(),
        "assessed_by": risk.assessed_by.full_name,
        "assessed_at": risk.assessed_at,
    }


@router.get(
    "/{case_id}/risk-assessments",
    response=RiskAssessmentsOut,
    summary="The case's risk assessments: the current one and its history",
)
def list_risk_assessments(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request)
    case = access_case(principal, case_id)
    content = has_perm(principal, Perm.PERSON_VIEW)
    history = [_risk_out(r, content=content) for r in safety_queries.risk_history(case)]
    return {"current": history[0] if history else None, "history": history}


@router.post(
    "/{case_id}/risk-assessments",
    response={201: RiskAssessmentOut},
    summary="Record a risk assessment (it becomes the current one)",
)
def add_risk_assessment(
    request: HttpRequest, case_id: uuid.UUID, payload: RiskAssessmentIn
) -> Status[dict[str, Any]]:
    case = _content(request, case_id, for_write=True)
    risk = call_service(
        lambda: safety.record_risk_assessment(
            actor=request_principal(request),
            case=case,
            level=payload.level,
            risks=payload.risks,
            notes=payload.notes,
            request=request,
        )
    )
    return Status(201, _risk_out(risk, content=True))


# The safety plan -------------------------------------------------------------------------------


class SafetyPlanIn(Schema):
    revision: Revision = Field(
        description="The revision read (0 when the case had no plan yet); a stale one is 409."
    )
    safe_contacts: Text = Field("", max_length=safety.PLAN_FIELD_LENGTH)
    safe_places: Text = Field("", max_length=safety.PLAN_FIELD_LENGTH)
    warning_signs: Text = Field("", max_length=safety.PLAN_FIELD_LENGTH)
    actions: Text = Field("", max_length=safety.PLAN_ACTIONS_LENGTH)


class SafetyPlanOut(Schema):
    case_id: uuid.UUID
    revision: int = Field(description="0 when there is no plan yet.")
    safe_contacts: str
    safe_places: str
    warning_signs: str
    actions: str
    revised_by: str | None
    revised_at: dt.datetime | None
    contact_id: uuid.UUID | None = Field(description="The contact it was revised at, if any.")


def _plan_out(case: Case, plan: SafetyPlan | None) -> dict[str, Any]:
    if plan is None:
        return {
            "case_id": case.id,
            "revision": 0,
            **{name: "" for name in SafetyPlan.TEXT_FIELDS},
            "revised_by": None,
            "revised_at": None,
            "contact_id": None,
        }
    return {
        "case_id": case.id,
        "revision": plan.revision,
        **{name: getattr(plan, name) for name in SafetyPlan.TEXT_FIELDS},
        "revised_by": plan.revised_by.full_name,
        "revised_at": plan.revised_at,
        "contact_id": plan.contact_id,
    }


@router.get(
    "/{case_id}/safety-plan",
    response=SafetyPlanOut,
    summary="The current safety plan (revision 0 when none yet)",
)
def get_safety_plan(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    case = _content(request, case_id)
    revisions = safety_queries.plan_revisions(case)
    return _plan_out(case, revisions[0] if revisions else None)


@router.put(
    "/{case_id}/safety-plan",
    response=SafetyPlanOut,
    summary="Save a new revision of the safety plan",
)
def revise_safety_plan(
    request: HttpRequest, case_id: uuid.UUID, payload: SafetyPlanIn
) -> dict[str, Any]:
    case = _content(request, case_id, for_write=True)
    plan = call_service(
        lambda: safety.revise_safety_plan(
            actor=request_principal(request),
            case=case,
            plan=safety.SafetyPlanInput(
                safe_contacts=payload.safe_contacts,
                safe_places=payload.safe_places,
                warning_signs=payload.warning_signs,
                actions=payload.actions,
            ),
            expected_revision=payload.revision,
            request=request,
        )
    )
    return _plan_out(case, plan)


# The contact log -------------------------------------------------------------------------------


class CaseContactPlanIn(Schema):
    safe_contacts: Text = Field("", max_length=safety.PLAN_FIELD_LENGTH)
    safe_places: Text = Field("", max_length=safety.PLAN_FIELD_LENGTH)
    warning_signs: Text = Field("", max_length=safety.PLAN_FIELD_LENGTH)
    actions: Text = Field("", max_length=safety.PLAN_ACTIONS_LENGTH)


class CaseContactIn(Schema):
    occurred_at: dt.datetime = Field(description="When it took place (not in the future).")
    mode: ContactModeCode
    with_whom: ContactWithCode
    place: Text = Field("", max_length=safety.PLACE_LENGTH)
    summary: Text = Field("", max_length=safety.CONTACT_TEXT_LENGTH)
    agreed: Text = Field("", max_length=safety.CONTACT_TEXT_LENGTH)
    plan_review: PlanReviewCode = Field(
        PlanReview.NOT_REVIEWED.value,
        description="not_reviewed, confirmed (the current plan still holds) or revised (give "
        "plan and revision).",
    )
    plan: CaseContactPlanIn | None = Field(None, description="The revised plan (with revised).")
    revision: Revision | None = Field(
        None, description="The safety plan revision read; a stale one is 409."
    )
    follow_up: Text = Field(
        "", max_length=safety.TASK_TITLE_LENGTH, description="A task agreed at the contact."
    )
    follow_up_due: dt.date | None = None


class CaseContactOut(Schema):
    id: uuid.UUID
    occurred_at: dt.datetime
    mode: str
    with_whom: str
    place: str
    summary: str
    agreed: str
    plan_review: str
    recorded_by: str
    task_ids: list[uuid.UUID] = Field(description="Tasks agreed at this contact.")


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "occurred_at": contact.occurred_at,
        "mode": contact.mode,
        "with_whom": contact.with_whom,
        "place": contact.place,
        "summary": contact.summary,
        "agreed": contact.agreed,
        "plan_review": contact.plan_review,
        "recorded_by": contact.recorded_by.full_name,
        "task_ids": [t.id for t in contact.tasks.all()],
    }


@router.get(
    "/{case_id}/contacts",
    response=list[CaseContactOut],
    summary="The contact log, newest first",
)
def list_contacts(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    case = _content(request, case_id)
    return [_contact_out(c) for c in safety_queries.case_contacts(case, limit=None)]


@router.post(
    "/{case_id}/contacts",
    response={201: CaseContactOut},
    summary="Log a contact (and confirm or revise the safety plan at it)",
)
def add_contact(
    request: HttpRequest, case_id: uuid.UUID, payload: CaseContactIn
) -> Status[dict[str, Any]]:
    case = _content(request, case_id, for_write=True)
    plan = payload.plan
    contact = call_service(
        lambda: safety.log_contact(
            actor=request_principal(request),
            case=case,
            data=safety.ContactInput(
                occurred_at=payload.occurred_at,
                mode=payload.mode,
                with_whom=payload.with_whom,
                place=payload.place,
                summary=payload.summary,
                agreed=payload.agreed,
                plan_review=payload.plan_review,
                plan=safety.SafetyPlanInput(**plan.dict()) if plan is not None else None,
                follow_up=payload.follow_up,
                follow_up_due=payload.follow_up_due,
            ),
            expected_revision=payload.revision,
            request=request,
        )
    )
    contact.case = case
    return Status(201, _contact_out(contact))
