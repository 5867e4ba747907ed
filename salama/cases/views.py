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
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salama.cases import exploitation, forms, htcds_sets, queries, rules, services
from salama.cases.access import access_case, access_case_perpetrators, access_perpetrator
from salama.cases.choices import CaseType, PlanItemStatus, ReassignmentStatus, Stage, TaskStatus
from salama.cases.models import Case, ReassignmentRequest
from salama.cases.retention import retention_report
from salama.cases.tasks import run_retention
from salama.core import audit
from salama.core.countries import COUNTRIES
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
        return bound.get(name) or cls(**kwargs)

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
        "tasks": [{"task": t, "overdue": t.is_overdue(today)} for t in queries.case_tasks(case)],
        "plan_items": queries.case_plan(case),
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
        "task_form": form("task", forms.TaskForm, staff=staff),
        "plan_form": form("plan", forms.PlanItemForm, staff=staff),
        "plan_status_choices": PlanItemStatus.choices,
        "task_done": TaskStatus.DONE,
        "task_open": TaskStatus.OPEN,
        **_exploitation_context(request, principal, case, bound),
    }


def _render_detail(
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
    return _render_detail(request, principal, case)


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
    if form.is_valid():
        try:
            call(principal, case, form.cleaned_data)
        except ValidationError as exc:
            # Show the case as it is now (someone else may have changed it), with the reason.
            fresh = access_case(principal, case_id)
            code = 409 if isinstance(exc, ConflictError) else 400
            return _render_detail(request, principal, fresh, errors=exc.messages, status=code)
        messages.success(request, success)
        return redirect(case)
    return _render_detail(request, principal, case, bound={form_name: form}, status=400)


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
        lambda p, case, d: services.close_case(
            actor=p,
            case=case,
            reason=d["reason"],
            note=d["note"],
            expected_version=d["version"],
            request=request,
        ),
        _("The case was closed."),
    )


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


def _tasks_fragment(request: HttpRequest, principal: Principal, case: Case) -> HttpResponse:
    today = timezone.localdate()
    tasks = [{"task": t, "overdue": t.is_overdue(today)} for t in queries.case_tasks(case)]
    context = {
        "case": case,
        "tasks": tasks,
        "task_form": forms.TaskForm(organisation=principal.organisation),
        "can_change": has_perm(principal, Perm.CASE_CHANGE),
        "task_done": TaskStatus.DONE,
        "task_open": TaskStatus.OPEN,
    }
    return render(request, "cases/partials/_tasks.html", context)


@login_required
@require_POST
def case_task_add(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    form = forms.TaskForm(request.POST, organisation=principal.organisation)
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
            request=request,
        ),
        _("The task was added."),
    )
    if request.htmx and response.status_code == 302:  # type: ignore[attr-defined]
        return _tasks_fragment(request, principal, access_case(principal, case_id))
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
        forms.PlanItemForm(request.POST, organisation=principal.organisation),
        lambda p, case, d: services.add_plan_item(
            actor=p,
            case=case,
            goal=d["goal"],
            action=d["action"],
            service_type=d["service_type"],
            responsible=d["responsible"],
            due_on=d["due_on"],
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


# The exploitation record and perpetrators ----------------------------------------------------

# The services name fields as HTCDS does; the forms by their own names.
_RECORD_FIELDS = {name: attr for attr, (name, _set) in exploitation.LISTS.items()} | {
    "vic_DurationOfExploitationMonths": "duration_months"
}
_EVENT_FIELDS = {"hte_Type": "event_type", "hte_Country": "country", "hte_Date": "year"}
_PERPETRATOR_FIELDS = {
    "prs_FirstName": "first_name",
    "prs_SecondName": "second_name",
    "per_Alias": "alias",
    "per_IdentifyingDetails": "identifying_details",
    "per_RoleInProcess": "roles",
    "per_RoleDetails": "role_details",
    "prs_Citizenship": "citizenship",
    "prs_Sex": "sex",
    "per_AgeBand": "age_band",
}
OPEN_EXPLOITATION = "exploitation"


def _errors_onto(form: Form, exc: ValidationError, names: dict[str, str]) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages_ in exc.message_dict.items():
        field = names.get(name)
        form.add_error(field if field in form.fields else None, messages_)


def _event_rows(record: Any) -> list[dict[str, Any]]:
    """The recorded places, and a blank row for each stage still missing plus one more transit
    (so a route of several transits can grow one save at a time)."""
    rows: list[dict[str, Any]] = [
        {
            "event_type": e.event_type,
            "country": e.country,
            "year": e.year,
            "month": e.month,
            "day": e.day,
        }
        for e in (record.events.all() if record else [])
    ]
    recorded = {row["event_type"] for row in rows}
    for stage in exploitation.STAGE_ORDER:
        if stage == "Transit" or stage not in recorded:
            rows.append({"event_type": stage})
    return sorted(rows, key=lambda row: exploitation.STAGE_ORDER[row["event_type"]])


def _country(code: str) -> str:
    return COUNTRIES.get(code, code)


def _record_facts(record: Any) -> list[tuple[Any, list[str]]]:
    """What the record says, field by field, in words."""
    if record is None:
        return []
    labels = forms.ExploitationForm.base_fields
    facts: list[tuple[Any, list[str]]] = []
    for attr, (_name, value_set) in exploitation.LISTS.items():
        values = getattr(record, attr)
        if values:
            facts.append((labels[attr].label, htcds_sets.labels_of(value_set, values)))
    if record.duration_months is not None:
        facts.append(
            (
                _("Duration"),
                [
                    ngettext("%(n)s month", "%(n)s months", record.duration_months)
                    % {"n": record.duration_months}
                ],
            )
        )
    for stage in exploitation.STAGE_ORDER:
        places = [
            f"{_country(e.country)} ({e.date_text})" if e.date_text else _country(e.country)
            for e in record.events.all()
            if e.event_type == stage
        ]
        if places:
            facts.append((htcds_sets.label(htcds_sets.EVENT_TYPE, stage), places))
    return facts


def _perpetrator_facts(p: Any, heading: str) -> list[tuple[Any, str]]:
    facts: list[tuple[Any, str]] = []
    if not p.identity_erased:
        shown_as_heading = heading == p.alias
        for attr, label in (
            ("alias", "" if shown_as_heading else _("Alias")),
            ("identifying_details", _("Identifying details")),
            ("role_details", _("What they did")),
        ):
            if label and getattr(p, attr):
                facts.append((label, getattr(p, attr)))
    if p.roles:
        roles = htcds_sets.labels_of(htcds_sets.ROLE_IN_PROCESS, p.roles)
        facts.append((_("The part they played"), ", ".join(roles)))
    if p.citizenship:
        facts.append((_("Citizenship"), _country(p.citizenship)))
    if p.sex:
        facts.append((_("Sex"), htcds_sets.label(htcds_sets.SEX, p.sex)))
    if p.age_band:
        facts.append((_("Age (years)"), p.age_band))
    return facts


def _perpetrator_prefix(p: Any) -> str:
    return f"p-{p.id}"


# Which form of the section the page shows (?edit=…): the record's, a new perpetrator's or one
# perpetrator's (their id). Forms are rendered only when asked for: each carries menus of 250
# countries, and the case page is read far more often than this section is edited.
EDIT_RECORD = "record"
EDIT_NEW_PERPETRATOR = "new"
_SECTION_FORMS = frozenset({"exploitation", "events", "perpetrator", "open"})


def _exploitation_context(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Any]
) -> dict[str, Any]:
    record = queries.case_exploitation(case)
    can_record = (
        has_perm(principal, Perm.CASE_CHANGE) and not case.is_closed and not case.person.is_erased
    )
    edit = request.GET.get("edit", "") if can_record and request.method == "GET" else ""
    record_form = bound.get("exploitation")
    events = bound.get("events")
    if record_form is None and edit == EDIT_RECORD:
        initial: dict[str, Any] = {"version": record.version if record else 0}
        if record is not None:
            initial |= {attr: getattr(record, attr) for attr in exploitation.LISTS}
            initial["duration_months"] = record.duration_months
        record_form = forms.ExploitationForm(initial=initial)
        events = forms.EventFormSet(initial=_event_rows(record), prefix="event")
    perpetrators = []
    for p in queries.case_perpetrators(principal, case):
        prefix = _perpetrator_prefix(p)
        edit_form = bound.get(prefix)
        if edit_form is None and edit == str(p.id) and not p.identity_erased:
            edit_form = forms.PerpetratorChangeForm(
                initial={**forms.PerpetratorForm.initial_for(p), "version": p.version},
                prefix=prefix,
            )
        name = ""
        if not p.identity_erased:
            name = " ".join(x for x in (p.first_name, p.second_name) if x) or p.alias
        perpetrators.append(
            {
                "perpetrator": p,
                "name": name,
                "facts": _perpetrator_facts(p, name),
                "form": edit_form,
                "remove_form": forms.RemovePerpetratorForm(initial={"version": p.version}),
            }
        )
    new_perpetrator = bound.get("perpetrator")
    if new_perpetrator is None and edit == EDIT_NEW_PERPETRATOR:
        new_perpetrator = forms.PerpetratorForm(prefix="perpetrator")
    return {
        "exploitation": record,
        "exploitation_facts": _record_facts(record),
        "exploitation_open": bool(edit)
        or request.GET.get("open") == OPEN_EXPLOITATION
        or any(key in _SECTION_FORMS or key.startswith("p-") for key in bound),
        "can_record_exploitation": can_record,
        "exploitation_form": record_form,
        "event_formset": events,
        "perpetrators": perpetrators,
        "perpetrator_form": new_perpetrator,
    }


def _back_to_exploitation(case: Case) -> HttpResponse:
    return redirect(f"{case.get_absolute_url()}?open={OPEN_EXPLOITATION}#exploitation")


@login_required
@require_POST
def case_exploitation(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    form = forms.ExploitationForm(request.POST)
    events = forms.EventFormSet(request.POST, prefix="event")
    bound: dict[str, Any] = {"exploitation": form, "events": events}
    if not (form.is_valid() & events.is_valid()):
        return _render_detail(request, principal, case, bound=bound, status=400)
    rows = [(event_form, event_form.to_input()) for event_form in events.forms]
    given = [(event_form, event) for event_form, event in rows if event is not None]
    data = form.cleaned_data
    try:
        exploitation.record_exploitation(
            actor=principal,
            case=case,
            data=exploitation.ExploitationInput(
                **{attr: data[attr] for attr in exploitation.LISTS},
                duration_months=data["duration_months"],
                events=[event for _form, event in given],
            ),
            expected_version=data["version"],
            request=request,
        )
    except ValidationError as exc:
        if not isinstance(exc, ConflictError) and hasattr(exc, "error_dict"):
            # Errors about one place go onto its row.
            rest: dict[str, list[str]] = {}
            for name, messages_ in exc.message_dict.items():
                parts = name.split(".")
                if parts[0] == "hte_Events" and len(parts) == 3 and int(parts[1]) < len(given):
                    event_form = given[int(parts[1])][0]
                    event_form.add_error(_EVENT_FIELDS.get(parts[2]), messages_)
                else:
                    rest[name] = messages_
            exc = ValidationError(rest) if rest else ValidationError([])
        if isinstance(exc, ConflictError):
            return _exploitation_conflict(request, principal, case_id, exc)
        if exc.messages:
            _errors_onto(form, exc, _RECORD_FIELDS)
        return _render_detail(request, principal, case, bound=bound, status=400)
    messages.success(request, _("The exploitation record was saved."))
    return _back_to_exploitation(case)


def _exploitation_conflict(
    request: HttpRequest, principal: Principal, case_id: str, exc: ValidationError
) -> HttpResponse:
    """Someone else saved first: show the record as it is now, open, with the reason."""
    fresh = access_case(principal, case_id)
    return _render_detail(
        request, principal, fresh, errors=exc.messages, bound={"open": None}, status=409
    )


def _perpetrator_action(
    request: HttpRequest,
    case_id: str,
    key: str,
    form: Form,
    call: Any,
    success: str,
) -> HttpResponse:
    """Run one perpetrator service call; on refusal show the case page with the form open."""
    principal = request_principal(request)
    case = access_case_perpetrators(principal, case_id, for_write=True)
    bound: dict[str, Any] = {key: form}
    if not form.is_valid():
        return _render_detail(request, principal, case, bound=bound, status=400)
    try:
        call(principal, case, form)
    except ValidationError as exc:
        if isinstance(exc, ConflictError):
            return _exploitation_conflict(request, principal, case_id, exc)
        if key == "open":  # a form of buttons only: the reason goes above the page
            return _render_detail(
                request, principal, case, errors=exc.messages, bound=bound, status=400
            )
        _errors_onto(form, exc, _PERPETRATOR_FIELDS)
        return _render_detail(request, principal, case, bound=bound, status=400)
    messages.success(request, success)
    return _back_to_exploitation(case)


@login_required
@require_POST
def case_perpetrator_add(request: HttpRequest, case_id: str) -> HttpResponse:
    form = forms.PerpetratorForm(request.POST, prefix="perpetrator")
    return _perpetrator_action(
        request,
        case_id,
        "perpetrator",
        form,
        lambda p, case, f: exploitation.add_perpetrator(
            actor=p, case=case, data=f.to_input(), request=request
        ),
        _("The perpetrator was recorded."),
    )


@login_required
@require_POST
def case_perpetrator_change(
    request: HttpRequest, case_id: str, perpetrator_id: str
) -> HttpResponse:
    principal = request_principal(request)
    case = access_case_perpetrators(principal, case_id, for_write=True)
    perpetrator = access_perpetrator(case, perpetrator_id)
    prefix = _perpetrator_prefix(perpetrator)
    return _perpetrator_action(
        request,
        case_id,
        prefix,
        forms.PerpetratorChangeForm(request.POST, prefix=prefix),
        lambda p, _case, f: exploitation.change_perpetrator(
            actor=p,
            perpetrator=perpetrator,
            data=f.to_input(),
            expected_version=f.cleaned_data["version"],
            request=request,
        ),
        _("The perpetrator record was saved."),
    )


@login_required
@require_POST
def case_perpetrator_remove(
    request: HttpRequest, case_id: str, perpetrator_id: str
) -> HttpResponse:
    principal = request_principal(request)
    case = access_case_perpetrators(principal, case_id, for_write=True)
    perpetrator = access_perpetrator(case, perpetrator_id)
    return _perpetrator_action(
        request,
        case_id,
        "open",
        forms.RemovePerpetratorForm(request.POST),
        lambda p, _case, f: exploitation.remove_perpetrator(
            actor=p,
            perpetrator=perpetrator,
            expected_version=f.cleaned_data["version"],
            request=request,
        ),
        _("The perpetrator was removed and their identity destroyed."),
    )
