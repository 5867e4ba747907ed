"""The cases API: the same policy fetchers and services as the pages, with typed schemas.

Service refusals map to HTTP: ValidationError → 422, ConflictError (stale version) → 409,
PermissionDenied → 403, missing or not yours → 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal, TypeVar

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from salama.accounts.models import User
from salama.cases import queries, services
from salama.cases.access import access_case
from salama.cases.choices import CaseType, ClosureReason, PlanItemStatus, Stage, TaskStatus
from salama.cases.models import (
    Attachment,
    Case,
    CaseNote,
    PlanItem,
    Task,
)
from salama.cases.plan_links import contact_by_id
from salama.cases.queries import CaseSort, CaseStatusFilter
from salama.core.apierrors import call_service
from salama.core.apitypes import NonBlank, Page, Text, Version
from salama.core.downloads import private_file_response
from salama.core.policy import Principal, get_or_404, request_principal, require_perm
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType
from salama.people.access import access_person

_principal = request_principal
_service = call_service

router = Router(tags=["cases"])
T = TypeVar("T")


def _staff(principal: Principal, user_uuid: uuid.UUID | None) -> User | None:
    """A caseworker or supervisor of the caller's organisation, by UUID (422 otherwise)."""
    if user_uuid is None:
        return None
    user = queries.staff_member(principal.organisation, user_uuid)
    if user is None:
        raise HttpError(422, _("No caseworker or supervisor of your organisation has this id."))
    return user


# Schemas -----------------------------------------------------------------------------------


class CaseOut(Schema):
    id: uuid.UUID
    reference: str
    person_id: uuid.UUID
    case_type: str
    stage: str
    version: int
    assigned_to: uuid.UUID | None
    supervisor: uuid.UUID | None
    opened_at: dt.datetime
    stage_changed_at: dt.datetime
    reflection_starts: dt.date | None
    reflection_ends: dt.date | None
    closed_at: dt.datetime | None
    closure_reason: str
    is_child_case: bool
    overdue_tasks: bool = False


class CaseDetailOut(CaseOut):
    summary: str
    allowed_targets: list[str]


class CaseListOut(Schema):
    items: list[CaseOut]
    page: int
    has_next: bool


class CaseIn(Schema):
    person_id: uuid.UUID
    case_type: CaseType
    summary: Text = Field("", max_length=4000)
    assigned_to: uuid.UUID | None = None
    supervisor: uuid.UUID | None = None


class CaseFilters(Schema):
    """The case list's filters, the same as the Cases page's (salama.cases.queries)."""

    status: CaseStatusFilter = Field(
        CaseStatusFilter.OPEN, description="open (the default), closed or all"
    )
    stage: Stage | None = Field(None, description="only cases at this stage")
    case_type: CaseType | None = Field(None, description="only cases of this type")
    assigned: Literal["", "me"] = Field(
        "", description="me: only cases assigned to the caller; empty: every case they may see"
    )
    assignee: uuid.UUID | None = Field(
        None, description="only cases assigned to this member of staff (their user id)"
    )
    reference: str = Field("", max_length=40, description="part of the case reference")
    overdue: bool = Field(False, description="only cases with an open task past its due date")
    sort: CaseSort = Field(
        CaseSort.NEWEST,
        description="-opened_at (newest first, the default), opened_at, -stage_changed_at or "
        "reference; the case id breaks ties",
    )
    page: Page = Field(1, description="50 cases a page; has_next says whether another follows")


class CaseMoveIn(Schema):
    target: Stage
    version: Version


class CloseIn(Schema):
    reason: ClosureReason
    version: Version
    note: Text = Field("", max_length=20000)


class VersionIn(Schema):
    version: Version


class AssignIn(Schema):
    to_user: uuid.UUID


class AssignOut(Schema):
    assigned: bool
    pending_request: uuid.UUID | None = None


class NoteIn(Schema):
    body: NonBlank = Field(max_length=20000)


class NoteOut(Schema):
    id: uuid.UUID
    body: str
    author: str
    created_at: dt.datetime


class TaskIn(Schema):
    title: NonBlank = Field(max_length=300)
    due_on: dt.date | None = None
    assigned_to: uuid.UUID | None = None
    contact: uuid.UUID | None = Field(None, description="The case's contact where it was agreed.")


class TaskOut(Schema):
    id: uuid.UUID
    title: str
    due_on: dt.date | None
    status: str
    overdue: bool
    assigned_to: uuid.UUID | None
    contact_id: uuid.UUID | None = None


class PlanItemIn(Schema):
    goal: Text = Field("", max_length=500)
    action: NonBlank = Field(max_length=1000)
    service_type: ServiceType | Literal[""] = ""
    responsible: uuid.UUID | None = None
    due_on: dt.date | None = None
    contact: uuid.UUID | None = Field(None, description="The case's contact where it was agreed.")


class PlanStatusIn(Schema):
    status: PlanItemStatus


class CasePlanItemOut(Schema):
    id: uuid.UUID
    goal: str
    action: str
    service_type: str
    responsible: uuid.UUID | None
    due_on: dt.date | None
    status: str
    contact_id: uuid.UUID | None = None


class AttachmentOut(Schema):
    id: uuid.UUID
    filename: str
    description: str
    content_type: str
    size: int
    created_at: dt.datetime


def _case_out(case: Case, *, overdue: bool = False) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "person_id": case.person_id,
        "case_type": case.case_type,
        "stage": case.stage,
        "version": case.version,
        "assigned_to": case.assigned_to.uuid if case.assigned_to else None,
        "supervisor": case.supervisor.uuid if case.supervisor else None,
        "opened_at": case.opened_at,
        "stage_changed_at": case.stage_changed_at,
        "reflection_starts": case.reflection_starts,
        "reflection_ends": case.reflection_ends,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "is_child_case": case.is_child_case,
        "overdue_tasks": overdue,
    }


def _detail_out(case: Case) -> dict[str, Any]:
    from salama.cases import rules

    table = rules.load_stage_table()
    erased = case.person.is_erased
    targets = [] if case.is_closed else rules.allowed_targets(table, case.stage, case.case_type)
    return {
        **_case_out(case),
        "summary": "" if erased else case.summary,
        "allowed_targets": targets,
    }


def _task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "due_on": task.due_on,
        "status": task.status,
        "overdue": task.is_overdue(),
        "assigned_to": task.assigned_to.uuid if task.assigned_to else None,
        "contact_id": task.contact_id,
    }


def _plan_out(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "goal": item.shown_goal,
        "action": item.shown_action,
        "service_type": item.service_type,
        "responsible": item.responsible.uuid if item.responsible else None,
        "due_on": item.due_on,
        "status": item.status,
        "contact_id": item.contact_id,
    }


def _note_out(note: CaseNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "body": note.body,
        "author": note.author.full_name,
        "created_at": note.created_at,
    }


def _attachment_out(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "filename": a.filename,
        "description": a.description,
        "content_type": a.content_type,
        "size": a.size,
        "created_at": a.created_at,
    }


def _write_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case: Case = access_case(_principal(request), case_id, for_write=True)
    return case


# Cases -------------------------------------------------------------------------------------


@router.get("/", response=CaseListOut, summary="Cases the caller may see (50 a page, no count)")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The same cases in the same order as the Cases page with the same filters."""
    query = queries.CaseListQuery.from_params(filters.dict(exclude={"page"}))
    listed = queries.case_list_page(_principal(request), query, filters.page)
    return {
        "items": [_case_out(case, overdue=overdue) for case, overdue in listed],
        "page": listed.page.number,
        "has_next": listed.page.has_next(),
    }


@router.post("/", response={201: CaseDetailOut}, summary="Open a case for a person")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    principal = require_perm(_principal(request), Perm.CASE_CREATE)
    person = access_person(principal, payload.person_id)
    assigned_to = _staff(principal, payload.assigned_to)
    supervisor = _staff(principal, payload.supervisor)
    case = _service(
        lambda: services.open_case(
            actor=principal,
            person=person,
            case_type=payload.case_type,
            summary=payload.summary,
            assigned_to=assigned_to,
            supervisor=supervisor,
            request=request,
        )
    )
    return Status(201, _detail_out(case))


@router.get("/{case_id}", response=CaseDetailOut, summary="One case (the view is audited)")
def get_case(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    principal = _principal(request)
    case = access_case(principal, case_id)
    queries.record_case_view(principal, case, request=request)
    return _detail_out(case)


@router.post("/{case_id}/move", response=CaseDetailOut, summary="Move to another stage")
def move_case(request: HttpRequest, case_id: uuid.UUID, payload: CaseMoveIn) -> dict[str, Any]:
    case = _write_case(request, case_id)
    _service(
        lambda: services.move_case(
            actor=_principal(request),
            case=case,
            target=payload.target,
            expected_version=payload.version,
            request=request,
        )
    )
    return _detail_out(case)


@router.post("/{case_id}/close", response=CaseDetailOut, summary="Close with an HTCDS reason")
def close_case(request: HttpRequest, case_id: uuid.UUID, payload: CloseIn) -> dict[str, Any]:
    case = _write_case(request, case_id)
    _service(
        lambda: services.close_case(
            actor=_principal(request),
            case=case,
            reason=payload.reason,
            note=payload.note,
            expected_version=payload.version,
            request=request,
        )
    )
    return _detail_out(case)


@router.post("/{case_id}/reopen", response=CaseDetailOut, summary="Reopen a closed case")
def reopen_case(request: HttpRequest, case_id: uuid.UUID, payload: VersionIn) -> dict[str, Any]:
    case = _write_case(request, case_id)
    _service(
        lambda: services.reopen_case(
            actor=_principal(request), case=case, expected_version=payload.version, request=request
        )
    )
    return _detail_out(case)


@router.post("/{case_id}/assign", response=AssignOut, summary="Assign (or ask to reassign)")
def assign_case(request: HttpRequest, case_id: uuid.UUID, payload: AssignIn) -> dict[str, Any]:
    principal = _principal(request)
    case = _write_case(request, case_id)
    to_user = _staff(principal, payload.to_user)
    assert to_user is not None
    result = _service(
        lambda: services.assign_case(actor=principal, case=case, to_user=to_user, request=request)
    )
    if isinstance(result, Case):
        return {"assigned": True, "pending_request": None}
    return {"assigned": False, "pending_request": result.id}


# Notes, tasks, plan, attachments -------------------------------------------------------------


@router.get("/{case_id}/notes", response=list[NoteOut], summary="Notes, newest first")
def list_notes(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = _principal(request)
    case = access_case(principal, case_id)
    return [_note_out(n) for n in queries.case_notes(principal, case)]


@router.post("/{case_id}/notes", response={201: NoteOut}, summary="Add a note")
def add_note(request: HttpRequest, case_id: uuid.UUID, payload: NoteIn) -> Status[dict[str, Any]]:
    case = _write_case(request, case_id)
    note = _service(
        lambda: services.add_note(
            actor=_principal(request), case=case, body=payload.body, request=request
        )
    )
    return Status(201, _note_out(note))


@router.get("/{case_id}/tasks", response=list[TaskOut], summary="Tasks with overdue flags")
def list_tasks(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    case = access_case(_principal(request), case_id)
    return [_task_out(t) for t in queries.case_tasks(case)]


@router.post("/{case_id}/tasks", response={201: TaskOut}, summary="Add a task")
def add_task(request: HttpRequest, case_id: uuid.UUID, payload: TaskIn) -> Status[dict[str, Any]]:
    principal = _principal(request)
    case = _write_case(request, case_id)
    assignee = _staff(principal, payload.assigned_to)
    task = _service(
        lambda: services.add_task(
            actor=principal,
            case=case,
            title=payload.title,
            due_on=payload.due_on,
            assigned_to=assignee,
            contact=contact_by_id(payload.contact),
            request=request,
        )
    )
    return Status(201, _task_out(task))


@router.post("/{case_id}/tasks/{task_id}/complete", response=TaskOut, summary="Mark a task done")
def complete_task(request: HttpRequest, case_id: uuid.UUID, task_id: uuid.UUID) -> dict[str, Any]:
    case = _write_case(request, case_id)
    task = get_or_404(case.tasks.select_related("assigned_to"), id=task_id)
    task.case = case
    _service(
        lambda: services.set_task_status(
            actor=_principal(request), task=task, status=TaskStatus.DONE, request=request
        )
    )
    return _task_out(task)


@router.get("/{case_id}/plan", response=list[CasePlanItemOut], summary="The case plan")
def list_plan(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    case = access_case(_principal(request), case_id)
    return [_plan_out(i) for i in queries.case_plan(case)]


@router.post("/{case_id}/plan", response={201: CasePlanItemOut}, summary="Add a plan item")
def add_plan_item(
    request: HttpRequest, case_id: uuid.UUID, payload: PlanItemIn
) -> Status[dict[str, Any]]:
    principal = _principal(request)
    case = _write_case(request, case_id)
    responsible = _staff(principal, payload.responsible)
    item = _service(
        lambda: services.add_plan_item(
            actor=principal,
            case=case,
            goal=payload.goal,
            action=payload.action,
            service_type=payload.service_type,
            responsible=responsible,
            due_on=payload.due_on,
            contact=contact_by_id(payload.contact),
            request=request,
        )
    )
    return Status(201, _plan_out(item))


@router.post(
    "/{case_id}/plan/{item_id}/status", response=CasePlanItemOut, summary="Change a plan status"
)
def set_plan_status(
    request: HttpRequest, case_id: uuid.UUID, item_id: uuid.UUID, payload: PlanStatusIn
) -> dict[str, Any]:
    case = _write_case(request, case_id)
    item = get_or_404(case.plan_items.select_related("responsible"), id=item_id)
    item.case = case
    _service(
        lambda: services.set_plan_item_status(
            actor=_principal(request), item=item, status=payload.status, request=request
        )
    )
    return _plan_out(item)


@router.get("/{case_id}/attachments", response=list[AttachmentOut], summary="Attachments")
def list_attachments(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = _principal(request)
    case = access_case(principal, case_id)
    return [_attachment_out(a) for a in queries.case_attachments(principal, case)]


@router.post(
    "/{case_id}/attachments", response={201: AttachmentOut}, summary="Upload an attachment"
)
def add_attachment(
    request: HttpRequest,
    case_id: uuid.UUID,
    file: File[UploadedFile],
    description: Form[Annotated[Text, Field(max_length=500)]] = "",
) -> Status[dict[str, Any]]:
    case = _write_case(request, case_id)
    attachment = _service(
        lambda: services.add_attachment(
            actor=_principal(request),
            case=case,
            upload=file,
            description=description,
            request=request,
        )
    )
    return Status(201, _attachment_out(attachment))


@router.get(
    "/{case_id}/attachments/{attachment_id}/download",
    response={200: None},
    summary="Download an attachment (decrypted; the view is audited)",
)
def download_attachment(
    request: HttpRequest, case_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponse:
    file = queries.read_attachment(_principal(request), case_id, attachment_id, request=request)
    return private_file_response(file.body, file.content_type, file.filename)
