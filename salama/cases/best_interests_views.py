"""The case page's best-interests forms (posted here, shown by the case page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases import best_interests
from salama.cases.access import access_best_interests_assessment, access_case_best_interests
from salama.cases.best_interests_page import OPEN_HOUSEHOLD, AssessmentForm, DeterminationForm
from salama.cases.models import Case
from salama.cases.views import render_case_page
from salama.core.errors import ConflictError
from salama.core.policy import get_or_404, request_principal
from salama.core.roles import Perm
from salama.people.forms import apply_errors


def _back(case: Case) -> HttpResponse:
    return redirect(f"{case.get_absolute_url()}?open={OPEN_HOUSEHOLD}#household")


def _refused(
    request: HttpRequest, case: Case, bound: dict[str, Any], status: int = 400
) -> HttpResponse:
    return render_case_page(request, request_principal(request), case, bound=bound, status=status)


@login_required
@require_POST
def assessment_add(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    case = access_case_best_interests(principal, case_id, for_write=True)
    form = AssessmentForm(request.POST, prefix="bia")
    if form.is_valid():
        try:
            best_interests.record_best_interests_assessment(
                actor=principal,
                case=case,
                data=form.to_input(),
                complete=form.cleaned_data["complete"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The best-interests assessment was saved."))
            return _back(case)
    return _refused(request, case, {"bia": form})


@login_required
@require_POST
def assessment_change(request: HttpRequest, case_id: str, bia_id: str) -> HttpResponse:
    principal = request_principal(request)
    case = access_case_best_interests(principal, case_id, for_write=True)
    assessment = access_best_interests_assessment(case, bia_id)
    prefix = f"bia-{assessment.pk}"
    form = AssessmentForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            best_interests.change_best_interests_assessment(
                actor=principal,
                assessment=assessment,
                data=form.to_input(),
                complete=form.cleaned_data["complete"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            return render_case_page(
                request,
                principal,
                case,
                errors=exc.messages,
                bound={"open": OPEN_HOUSEHOLD},
                status=409,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The best-interests assessment was saved."))
            return _back(case)
    return _refused(request, case, {prefix: form})


@login_required
@require_POST
def determination_add(request: HttpRequest, case_id: str) -> HttpResponse:
    # Only a supervisor records the panel's decision (a caseworker is refused before anything).
    principal = request_principal(request, Perm.CASE_APPROVE)
    case = access_case_best_interests(principal, case_id, for_write=True)
    completed = list(case.best_interests_assessments.filter(status="completed"))
    form = DeterminationForm(request.POST, completed=completed, prefix="bid")
    if form.is_valid():
        data = form.cleaned_data
        assessment = get_or_404(case.best_interests_assessments.all(), id=data["assessment"])
        assessment.case = case
        try:
            best_interests.record_best_interests_determination(
                actor=principal,
                case=case,
                assessment=assessment,
                decided_on=data["decided_on"],
                panel=data["panel"],
                decision=data["decision"],
                reasons=data["reasons"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The best-interests determination was recorded."))
            return _back(case)
    return _refused(request, case, {"bid": form})
