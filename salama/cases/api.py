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
from salama.cases import exploitation, queries, services
from salama.cases import htcds_sets as exploitation_sets
from salama.cases.access import access_case, access_case_perpetrators, access_perpetrator
from salama.cases.choices import CaseType, ClosureReason, PlanItemStatus, Stage, TaskStatus
from salama.cases.models import (
    Attachment,
    Case,
    CaseNote,
    ExploitationRecord,
    Perpetrator,
    PlanItem,
    Task,
)
from salama.cases.queries import CaseSort, CaseStatusFilter
from salama.core.apierrors import call_service
from salama.core.apitypes import MAX_INT, CountryCode, NonBlank, Page, Text, Version
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


# The exploitation record and perpetrators (HTCDS names) --------------------------------------
# The JSON keys are the HTCDS field names (docs/domain.md#exploitation-record); every code is
# checked against the standard's value set before the service sees it, and again by the service.

_CODES = exploitation_sets.codes
_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"

TypeOfExploitation = Literal[_CODES(exploitation_sets.TYPE_OF_EXPLOITATION)]  # type: ignore[valid-type]
TypeOfSexExploitation = Literal[_CODES(exploitation_sets.TYPE_OF_SEX_EXPLOITATION)]  # type: ignore[valid-type]
ForcedLabourIndustry = Literal[_CODES(exploitation_sets.FORCED_LABOUR_INDUSTRY)]  # type: ignore[valid-type]
MethodOfControl = Literal[_CODES(exploitation_sets.METHODS_OF_CONTROL)]  # type: ignore[valid-type]
MethodOfRecruitment = Literal[_CODES(exploitation_sets.METHOD_OF_RECRUITMENT)]  # type: ignore[valid-type]
WebsiteOrApp = Literal[_CODES(exploitation_sets.RECRUITMENT_WEBSITES)]  # type: ignore[valid-type]
ExploitationWebsiteOrApp = Literal[_CODES(exploitation_sets.EXPLOITATION_WEBSITES)]  # type: ignore[valid-type]
RelationshipToTrafficker = Literal[_CODES(exploitation_sets.RELATIONSHIP_TO_TRAFFICKER)]  # type: ignore[valid-type]
EventType = Literal[_CODES(exploitation_sets.EVENT_TYPE)]  # type: ignore[valid-type]
RoleInProcess = Literal[_CODES(exploitation_sets.ROLE_IN_PROCESS)]  # type: ignore[valid-type]
PerpetratorSex = Literal[(*_CODES(exploitation_sets.SEX), "")]  # type: ignore[valid-type]
PerpetratorAgeBand = Literal[(*_CODES(exploitation_sets.AGE_BAND), "")]  # type: ignore[valid-type]
# A version read: 0 when the case had no exploitation record yet.
RecordVersion = Annotated[int, Field(ge=0, le=MAX_INT)]


def _codes_field(value_set: str, description: str) -> Any:
    count = len(_CODES(value_set))
    return Field(
        default_factory=list,
        max_length=count,
        description=f"{description} Codes of the value set, each once (at most {count}).",
    )


class TraffickingEventIn(Schema):
    hte_Type: EventType = Field(description="HTCDS hte_Type: the stage.")
    hte_Country: CountryCode = Field(description="HTCDS hte_Country, ISO 3166-1 alpha-2.")
    hte_Date: str | None = Field(
        None,
        pattern=_DATE_PATTERN,
        max_length=10,
        description="HTCDS hte_Date to the precision known: YYYY, YYYY-MM or YYYY-MM-DD.",
    )


class TraffickingEventOut(Schema):
    hte_Type: str
    hte_Country: str
    hte_Date: str | None


class ExploitationIn(Schema):
    version: RecordVersion = Field(
        description="The version read (0 when the case had no record yet); a stale one is 409."
    )
    vic_TypeOfExploitation: list[TypeOfExploitation] = _codes_field(
        exploitation_sets.TYPE_OF_EXPLOITATION, "Forms of exploitation experienced."
    )
    vic_TypeOfSexExploitation: list[TypeOfSexExploitation] = _codes_field(
        exploitation_sets.TYPE_OF_SEX_EXPLOITATION,
        "Forms of sexual exploitation (only with SexualExploitation).",
    )
    vic_ForcedLabourIndustry: list[ForcedLabourIndustry] = _codes_field(
        exploitation_sets.FORCED_LABOUR_INDUSTRY, "Industries, as ISIC Rev.4 sections."
    )
    vic_MethodsOfControl: list[MethodOfControl] = _codes_field(
        exploitation_sets.METHODS_OF_CONTROL, "Means used to control the person."
    )
    vic_MethodOfRecruitment: list[MethodOfRecruitment] = _codes_field(
        exploitation_sets.METHOD_OF_RECRUITMENT, "How or where the person was recruited."
    )
    vic_RecruitmentWebsitesAndApps: list[WebsiteOrApp] = _codes_field(
        exploitation_sets.RECRUITMENT_WEBSITES, "Online platforms used to recruit."
    )
    vic_ExploitationWebsitesAndApps: list[ExploitationWebsiteOrApp] = _codes_field(
        exploitation_sets.EXPLOITATION_WEBSITES, "Online platforms used in the exploitation."
    )
    vic_RelationshipToTrafficker: list[RelationshipToTrafficker] = _codes_field(
        exploitation_sets.RELATIONSHIP_TO_TRAFFICKER,
        "Salama's stand-in for the HTCDS field whose values are unpublished: CTDC's recruiter "
        "relations.",
    )
    vic_DurationOfExploitationMonths: int | None = Field(
        None,
        ge=0,
        le=exploitation.MAX_DURATION_MONTHS,
        description="Salama extension: how long the exploitation lasted, in whole months.",
    )
    hte_Events: list[TraffickingEventIn] = Field(
        default_factory=list,
        max_length=exploitation.MAX_EVENTS,
        description="Places and dates of recruitment, transit and exploitation (HTCDS's "
        f"historic trafficking events), at most {exploitation.MAX_EVENTS}.",
    )


class ExploitationOut(Schema):
    case_id: uuid.UUID
    recorded: bool
    version: int
    updated_at: dt.datetime | None
    vic_TypeOfExploitation: list[str]
    vic_TypeOfSexExploitation: list[str]
    vic_ForcedLabourIndustry: list[str]
    vic_MethodsOfControl: list[str]
    vic_MethodOfRecruitment: list[str]
    vic_RecruitmentWebsitesAndApps: list[str]
    vic_ExploitationWebsitesAndApps: list[str]
    vic_RelationshipToTrafficker: list[str]
    vic_DurationOfExploitationMonths: int | None
    hte_Events: list[TraffickingEventOut]


class PerpetratorIn(Schema):
    prs_FirstName: Text = Field("", max_length=exploitation.NAME_LENGTH)
    prs_SecondName: Text = Field("", max_length=exploitation.NAME_LENGTH)
    per_Alias: Text = Field(
        "", max_length=exploitation.NAME_LENGTH, description="Salama extension: alias, nickname."
    )
    per_IdentifyingDetails: Text = Field(
        "",
        max_length=exploitation.DETAILS_LENGTH,
        description="Salama extension: what would identify them (appearance, phone, vehicle).",
    )
    per_RoleInProcess: list[RoleInProcess] = _codes_field(
        exploitation_sets.ROLE_IN_PROCESS, "The part they played."
    )
    per_RoleDetails: Text = Field("", max_length=exploitation.DETAILS_LENGTH)
    prs_Citizenship: CountryCode | Literal[""] = Field("", description="ISO 3166-1 alpha-2.")
    prs_Sex: PerpetratorSex = Field("", description="Salama extension: the registry's sex values.")
    per_AgeBand: PerpetratorAgeBand = Field("", description="Salama extension: CTDC age bands.")


class PerpetratorChangeIn(PerpetratorIn):
    version: Version


class PerpetratorOut(Schema):
    id: uuid.UUID
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    identity_erased: bool = Field(
        description="The identity was destroyed (the person's erasure): the text fields are empty."
    )
    prs_FirstName: str
    prs_SecondName: str
    per_Alias: str
    per_IdentifyingDetails: str
    per_RoleInProcess: list[str]
    per_RoleDetails: str
    prs_Citizenship: str
    prs_Sex: str
    per_AgeBand: str


def _date_parts(text: str | None) -> tuple[int | None, int | None, int | None]:
    if not text:
        return None, None, None
    parts = [int(p) for p in text.split("-")]
    parts += [None] * (3 - len(parts))  # type: ignore[list-item]
    return parts[0], parts[1], parts[2]


def _exploitation_input(payload: ExploitationIn) -> exploitation.ExploitationInput:
    events = [
        exploitation.EventInput(e.hte_Type, str(e.hte_Country), *_date_parts(e.hte_Date))
        for e in payload.hte_Events
    ]
    return exploitation.ExploitationInput(
        types_of_exploitation=payload.vic_TypeOfExploitation,
        types_of_sex_exploitation=payload.vic_TypeOfSexExploitation,
        forced_labour_industries=payload.vic_ForcedLabourIndustry,
        methods_of_control=payload.vic_MethodsOfControl,
        methods_of_recruitment=payload.vic_MethodOfRecruitment,
        recruitment_websites=payload.vic_RecruitmentWebsitesAndApps,
        exploitation_websites=payload.vic_ExploitationWebsitesAndApps,
        relationship_to_trafficker=payload.vic_RelationshipToTrafficker,
        duration_months=payload.vic_DurationOfExploitationMonths,
        events=events,
    )


def _exploitation_out(case: Case, record: ExploitationRecord | None) -> dict[str, Any]:
    if record is None:
        empty: dict[str, Any] = {name: [] for name, _set in exploitation.LISTS.values()}
        return {
            "case_id": case.id,
            "recorded": False,
            "version": 0,
            "updated_at": None,
            **empty,
            "vic_DurationOfExploitationMonths": None,
            "hte_Events": [],
        }
    return {
        "case_id": case.id,
        "recorded": True,
        "version": record.version,
        "updated_at": record.updated_at,
        **{name: getattr(record, attr) for attr, (name, _set) in exploitation.LISTS.items()},
        "vic_DurationOfExploitationMonths": record.duration_months,
        "hte_Events": [
            {"hte_Type": e.event_type, "hte_Country": e.country, "hte_Date": e.date_text or None}
            for e in record.events.all()
        ],
    }


def _perpetrator_input(payload: PerpetratorIn) -> exploitation.PerpetratorInput:
    return exploitation.PerpetratorInput(
        first_name=payload.prs_FirstName,
        second_name=payload.prs_SecondName,
        alias=payload.per_Alias,
        identifying_details=payload.per_IdentifyingDetails,
        roles=payload.per_RoleInProcess,
        role_details=payload.per_RoleDetails,
        citizenship=str(payload.prs_Citizenship),
        sex=payload.prs_Sex,
        age_band=payload.per_AgeBand,
    )


def _perpetrator_out(p: Perpetrator) -> dict[str, Any]:
    erased = p.identity_erased

    def identity(attr: str) -> str:
        return "" if erased else str(getattr(p, attr))

    return {
        "id": p.id,
        "version": p.version,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "identity_erased": erased,
        "prs_FirstName": identity("first_name"),
        "prs_SecondName": identity("second_name"),
        "per_Alias": identity("alias"),
        "per_IdentifyingDetails": identity("identifying_details"),
        "per_RoleInProcess": p.roles,
        "per_RoleDetails": identity("role_details"),
        "prs_Citizenship": p.citizenship,
        "prs_Sex": p.sex,
        "per_AgeBand": p.age_band,
    }


@router.get(
    "/{case_id}/exploitation",
    response=ExploitationOut,
    summary="The exploitation record (HTCDS field names)",
)
def get_exploitation(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    """Version 0 and empty lists when nothing was recorded yet."""
    case = access_case(_principal(request), case_id)
    return _exploitation_out(case, queries.case_exploitation(case))


@router.put(
    "/{case_id}/exploitation",
    response=ExploitationOut,
    summary="Record or replace the exploitation record (HTCDS field names)",
)
def put_exploitation(
    request: HttpRequest, case_id: uuid.UUID, payload: ExploitationIn
) -> dict[str, Any]:
    """The whole record: a field left out is emptied. Send the version read (0 for a new one)."""
    case = _write_case(request, case_id)
    _service(
        lambda: exploitation.record_exploitation(
            actor=_principal(request),
            case=case,
            data=_exploitation_input(payload),
            expected_version=payload.version,
            request=request,
        )
    )
    return _exploitation_out(case, queries.case_exploitation(case))


@router.get(
    "/{case_id}/perpetrators",
    response=list[PerpetratorOut],
    summary="Perpetrators named in the case (needs person.view)",
)
def list_perpetrators(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = _principal(request)
    case = access_case_perpetrators(principal, case_id)
    return [_perpetrator_out(p) for p in queries.case_perpetrators(principal, case)]


@router.post(
    "/{case_id}/perpetrators",
    response={201: PerpetratorOut},
    summary="Record a perpetrator (identity encrypted under a key of its own)",
)
def add_perpetrator(
    request: HttpRequest, case_id: uuid.UUID, payload: PerpetratorIn
) -> Status[dict[str, Any]]:
    principal = _principal(request)
    case = access_case_perpetrators(principal, case_id, for_write=True)
    perpetrator = _service(
        lambda: exploitation.add_perpetrator(
            actor=principal, case=case, data=_perpetrator_input(payload), request=request
        )
    )
    return Status(201, _perpetrator_out(perpetrator))


@router.get(
    "/{case_id}/perpetrators/{perpetrator_id}",
    response=PerpetratorOut,
    summary="One perpetrator",
)
def get_perpetrator(
    request: HttpRequest, case_id: uuid.UUID, perpetrator_id: uuid.UUID
) -> dict[str, Any]:
    case = access_case_perpetrators(_principal(request), case_id)
    return _perpetrator_out(access_perpetrator(case, perpetrator_id))


@router.put(
    "/{case_id}/perpetrators/{perpetrator_id}",
    response=PerpetratorOut,
    summary="Replace what is recorded about a perpetrator",
)
def change_perpetrator(
    request: HttpRequest,
    case_id: uuid.UUID,
    perpetrator_id: uuid.UUID,
    payload: PerpetratorChangeIn,
) -> dict[str, Any]:
    principal = _principal(request)
    case = access_case_perpetrators(principal, case_id, for_write=True)
    perpetrator = access_perpetrator(case, perpetrator_id)
    _service(
        lambda: exploitation.change_perpetrator(
            actor=principal,
            perpetrator=perpetrator,
            data=_perpetrator_input(payload),
            expected_version=payload.version,
            request=request,
        )
    )
    return _perpetrator_out(perpetrator)


@router.delete(
    "/{case_id}/perpetrators/{perpetrator_id}",
    response={204: None},
    summary="Remove a perpetrator recorded in error (their key is destroyed)",
)
def remove_perpetrator(
    request: HttpRequest,
    case_id: uuid.UUID,
    perpetrator_id: uuid.UUID,
    version: Query[Version],
) -> Status[None]:
    principal = _principal(request)
    case = access_case_perpetrators(principal, case_id, for_write=True)
    perpetrator = access_perpetrator(case, perpetrator_id)
    _service(
        lambda: exploitation.remove_perpetrator(
            actor=principal, perpetrator=perpetrator, expected_version=version, request=request
        )
    )
    return Status(204, None)
