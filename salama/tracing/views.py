"""Pages of family tracing: the list, the request form and page, the match page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases.access import access_case
from salama.core.pagination import LightPage
from salama.core.policy import request_principal
from salama.core.roles import Perm
from salama.tracing import queries, services
from salama.tracing.access import access_match, access_request
from salama.tracing.choices import RequestStatus
from salama.tracing.forms import CloseForm, RequestForm, StepForm


def _errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.CASE_VIEW, Perm.PERSON_VIEW)
    status = request.GET.get("status", "")
    if status not in RequestStatus.values:
        status = ""
    page: LightPage[Any] = LightPage(
        queries.request_rows(principal, status), request.GET.get("page"), per_page=50
    )
    return render(
        request,
        "tracing/request_list.html",
        {
            "page": page,
            "statuses": RequestStatus.choices,
            "status": status,
            "waiting": queries.waiting_matches(principal),
        },
    )


@login_required
def request_new(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    case = access_case(principal, case_id, for_write=True)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_request(
                actor=principal, case=case, request=request, **form.service_kwargs()
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Tracing request opened."))
            return redirect(created.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "tracing/request_form.html", {"form": form, "case": case}, status=status)


@login_required
def request_detail(request: HttpRequest, tracing_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    tracing_request = access_request(principal, tracing_id)
    return _detail(request, principal, tracing_request)


def _detail(
    request: HttpRequest,
    principal: Any,
    tracing_request: Any,
    *,
    edit_form: RequestForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_change = principal.permissions >= {Perm.CASE_CHANGE} and tracing_request.is_open
    initial = {
        "sought_given_name": tracing_request.sought_given_name,
        "sought_family_name": tracing_request.sought_family_name,
        "sought_other_names": "\n".join(tracing_request.sought_other_names or []),
        "relationship": tracing_request.relationship,
        "sought_sex": tracing_request.sought_sex,
        "sought_age": tracing_request.sought_age,
        "sought_birth_year": tracing_request.sought_birth_year,
        "separation_place": tracing_request.separation_place,
        "separation_year": tracing_request.separation_year,
        "separation_month": tracing_request.separation_month,
        "version": tracing_request.version,
    }
    return render(
        request,
        "tracing/request_detail.html",
        {
            "tr": tracing_request,
            "case": tracing_request.case,
            "matches": queries.request_matches(principal, tracing_request),
            "can_change": can_change,
            "edit_form": edit_form or RequestForm(initial=initial),
            "close_form": close_form or CloseForm(initial={"version": tracing_request.version}),
        },
        status=status,
    )


@login_required
@require_POST
def request_edit(request: HttpRequest, tracing_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    tracing_request = access_request(principal, tracing_id)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.update_request(
                actor=principal,
                tracing_request=tracing_request,
                version=form.cleaned_data.get("version") or 0,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Saved; matching ran again."))
            return redirect(tracing_request.get_absolute_url())
    fresh = access_request(principal, tracing_id)
    return _detail(request, principal, fresh, edit_form=form, status=400)


@login_required
@require_POST
def request_close(request: HttpRequest, tracing_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    tracing_request = access_request(principal, tracing_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_request(
                actor=principal,
                tracing_request=tracing_request,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                request=request,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Tracing request closed."))
            return redirect(tracing_request.get_absolute_url())
    fresh = access_request(principal, tracing_id)
    return _detail(request, principal, fresh, close_form=form, status=400)


def _match_page(
    request: HttpRequest, principal: Any, match: Any, step_form: StepForm | None, status: int
) -> HttpResponse:
    view = queries.match_view(principal, match)
    return render(
        request,
        "tracing/match_detail.html",
        {
            "view": view,
            "match": match,
            "step_form": step_form or StepForm(),
            "can_change": Perm.CASE_CHANGE in principal.permissions,
        },
        status=status,
    )


@login_required
def match_detail(request: HttpRequest, match_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    return _match_page(request, principal, access_match(principal, match_id), None, 200)


@login_required
@require_POST
def match_decide(request: HttpRequest, match_id: Any, decision: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    match = access_match(principal, match_id)
    call = services.confirm_match if decision == "confirm" else services.reject_match
    try:
        call(actor=principal, match=match, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Match confirmed for your side.") if decision == "confirm" else _("Match rejected."),
        )
    return redirect(match.get_absolute_url())


@login_required
@require_POST
def match_step(request: HttpRequest, match_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    match = access_match(principal, match_id)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.add_reunification_step(
                actor=principal,
                match=match,
                step=form.cleaned_data["step"],
                happened_on=form.cleaned_data["happened_on"],
                request=request,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Step recorded."))
            return redirect(match.get_absolute_url())
    return _match_page(request, principal, access_match(principal, match_id), form, 400)
