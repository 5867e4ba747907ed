"""Field-form pages: forms and their versions, mappings and previews; devices; the review queue.

Form pages are for form managers (forms.manage: supervisors and organisation administrators);
the review queue is for those who register persons (caseworkers and supervisors). Each view
fetches through salama.fieldforms.access (404 for other organisations' records) and makes one
service call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases.access import visible_cases
from salama.cases.choices import CaseType
from salama.core.policy import get_or_404, request_principal
from salama.core.roles import Perm
from salama.fieldforms import collect, services
from salama.fieldforms import mapping as mapping_rules
from salama.fieldforms.access import (
    REVIEW_PERM,
    access_app_user,
    access_form,
    access_submission,
    access_version,
    visible_app_users,
    visible_forms,
    visible_submissions,
)
from salama.fieldforms.models import SubmissionStatus
from salama.fieldforms.xlsform import XLSFormError
from salama.people.access import visible_people
from salama.people.views import reason_labels

MAX_UPLOAD = 5 * 1024 * 1024


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    forms = visible_forms(principal).prefetch_related("versions")
    problems: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("xlsform")
        if upload is None:
            messages.error(request, _("Choose an XLSForm file (.xlsx or .xls) to upload."))
        elif upload.size and upload.size > MAX_UPLOAD:
            messages.error(request, _("The workbook is larger than 5 MB."))
        else:
            media = [(f.name, f.read()) for f in request.FILES.getlist("media")]
            try:
                version = services.upload_form(
                    actor=principal,
                    content=upload.read(),
                    filename=upload.name or "form.xlsx",
                    encrypt=request.POST.get("encrypt") == "on",
                    media=media,
                    request=request,
                )
            except XLSFormError as exc:
                problems = exc.problems
                messages.error(request, _("The form was not uploaded; fix the rows below."))
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request,
                    _("Uploaded “%(form)s” version %(version)s.")
                    % {"form": version.form.title, "version": version.version},
                )
                return redirect("fieldforms:form-detail", form_id=version.form.pk)
    return render(
        request,
        "fieldforms/form_list.html",
        {"forms": forms, "problems": problems},
        status=422 if problems else 200,
    )


@login_required
def form_detail(request: HttpRequest, form_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    form = access_form(principal, form_id)
    versions = list(form.versions.prefetch_related("media"))
    current = versions[0] if versions else None
    preview = None
    if current is not None:
        answers = mapping_rules.example_answers(current.questions)
        preview = mapping_rules.plan(answers, current.mapping)
    return render(
        request,
        "fieldforms/form_detail.html",
        {
            "form": form,
            "versions": versions,
            "current": current,
            "preview": preview,
            "salama_fields": [(k, str(v)) for k, v in mapping_rules.all_targets().items()],
        },
    )


@login_required
@require_POST
def version_mapping(request: HttpRequest, version_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    version = access_version(principal, version_id)
    wanted = {k: request.POST.get(f"map-{k}", "") for k in mapping_rules.all_targets()}
    try:
        services.set_mapping(actor=principal, version=version, mapping=wanted, request=request)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Mapping saved."))
    return redirect("fieldforms:form-detail", form_id=version.form_id)


@login_required
@require_POST
def version_media(request: HttpRequest, version_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    version = access_version(principal, version_id)
    files = request.FILES.getlist("media")
    if not files:
        messages.error(request, _("Choose one or more media files."))
    for upload in files:
        try:
            services.add_media(
                actor=principal,
                version=version,
                filename=upload.name or "",
                content=upload.read(),
                request=request,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": upload.name})
    return redirect("fieldforms:form-detail", form_id=version.form_id)


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    forms = list(visible_forms(principal))
    enrolled = None
    if request.method == "POST":
        chosen = [f for f in forms if str(f.pk) in request.POST.getlist("forms")]
        try:
            app_user, token = services.create_app_user(
                actor=principal, name=request.POST.get("name", ""), forms=chosen, request=request
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            url = collect.server_url(request, token)
            payload = collect.encode_settings(
                collect.collect_settings(url, principal.organisation.name)
            )
            enrolled = {
                "app_user": app_user,
                "server_url": url,
                "qr": collect.qr_data_uri(payload),
                "form_list_url": f"{url}/formList",
            }
    return render(
        request,
        "fieldforms/device_list.html",
        {
            "app_users": visible_app_users(principal).prefetch_related("forms"),
            "forms": forms,
            "enrolled": enrolled,
        },
    )


@login_required
@require_POST
def device_revoke(request: HttpRequest, app_user_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    app_user = access_app_user(principal, app_user_id)
    services.revoke_app_user(actor=principal, app_user=app_user, request=request)
    messages.success(
        request, _("%(name)s can no longer fetch forms or submit.") % {"name": app_user.name}
    )
    return redirect("fieldforms:device-list")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, REVIEW_PERM)
    status = request.GET.get("status", SubmissionStatus.RECEIVED)
    if status not in SubmissionStatus.values:
        status = SubmissionStatus.RECEIVED
    submissions = visible_submissions(principal).filter(status=status)[:200]
    return render(
        request,
        "fieldforms/review_queue.html",
        {"submissions": submissions, "status": status, "statuses": SubmissionStatus.choices},
    )


@login_required
def review_detail(request: HttpRequest, submission_id: Any) -> HttpResponse:
    principal = request_principal(request, REVIEW_PERM)
    submission = access_submission(principal, submission_id)
    try:
        opened = services.open_submission(reviewer=principal, submission=submission)
    except PermissionDenied:
        opened = services.Opened({}, {}, _("You may not open this submission."))
    mapping = submission.form_version.mapping
    result = mapping_rules.plan(opened.answers, mapping) if not opened.error else None
    duplicates = (
        services.duplicates_for(reviewer=principal, answers=opened.answers, mapping=mapping)
        if result is not None and submission.status == SubmissionStatus.RECEIVED
        else []
    )
    rows = answer_rows(
        submission.form_version.questions,
        opened.answers,
        getattr(request, "LANGUAGE_CODE", "en"),
    )
    # The open cases, among those the reviewer may see, of the persons the warning names: the
    # submission can be added to one of them instead of opening another.
    open_cases = (
        visible_cases(principal)
        .filter(person__in=[d.person.pk for d in duplicates], closed_at__isnull=True)
        .select_related("person")
        .order_by("reference")
        if duplicates
        else []
    )
    duplicates = [(d, reason_labels(d.reasons)) for d in duplicates]
    return render(
        request,
        "fieldforms/review_detail.html",
        {
            "submission": submission,
            "opened": opened,
            "rows": rows,
            "plan": result,
            "duplicates": duplicates,
            "case_types": CaseType.choices,
            "open_cases": open_cases,
            "attachments": sorted(opened.attachments),
        },
    )


def _label(labels: dict[str, str], language: str) -> str:
    """The label in the reader's language (XLSForm's "Arabic (ar)" columns), else the first."""
    for name, text in labels.items():
        if name.endswith(f"({language})"):
            return text
    return next(iter(labels.values()), "") if labels else ""


def answer_rows(
    questions: list[dict[str, Any]], answers: dict[str, str], language: str
) -> list[tuple[str, str, str]]:
    """(name, question label, answer) with choice answers shown by their labels."""
    by_name = {q["name"]: q for q in questions}
    rows = []
    for name, value in answers.items():
        question = by_name.get(name, {})
        choices = question.get("choice_labels") or {}
        if choices and value:
            value = ", ".join(_label(choices.get(v, {}), language) or v for v in value.split())
        rows.append((name, _label(question.get("labels", {}), language) or name, value))
    return rows


@login_required
def review_attachment(request: HttpRequest, submission_id: Any, name: str) -> HttpResponse:
    principal = request_principal(request, REVIEW_PERM)
    submission = access_submission(principal, submission_id)
    opened = services.open_submission(reviewer=principal, submission=submission)
    if name not in opened.attachments:
        raise Http404("no such attachment")
    data = opened.attachments[name]
    kind = (
        "image/jpeg"
        if data[:3] == b"\xff\xd8\xff"
        else "image/png"
        if data[:8] == b"\x89PNG\r\n\x1a\n"
        else "application/octet-stream"
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = "inline" if kind.startswith("image/") else "attachment"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def review_accept(request: HttpRequest, submission_id: Any) -> HttpResponse:
    principal = request_principal(request, REVIEW_PERM)
    submission = access_submission(principal, submission_id)
    person = case = None
    if request.POST.get("person"):
        person = get_or_404(visible_people(principal), pk=request.POST["person"])
    if request.POST.get("case"):
        case = get_or_404(visible_cases(principal), pk=request.POST["case"])
    try:
        services.accept_submission(
            actor=principal,
            submission=submission,
            person=person,
            case=case,
            case_type=request.POST.get("case_type", ""),
            request=request,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("fieldforms:review-detail", submission_id=submission.pk)
    submission.refresh_from_db()
    messages.success(request, _("Submission accepted."))
    if submission.case is not None:
        return redirect(submission.case.get_absolute_url())
    assert submission.person is not None
    return redirect(submission.person.get_absolute_url())


@login_required
@require_POST
def review_reject(request: HttpRequest, submission_id: Any) -> HttpResponse:
    principal = request_principal(request, REVIEW_PERM)
    submission = access_submission(principal, submission_id)
    try:
        services.reject_submission(
            actor=principal,
            submission=submission,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("fieldforms:review-detail", submission_id=submission.pk)
    messages.success(request, _("Submission rejected."))
    return redirect("fieldforms:review-queue")
