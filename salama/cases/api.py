"""The cases API: the same policy fetchers and services as the pages, with typed schemas.

Service refusals map to HTTP: ValidationError → 422, ConflictError (stale version) → 409,
PermissionDenied → 403, missing or not yours → 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal, TypeVar

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from salama.accounts.models import User
from salama.cases import services
from salama.cases.access import access_case, visible_cases
from salama.cases.choices import CaseType, ClosureReason, PlanItemStatus, Stage, TaskStatus
from salama.cases.models import Attachment, Case, CaseNote, PlanItem, Task
from salama.core import audit
from salama.core.apierrors import auth_principal, call_service
from salama.core.apitypes import NonBlank, Page, Text, Version
from salama.core.pagination import LightPage
from salama.core.policy import Principal, get_or_404, require_perm
from salama.core.roles import Perm, Role
from salama.core.taxonomy import ServiceType
from salama.people.access import access_person

_principal = auth_principal
_service = call_service

router = Router(tags=["cases"])
T = TypeVar("T")
PER_PAGE = 50


def _staff(principal: Principal, user_uuid: uuid.UUID | None) -> User | None:
    """A caseworker or supervisor of the caller's organisation, by UUID (422 otherwise)."""
    if user_uuid is None:
        return None
    user = User.objects.filter(
        uuid=user_uuid,
        memberships__organisation=principal.organisation,
        memberships__role__in=(Role.CASEWORKER, Role.SUPERVISOR),
        memberships__is_active=True,
    ).first()
    if user is None:
        raise HttpError(422, "No caseworker or supervisor of your organisation has this id.")
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
    stage: Stage | None = None
    case_type: CaseType | None = None
    assigned_to_me: bool = False
    closed: bool | None = False
    overdue: bool = False
    page: Page = 1


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


class TaskOut(Schema):
    id: uuid.UUID
    title: str
    due_on: dt.date | None
    status: str
    overdue: bool
    assigned_to: uuid.UUID | None


class PlanItemIn(Schema):
    goal: Text = Field("", max_length=500)
    action: NonBlank = Field(max_length=1000)
    service_type: ServiceType | Literal[""] = ""
    responsible: uuid.UUID | None = None
    due_on: dt.date | None = None


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
    }


def _plan_out(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "goal": item.goal,
        "action": item.action,
        "service_type": item.service_type,
        "responsible": item.responsible.uuid if item.responsible else None,
        "due_on": item.due_on,
        "status": item.status,
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
    principal = require_perm(_principal(request), Perm.CASE_VIEW)
    today = timezone.localdate()
    cases = visible_cases(principal).select_related("assigned_to", "supervisor")
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.case_type:
        cases = cases.filter(case_type=filters.case_type)
    if filters.assigned_to_me:
        cases = cases.filter(assigned_to=principal.user)
    if filters.closed is not None:
        cases = cases.filter(closed_at__isnull=not filters.closed)
    overdue_tasks = Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=today)
    if filters.overdue:
        cases = cases.filter(Exists(overdue_tasks.filter(case=OuterRef("pk"))))
    page: LightPage[Case] = LightPage(cases.order_by("-opened_at", "id"), filters.page, PER_PAGE)
    overdue_ids = set(
        overdue_tasks.filter(case_id__in=[c.pk for c in page]).values_list("case_id", flat=True)
    )
    return {
        "items": [_case_out(c, overdue=c.pk in overdue_ids) for c in page],
        "page": page.number,
        "has_next": page.has_next(),
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
    audit.record(
        "case.view",
        actor=principal.user,
        obj=case,
        organisation=case.organisation_id,
        request=request,
        scope=case,
    )
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
    case = access_case(_principal(request), case_id)
    if case.person.is_erased:
        return []
    return [_note_out(n) for n in case.notes.select_related("author")]


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
    if case.person.is_erased:
        return []
    return [_task_out(t) for t in case.tasks.select_related("assigned_to")]


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
    if case.person.is_erased:
        return []
    return [_plan_out(i) for i in case.plan_items.select_related("responsible")]


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
    case = access_case(_principal(request), case_id)
    if case.person.is_erased:
        return []
    return [_attachment_out(a) for a in case.attachments.all()]


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
    principal = _principal(request)
    case = access_case(principal, case_id)
    attachment = get_or_404(case.attachments.all(), id=attachment_id)
    attachment.case = case
    body = attachment.file.read_plain()
    audit.record(
        "case.attachment_view",
        actor=principal.user,
        obj=attachment,
        organisation=case.organisation_id,
        request=request,
        scope=case,
    )
    response = HttpResponse(body, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
