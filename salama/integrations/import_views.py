"""Bulk import pages: upload → column mapping and preview → check or import (in the background,
its progress polled with HTMX) → the per-row report. Only the uploader sees an import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases.choices import CaseType
from salama.core.policy import Principal, principal_for, require_perm
from salama.core.roles import Perm
from salama.integrations import import_services as imports
from salama.integrations import importing
from salama.integrations.access import access_import, visible_imports
from salama.integrations.import_forms import MappingForm, UploadForm
from salama.integrations.import_models import ImportJob, ImportStatus
from salama.people.choices import Sex

PREVIEW_ROWS = 5


def _importer(request: HttpRequest) -> Principal:
    principal = require_perm(principal_for(request), Perm.PERSON_CREATE)
    return require_perm(principal, Perm.CASE_CREATE)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    principal = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > imports.MAX_UPLOAD_BYTES:
                raise ValidationError({"file": _("The file is larger than 50 MB. Split it.")})
            job = imports.create_import(
                actor=principal,
                file_name=upload.name,
                content=upload.read(),
                default_case_type=form.cleaned_data["default_case_type"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(job)
    jobs = visible_imports(principal).order_by("-created_at")[:20]
    return render(
        request,
        "integrations/import_list.html",
        {"form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )


def _preview(job: ImportJob) -> list[dict[str, Any]]:
    rows = (job.table or {}).get("rows", [])[:PREVIEW_ROWS]
    labels = dict(CaseType.choices)
    sexes = dict(Sex.choices)
    preview = []
    for index, row in enumerate(rows, start=2):
        parsed = importing.row_to_input(job.headers, row, job.mapping, job.default_case_type)
        person = parsed.person
        preview.append(
            {
                "row": index,
                "given_name": person.get("given_name", ""),
                "family_name": person.get("family_name", ""),
                "date_of_birth": person.get("date_of_birth"),
                "estimated_age": person.get("estimated_age"),
                "sex": sexes.get(person.get("sex", ""), ""),
                "nationalities": ", ".join(person.get("nationalities", [])),
                "case_type": labels.get(parsed.case_type, parsed.case_type),
                "errors": parsed.errors,
            }
        )
    return preview


def _detail(request: HttpRequest, job: ImportJob, form: Any = None, status: int = 200) -> Any:
    editable = job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE)
    form = form or MappingForm(headers=job.headers, initial=MappingForm.initial_for(job))
    return render(
        request,
        "integrations/import_detail.html",
        {
            "job": job,
            "form": form,
            "editable": editable,
            "preview": _preview(job) if job.status != ImportStatus.DONE else [],
            "running": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
            "progress": imports.progress(job),
            "report": job.report or {},
        },
        status=status,
    )


@login_required
def import_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    return _detail(request, access_import(_importer(request), job_id))


@login_required
@require_POST
def import_mapping(request: HttpRequest, job_id: str) -> HttpResponse:
    principal = _importer(request)
    job = access_import(principal, job_id)
    form = MappingForm(request.POST, headers=job.headers)
    if form.is_valid():
        try:
            imports.set_import_mapping(
                actor=principal,
                job=job,
                mapping=form.mapping(),
                default_case_type=form.cleaned_data["default_case_type"],
                block_duplicates=form.cleaned_data["block_duplicates"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The mapping was saved. Check the preview below."))
            return redirect(job)
    return _detail(request, job, form, status=400)


@login_required
@require_POST
def import_run(request: HttpRequest, job_id: str) -> HttpResponse:
    principal = _importer(request)
    job = access_import(principal, job_id)
    commit = request.POST.get("commit") == "1"
    try:
        imports.start_import(actor=principal, job=job, commit=commit, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(job)


@login_required
def import_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_import(_importer(request), job_id)
    running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    response = render(
        request,
        "integrations/partials/import_progress.html",
        {"job": job, "running": running, "progress": imports.progress(job)},
    )
    if not running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # finished: show the report
    return response
