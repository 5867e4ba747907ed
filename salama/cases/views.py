"""Case pages: list, open, detail with its forms, attachments and the retention report.

Each view parses its input, fetches through salama.core.policy (404 for missing and not-yours),
makes one service call and renders or redirects. Service refusals (an illegal transition, a stale
version) are shown to the user on the case page, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases import forms, queries, rules, services
from salama.cases.access import access_case
from salama.cases.approval_views import approvals_context
from salama.cases.best_interests_page import best_interests_context
from salama.cases.case_page import FORMS_WITH_TEXT, case_page_context, form_ids, section_url
from salama.cases.choices import CaseType, PlanItemStatus, ReassignmentStatus, Stage, TaskStatus
from salama.cases.exploitation_page import exploitation_context
from salama.cases.models import Case, ReassignmentRequest
from salama.cases.plan_links import plan_links_context
from salama.cases.retention import retention_report
from salama.cases.safety_page import safety_context
from salama.cases.tasks import run_retention
from salama.core import audit
from salama.core import home as core_home
from salama.core.downloads import private_file_response
from salama.core.errors import ConflictError
from salama.core.policy import (
    Principal,
    get_or_404,
    has_perm,
    principal_for,
    request_principal,
    require_perm,
)
from salama.core.roles import Perm
from salama.people.access import access_person

# Case list ---------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    everyone = has_perm(principal, Perm.CASE_VIEW_ALL)
    form = forms.CaseFilterForm(
        request.GET or None, everyone=everyone, organisation=principal.organisation
    )
    query = queries.CaseListQuery.from_params(form.cleaned_data if form.is_valid() else {})
    listed = queries.case_list_page(principal, query, request.GET.get("page"))
    today = timezone.localdate()
    late = listed.late_tasks
    # The labels once per page: get_FOO_display() rebuilds (and translates) every choice per call.
    case_types, stages = dict(CaseType.choices), dict(Stage.choices)
    # Decrypt only the names on this page.
    rows = [
        {
            "case": case,
            "case_type": case_types.get(case.case_type, case.case_type),
            "stage": stages.get(case.stage, case.stage),
            "name": _("(erased)") if case.person.is_erased else case.person.full_name,
            "overdue": overdue,
            **_late_task(late.get(case.pk, []), today, erased=case.person.is_erased),
            "days_left": case.reflection_days_left(today),
        }
        for case, overdue in listed
    ]
    query_string: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    context = {
        "form": form,
        "page": listed.page,
        "rows": rows,
        "query_string": urlencode(query_string),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "cases/partials/_case_table.html", context)
    return render(request, "cases/case_list.html", context)


def _late_task(tasks: list[Any], today: Any, *, erased: bool) -> dict[str, Any]:
    """What the case list says of a case's overdue tasks: the one due longest ago, how late it
    is, and how many more there are."""
    if not tasks:
        return {}
    first = tasks[0]
    return {
        "late_title": "" if erased else first.title,
        "late_when": core_home.due(first.due_on, today),
        "late_more": len(tasks) - 1,
    }


# Opening a case ----------------------------------------------------------------------------


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CASE_CREATE)
    person = access_person(principal, request.GET.get("person") or request.POST.get("person"))
    form = forms.CaseOpenForm(
        request.POST or None,
        organisation=principal.organisation,
        initial={"assigned_to": principal.user.uuid},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                actor=principal,
                person=person,
                case_type=data["case_type"],
                summary=data["summary"],
                assigned_to=data["assigned_to"],
                supervisor=data["supervisor"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Case %(ref)s was opened.") % {"ref": case.reference})
            return redirect(case)
    return render(
        request,
        "cases/case_create.html",
        {"form": form, "person": person, "person_name": person.full_name},
        status=400 if form.errors else 200,
    )


# Case detail -------------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Form] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    prefetch_related_objects([case], "assigned_to", "supervisor")
    org = principal.organisation
    table = rules.load_stage_table()
    erased = case.person.is_erased
    today = timezone.localdate()
    version = {"version": case.version}
    staff = forms.StaffDirectory(org)

    def form(name: str, cls: type[Form], **kwargs: Any) -> Form:
        shown = bound.get(name) or cls(**kwargs)
        shown.auto_id = form_ids(name)
        return shown

    tasks = queries.case_tasks(case)
    plan_items = queries.case_plan(case)
    pending = (
        case.reassignments.filter(status=ReassignmentStatus.PENDING)
        .select_related("to_user", "requested_by")
        .first()
    )
    return {
        "case": case,
        "erased": erased,
        "person": case.person,
        "person_name": "" if erased else case.person.full_name,
        "summary": "" if erased else case.summary,
        "stage_label": Stage(case.stage).label,
        "htcds_status": rules.htcds_status(table, case.stage, case.closure_reason),
        "next_stages": []
        if case.is_closed
        else [
            (s, Stage(s).label) for s in rules.allowed_targets(table, case.stage, case.case_type)
        ],
        # Stages only an event recorded elsewhere (a screening, a referral, a decision) reaches.
        "event_stages": []
        if case.is_closed
        else [Stage(s).label for s in rules.event_targets(table, case.stage, case.case_type)],
        "days_left": case.reflection_days_left(today),
        "can_change": has_perm(principal, Perm.CASE_CHANGE) and not erased,
        "can_assign": has_perm(principal, Perm.CASE_ASSIGN)
        or case.assigned_to_id == principal.user.pk,
        "can_approve": pending is not None
        and has_perm(principal, Perm.CASE_APPROVE)
        and pending.requested_by_id != principal.user.pk,
        "pending": pending,
        "notes": queries.case_notes(principal, case),
        "attachments": queries.case_attachments(principal, case),
        "tasks": [{"task": t, "overdue": t.is_overdue(today)} for t in tasks],
        "plan_items": plan_items,
        "timeline": queries.case_timeline(principal, case),
        "close_form": form("close", forms.CloseForm, initial=version),
        "reopen_form": form("reopen", forms.ReopenForm, initial=version),
        "summary_form": form(
            "summary",
            forms.SummaryForm,
            initial={**version, "summary": "" if erased else case.summary},
        ),
        "assign_form": form("assign", forms.AssignForm, staff=staff),
        "note_form": form("note", forms.NoteForm),
        "attachment_form": form("attachment", forms.AttachmentForm),
        "task_form": form("task", forms.TaskForm, staff=staff, case=case),
        "plan_form": form("plan", forms.PlanItemForm, staff=staff, case=case),
        "plan_status_choices": PlanItemStatus.choices,
        "task_done": TaskStatus.DONE,
        "task_open": TaskStatus.OPEN,
        **exploitation_context(request, principal, case, bound),
        **safety_context(request, principal, case, bound),
        **best_interests_context(request, principal, case, bound),
        **approvals_context(request, principal, case),
        **case_page_context(
            request,
            principal,
            case,
            bound,
            tasks=tasks,
            plan_items=plan_items,
            case_status=rules.htcds_status(table, case.stage, case.closure_reason),
        ),
        **plan_links_context(principal, case),
    }


def render_case_page(
    request: HttpRequest,
    principal: Principal,
    case: Case,
    *,
    errors: list[str] | None = None,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    queries.record_case_view(principal, case, request=request)
    context = _detail_context(request, principal, case, bound)
    context["errors"] = errors or []
    response = render(request, "cases/case_detail.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id)
    return render_case_page(request, principal, case)


def _perform(
    request: HttpRequest,
    case_id: str,
    form_name: str,
    form: Form,
    call: Any,
    success: str,
) -> HttpResponse:
    """Run one service call for a case form; on refusal show the case page with the reason."""
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    form.auto_id = form_ids(form_name)
    if form.is_valid():
        try:
            call(principal, case, form.cleaned_data)
        except ValidationError as exc:
            # Show the case as it is now (someone else may have changed it), with the reason,
            # and the form as it was typed, in its section.
            fresh = access_case(principal, case_id)
            conflict = isinstance(exc, ConflictError)
            if conflict and "version" in form.fields:
                # Saving again after reading the case as it is now is the user's choice.
                form.data = form.data.copy()
                form.data["version"] = str(fresh.version)
            if form_name in FORMS_WITH_TEXT:
                form.add_error(None, exc.messages)
                errors = []
            else:
                errors = exc.messages
            return render_case_page(
                request,
                principal,
                fresh,
                errors=errors,
                bound={form_name: form},
                status=409 if conflict else 400,
            )
        if success:
            messages.success(request, success)
        return redirect(section_url(case, form_name))
    return render_case_page(request, principal, case, bound={form_name: form}, status=400)


@login_required
@require_POST
def case_move(request: HttpRequest, case_id: str) -> HttpResponse:
    return _perform(
        request,
        case_id,
        "move",
        forms.MoveForm(request.POST),
        lambda p, case, d: services.move_case(
            actor=p, case=case, target=d["target"], expected_version=d["version"], request=request
        ),
        _("The stage was changed."),
    )


@login_required
@require_POST
def case_close(request: HttpRequest, case_id: str) -> HttpResponse:
    return _perform(
        request,
        case_id,
        "close",
        forms.CloseForm(request.POST),
        _close_or_ask(request),
        "",
    )


def _close_or_ask(request: HttpRequest) -> Any:
    def call(p: Principal, case: Case, d: dict[str, Any]) -> None:
        services.close_case(
            actor=p,
            case=case,
            reason=d["reason"],
            note=d["note"],
            expected_version=d["version"],
            request=request,
        )
        if case.is_closed:
            messages.success(request, _("The case was closed."))
        else:
            messages.info(
                request,
                _("The closure waits for a supervisor's approval; the case stays open until then."),
            )

    return call


@login_required
@require_POST
def case_reopen(request: HttpRequest, case_id: str) -> HttpResponse:
    return _perform(
        request,
        case_id,
        "reopen",
        forms.ReopenForm(request.POST),
        lambda p, case, d: services.reopen_case(
            actor=p, case=case, expected_version=d["version"], request=request
        ),
        _("The case was reopened."),
    )


@login_required
@require_POST
def case_summary(request: HttpRequest, case_id: str) -> HttpResponse:
    return _perform(
        request,
        case_id,
        "summary",
        forms.SummaryForm(request.POST),
        lambda p, case, d: services.update_summary(
            actor=p, case=case, summary=d["summary"], expected_version=d["version"], request=request
        ),
        _("The summary was saved."),
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)

    def call(p: Principal, case: Case, d: dict[str, Any]) -> None:
        result = services.assign_case(actor=p, case=case, to_user=d["to_user"], request=request)
        if isinstance(result, ReassignmentRequest):
            messages.info(request, _("The reassignment waits for a supervisor's approval."))

    return _perform(
        request,
        case_id,
        "assign",
        forms.AssignForm(request.POST, organisation=principal.organisation),
        call,
        _("The assignment was saved."),
    )


@login_required
@require_POST
def case_reassignment_decide(request: HttpRequest, case_id: str, request_id: str) -> HttpResponse:
    # Decide who may act before looking at the form, so a caseworker learns nothing from it.
    require_perm(principal_for(request), Perm.CASE_APPROVE)

    def call(p: Principal, case: Case, d: dict[str, Any]) -> None:
        pending = get_or_404(case.reassignments.select_related("to_user"), id=request_id)
        services.decide_reassignment(
            actor=p, reassignment=pending, approve=d["approve"], request=request
        )

    return _perform(
        request,
        case_id,
        "decide",
        forms.DecideReassignmentForm(request.POST),
        call,
        _("The reassignment was decided."),
    )


@login_required
@require_POST
def case_note_add(request: HttpRequest, case_id: str) -> HttpResponse:
    return _perform(
        request,
        case_id,
        "note",
        forms.NoteForm(request.POST),
        lambda p, case, d: services.add_note(actor=p, case=case, body=d["body"], request=request),
        _("The note was added."),
    )


@login_required
@require_POST
def case_attachment_add(request: HttpRequest, case_id: str) -> HttpResponse:
    return _perform(
        request,
        case_id,
        "attachment",
        forms.AttachmentForm(request.POST, request.FILES),
        lambda p, case, d: services.add_attachment(
            actor=p, case=case, upload=d["file"], description=d["description"], request=request
        ),
        _("The file was attached."),
    )


@login_required
def attachment_download(request: HttpRequest, case_id: str, attachment_id: str) -> HttpResponse:
    principal = request_principal(request)
    file = queries.read_attachment(principal, case_id, attachment_id, request=request)
    return private_file_response(file.body, file.content_type, file.filename)


def _tasks_fragment(
    request: HttpRequest, principal: Principal, case: Case, form: Form | None = None
) -> HttpResponse:
    today = timezone.localdate()
    tasks = [{"task": t, "overdue": t.is_overdue(today)} for t in queries.case_tasks(case)]
    task_form = form or forms.TaskForm(organisation=principal.organisation, case=case)
    task_form.auto_id = form_ids("task")
    context = {
        "case": case,
        "tasks": tasks,
        "task_form": task_form,
        "can_change": has_perm(principal, Perm.CASE_CHANGE),
        "task_done": TaskStatus.DONE,
        "task_open": TaskStatus.OPEN,
    }
    return render(request, "cases/partials/_tasks.html", context)


@login_required
@require_POST
def case_task_add(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    form = forms.TaskForm(request.POST, organisation=principal.organisation, case=case_id)
    response = _perform(
        request,
        case_id,
        "task",
        form,
        lambda p, case, d: services.add_task(
            actor=p,
            case=case,
            title=d["title"],
            due_on=d["due_on"],
            assigned_to=d["assigned_to"],
            contact=d["contact"],
            request=request,
        ),
        _("The task was added."),
    )
    if request.htmx:  # type: ignore[attr-defined]
        # The list with the new task, or the form as typed with its errors (HTMX swaps only a
        # success, so a refusal is answered as one).
        refused = response.status_code != 302
        return _tasks_fragment(
            request, principal, access_case(principal, case_id), form if refused else None
        )
    return response


@login_required
@require_POST
def case_task_status(request: HttpRequest, case_id: str, task_id: str) -> HttpResponse:
    principal = request_principal(request)

    def call(p: Principal, case: Case, d: dict[str, Any]) -> None:
        task = get_or_404(case.tasks.all(), id=task_id)
        task.case = case
        services.set_task_status(actor=p, task=task, status=d["status"], request=request)

    response = _perform(
        request,
        case_id,
        "task_status",
        forms.TaskStatusForm(request.POST),
        call,
        _("The task was updated."),
    )
    if request.htmx and response.status_code == 302:  # type: ignore[attr-defined]
        return _tasks_fragment(request, principal, access_case(principal, case_id))
    return response


@login_required
@require_POST
def case_plan_add(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    return _perform(
        request,
        case_id,
        "plan",
        forms.PlanItemForm(request.POST, organisation=principal.organisation, case=case_id),
        lambda p, case, d: services.add_plan_item(
            actor=p,
            case=case,
            goal=d["goal"],
            action=d["action"],
            service_type=d["service_type"],
            responsible=d["responsible"],
            due_on=d["due_on"],
            contact=d["contact"],
            request=request,
        ),
        _("The plan item was added."),
    )


@login_required
@require_POST
def case_plan_status(request: HttpRequest, case_id: str, item_id: str) -> HttpResponse:
    def call(p: Principal, case: Case, d: dict[str, Any]) -> None:
        item = get_or_404(case.plan_items.all(), id=item_id)
        item.case = case
        services.set_plan_item_status(actor=p, item=item, status=d["status"], request=request)

    return _perform(
        request,
        case_id,
        "plan_status",
        forms.PlanItemStatusForm(request.POST),
        call,
        _("The plan item was updated."),
    )


# Retention ---------------------------------------------------------------------------------


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.RETENTION_MANAGE)
    items = retention_report(organisation=principal.organisation)
    return render(
        request,
        "cases/retention.html",
        {"items": items, "organisation": principal.organisation},
    )


@login_required
@require_POST
def retention_apply(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.RETENTION_MANAGE)
    organisation = principal.organisation
    if organisation is None:
        raise PermissionDenied
    audit.record(
        "retention.run",
        actor=principal.user,
        obj=organisation,
        organisation=organisation,
        request=request,
    )
    run_retention.enqueue(apply=True, organisation_id=organisation.pk)
    messages.success(
        request,
        _("The erasure run was started for %(org)s. Persons due are erased one by one.")
        % {"org": organisation.name},
    )
    return redirect("cases:retention")
