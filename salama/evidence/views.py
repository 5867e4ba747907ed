"""Evidence pages: the dashboard, the indicators and the exports.

Each view asks the evidence access rules for the principal's scope (PermissionDenied for a role
with no dashboard), reads through ``figures``/``indicators`` and renders; writes go through the
services in ``exports`` and ``indicators``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from salama.core.downloads import private_file_response
from salama.core.policy import Principal, get_or_404, request_principal, visible
from salama.evidence import charts, exports, figures
from salama.evidence.access import dashboard_scope, has_deployment_view
from salama.evidence.dashboard_models import ExportJob
from salama.evidence.forms import DashboardFilterForm


def organisation_options(principal: Principal) -> tuple[list[tuple[str, str]], dict[str, int]]:
    from salama.accounts.models import Organisation

    rows = list(Organisation.objects.order_by("name").values_list("uuid", "name", "pk"))
    return [(str(u), name) for u, name, _pk in rows], {str(u): pk for u, _name, pk in rows}


def dashboard_filters(
    request: HttpRequest, principal: Principal, data: Any = None
) -> tuple[Any, figures.Filters]:
    """The filter form (from `data`, by default the query string) and the filters it gives."""
    dashboard_scope(principal)  # PermissionDenied before anything is read
    data = (request.GET or None) if data is None else data
    if has_deployment_view(principal):
        options, ids = organisation_options(principal)
        form = DashboardFilterForm(data, organisations=options)
    else:
        ids = None
        form = DashboardFilterForm(data)
    return form, form.filters(ids)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    form, filters = dashboard_filters(request, principal)
    board = figures.build(principal, filters)
    tables = [(table, charts.render(table)) for table in board.tables]
    return render(
        request,
        "evidence/dashboard.html",
        {
            "form": form,
            "board": board,
            "tables": tables,
            "query": request.GET.urlencode(),
        },
    )


# Downloads of dashboard tables ------------------------------------------------------------------


@login_required
def table_download(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    form, filters = dashboard_filters(request, principal)
    try:
        body, content_type, name = exports.export_table(
            actor=principal,
            table=request.GET.get("table", "")[:40],
            fmt=request.GET.get("format", "csv")[:8],
            filters=filters,
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain")
    return private_file_response(body, content_type, name)


# Exports in the background ----------------------------------------------------------------------


def _exports_context(request: HttpRequest, principal: Principal, form: Any) -> dict[str, Any]:
    scope = dashboard_scope(principal)
    return {
        "form": form,
        "jobs": exports.recent_exports(principal),
        "identifying": scope.identifying,
        "ttl_hours": int(exports.EXPORT_TTL.total_seconds() // 3600),
    }


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    form, filters = dashboard_filters(
        request, principal, request.POST if request.method == "POST" else None
    )
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        try:
            job = exports.request_export(actor=principal, dataset="cases", fmt=fmt, filters=filters)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Your export is being prepared; this page shows when it is ready.")
            )
            return redirect(f"{reverse('evidence:exports')}#export-{job.pk}")
    return render(request, "evidence/exports.html", _exports_context(request, principal, form))


@login_required
def export_status(request: HttpRequest, export_id: str) -> HttpResponse:
    principal = request_principal(request)
    dashboard_scope(principal)
    job = get_or_404(visible(principal, ExportJob), pk=export_id)
    response = render(
        request,
        "evidence/partials/_export_row.html",
        {"job": job, "status": exports.export_status(job)},
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def export_download(request: HttpRequest, export_id: str) -> HttpResponse:
    principal = request_principal(request)
    dashboard_scope(principal)
    job = get_or_404(visible(principal, ExportJob), pk=export_id)
    try:
        body, content_type, name = exports.download_export(actor=principal, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence:exports")
    return private_file_response(body, content_type, name)
