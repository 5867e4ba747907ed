"""The indicators page, its CSV (plain or HXL-tagged) and the population upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salama.core.downloads import private_file_response
from salama.core.policy import has_perm, request_principal
from salama.core.roles import Perm
from salama.evidence import indicators as sdg
from salama.evidence.dashboard_models import PopulationFigure
from salama.evidence.forms import PopulationUploadForm
from salama.evidence.views import dashboard_filters


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    form, filters = dashboard_filters(request, principal)
    found = sdg.sdg_16_2_2(principal, filters)
    may_upload = has_perm(principal, Perm.STATS_VIEW) and principal.organisation is not None
    population = (
        PopulationFigure.objects.filter(organisation=principal.organisation).order_by(
            "country", "-year", "sex", "age_band"
        )[:200]
        if principal.organisation is not None
        else []
    )
    return render(
        request,
        "evidence/indicators.html",
        {
            "form": form,
            "indicators": [found, sdg.sdg_10_7_1()],
            "upload_form": PopulationUploadForm() if may_upload else None,
            "population": population,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def indicators_csv(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    _form, filters = dashboard_filters(request, principal)
    body, name = sdg.export_indicator(
        actor=principal, fmt=request.GET.get("format", "csv"), filters=filters
    )
    return private_file_response(body, "text/csv; charset=utf-8", name)


@login_required
@require_POST
def population_upload(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.STATS_VIEW)
    form = PopulationUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file to upload."))
        return redirect("evidence:indicators")
    try:
        stored = sdg.upload_population(actor=principal, data=form.cleaned_data["file"].read())
    except ValidationError as exc:
        messages.error(request, _("Nothing was stored. Correct the file and upload it again:"))
        for message in exc.messages:
            messages.error(request, message)
        return redirect("evidence:indicators")
    messages.success(
        request,
        ngettext("%(n)s population figure stored.", "%(n)s population figures stored.", stored)
        % {"n": stored},
    )
    return redirect("evidence:indicators")
