"""The case page's risk assessment, safety plan and contact forms (posted here, shown by the
case page through salama.cases.safety_page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases import safety
from salama.cases.access import access_case_content
from salama.cases.models import Case
from salama.cases.safety_forms import ContactForm, RiskAssessmentForm, SafetyPlanForm
from salama.cases.safety_page import OPEN_SAFETY
from salama.cases.views import render_case_page
from salama.core.errors import ConflictError
from salama.core.policy import has_perm, request_principal
from salama.core.roles import Perm


def _errors_onto(form: Form, exc: ValidationError) -> None:
    """A service's refusal on the field it names (``plan.actions`` → ``actions``), else above."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages_ in exc.message_dict.items():
        field = name.removeprefix("plan.")
        form.add_error(field if field in form.fields else None, messages_)


def _act(
    request: HttpRequest, case_id: str, key: str, form: Form, call: Any, done: str
) -> HttpResponse:
    """Check the case, validate `form`, run one service call; on refusal show the case page with
    the form open and what was typed kept."""
    principal = request_principal(request)
    case = access_case_content(principal, case_id)
    if not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    bound: dict[str, Any] = {key: form}
    if not form.is_valid():
        return render_case_page(request, principal, case, bound=bound, status=400)
    try:
        call(principal, case, form)
    except ValidationError as exc:
        if isinstance(exc, ConflictError):
            fresh = access_case_content(principal, case_id)
            return render_case_page(
                request, principal, fresh, errors=exc.messages, bound=bound, status=409
            )
        _errors_onto(form, exc)
        return render_case_page(request, principal, case, bound=bound, status=400)
    messages.success(request, done)
    return _back(case)


def _back(case: Case) -> HttpResponse:
    return redirect(f"{case.get_absolute_url()}?open={OPEN_SAFETY}#safety")


@login_required
@require_POST
def case_risk_assess(request: HttpRequest, case_id: str) -> HttpResponse:
    form = RiskAssessmentForm(request.POST)
    return _act(
        request,
        case_id,
        "risk",
        form,
        lambda p, case, f: safety.record_risk_assessment(
            actor=p,
            case=case,
            level=f.cleaned_data["level"],
            risks=f.cleaned_data["risks"],
            notes=f.cleaned_data["notes"],
            request=request,
        ),
        _("The risk assessment was recorded."),
    )


@login_required
@require_POST
def case_safety_plan(request: HttpRequest, case_id: str) -> HttpResponse:
    form = SafetyPlanForm(request.POST)
    return _act(
        request,
        case_id,
        "safety_plan",
        form,
        lambda p, case, f: safety.revise_safety_plan(
            actor=p,
            case=case,
            plan=f.plan_input(),
            expected_revision=f.cleaned_data["revision"],
            request=request,
        ),
        _("The safety plan was saved as a new revision."),
    )


@login_required
@require_POST
def case_contact_log(request: HttpRequest, case_id: str) -> HttpResponse:
    form = ContactForm(request.POST)
    return _act(
        request,
        case_id,
        "contact",
        form,
        lambda p, case, f: safety.log_contact(
            actor=p,
            case=case,
            data=f.to_input(),
            expected_revision=f.cleaned_data["revision"],
            request=request,
        ),
        _("The contact was logged."),
    )
