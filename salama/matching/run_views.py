"""Matching pages: duplicate checks (supervisors) and matching agreements (administrators).

Reads go through ``run_access`` (a run or agreement that is not yours is a 404); writes through
the services in ``runs``. The run page polls its progress with HTMX until the run ends.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.core.policy import has_perm, request_principal
from salama.core.roles import Perm
from salama.matching import runs
from salama.matching.run_access import (
    access_agreement,
    access_run,
    visible_agreements,
    visible_runs,
)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not has_perm(principal, Perm.MATCHING_RUN):
        raise PermissionDenied
    if request.method == "POST":
        try:
            run = runs.start_run(
                actor=principal, include_partners=request.POST.get("include_partners") == "on"
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The duplicate check has started."))
            return redirect("matching:run-detail", run_id=run.pk)
    context = {
        "runs": visible_runs(principal).select_related("model", "requested_by")[:20],
        "partners": len(runs.partner_ids(principal.organisation)),
    }
    return render(request, "matching/runs/run_list.html", context)


@login_required
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    principal = request_principal(request)
    run = access_run(principal, run_id)
    return render(request, "matching/runs/run_detail.html", {"run": run})


@login_required
def run_progress(request: HttpRequest, run_id: str) -> HttpResponse:
    principal = request_principal(request)
    run = access_run(principal, run_id)
    response = render(request, "matching/runs/_progress.html", {"run": run})
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    from salama.accounts.models import Organisation

    principal = request_principal(request)
    if not has_perm(principal, Perm.ORG_MANAGE_SETTINGS) or principal.organisation is None:
        raise PermissionDenied
    if request.method == "POST":
        partner = Organisation.objects.filter(uuid=request.POST.get("partner") or None).first()
        try:
            runs.propose_agreement(actor=principal, partner=partner)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request, _("The agreement is proposed; the other side must accept it.")
            )
            return redirect("matching:agreements")
    others = Organisation.objects.exclude(pk=principal.organisation.pk).order_by("name")
    context = {
        "agreements": visible_agreements(principal),
        "organisations": others,
        "own": principal.organisation,
    }
    return render(request, "matching/runs/agreements.html", context)


@login_required
@require_POST
def agreement_accept(request: HttpRequest, agreement_id: str) -> HttpResponse:
    principal = request_principal(request)
    agreement = access_agreement(principal, agreement_id)
    try:
        runs.accept_agreement(actor=principal, agreement=agreement)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The agreement is in force."))
    return redirect("matching:agreements")


@login_required
@require_POST
def agreement_end(request: HttpRequest, agreement_id: str) -> HttpResponse:
    principal = request_principal(request)
    agreement = access_agreement(principal, agreement_id)
    try:
        runs.end_agreement(actor=principal, agreement=agreement)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The agreement has ended."))
    return redirect("matching:agreements")
