"""The field-forms API: upload XLSForms and list their versions; list and review submissions.

Form operations need forms.manage (supervisors, organisation administrators); submissions need
what registering a person needs (caseworkers, supervisors). A workbook refused by conversion is a
422 whose ``errors`` hold one message per problem, each naming the sheet, row and column. The
OpenRosa endpoints devices use are not part of this API (see docs/api.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from salama.cases.access import visible_cases
from salama.cases.choices import CaseType
from salama.core.apierrors import call_service
from salama.core.apitypes import NonBlank, Page
from salama.core.policy import get_or_404, request_principal
from salama.core.roles import Perm
from salama.fieldforms import services
from salama.fieldforms.access import (
    REVIEW_PERM,
    access_form,
    access_submission,
    visible_forms,
    visible_submissions,
)
from salama.fieldforms.models import FormVersion, Submission
from salama.fieldforms.xlsform import MAX_XLSFORM_BYTES, XLSFormError
from salama.people.access import visible_people

router = Router(tags=["field forms"])
PAGE_SIZE = 50


class FieldFormVersionOut(Schema):
    id: uuid.UUID
    form_id: str
    version: str
    title: str
    languages: list[str]
    encrypted: bool
    media: list[str]
    questions: list[str]
    mapping: dict[str, str]
    created_at: dt.datetime


class FieldFormOut(Schema):
    id: uuid.UUID
    form_id: str
    title: str
    current_version: str | None


class FieldSubmissionOut(Schema):
    id: uuid.UUID
    form_id: str
    version: str
    status: str
    encrypted: bool
    received_at: dt.datetime
    person_id: uuid.UUID | None
    case_id: uuid.UUID | None


class FieldSubmissionAcceptIn(Schema):
    person_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    case_type: Literal[
        "",
        "trafficking",
        "vulnerable_migrant",
        "stranded_migrant",
        "unaccompanied_child",
        "returnee",
    ] = Field("", description="Open a case of this type (empty: the mapped case type, or none).")


class FieldSubmissionRejectIn(Schema):
    reason: Annotated[NonBlank, Field(max_length=services.MAX_REASON)]


def _version_out(version: FormVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "form_id": version.form.form_id,
        "version": version.version,
        "title": version.form.title,
        "languages": version.languages,
        "encrypted": version.encrypted,
        "media": [m.filename for m in version.media.all()],
        "questions": [q["name"] for q in version.questions],
        "mapping": version.mapping,
        "created_at": version.created_at,
    }


def _submission_out(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "form_id": submission.form_version.form.form_id,
        "version": submission.form_version.version,
        "status": submission.status,
        "encrypted": submission.encrypted,
        "received_at": submission.received_at,
        "person_id": submission.person_id,
        "case_id": submission.case_id,
    }


@router.get("/forms", response=list[FieldFormOut], summary="Field forms of your organisation")
def list_forms(request: HttpRequest) -> list[dict[str, Any]]:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    out = []
    for form in visible_forms(principal):
        current = form.current_version()
        out.append(
            {
                "id": form.pk,
                "form_id": form.form_id,
                "title": form.title,
                "current_version": current.version if current else None,
            }
        )
    return out


@router.post(
    "/forms",
    response={201: FieldFormVersionOut},
    summary="Upload an XLSForm (.xlsx or .xls) as a new form or a new version",
)
def upload_form(
    request: HttpRequest,
    file: File[UploadedFile],
    encrypt: Form[bool] = False,
) -> Status[dict[str, Any]]:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    if file.size and file.size > MAX_XLSFORM_BYTES:
        raise ValidationError({"file": "The workbook is larger than 5 MB."})
    content = file.read()
    try:
        version = call_service(
            lambda: services.upload_form(
                actor=principal,
                content=content,
                filename=(file.name or "form.xlsx")[-200:],
                encrypt=encrypt,
                request=request,
            )
        )
    except XLSFormError as exc:
        raise ValidationError({"file": [str(p) for p in exc.problems]}) from None
    return Status(201, _version_out(version))


@router.get(
    "/forms/{form_id}/versions",
    response=list[FieldFormVersionOut],
    summary="Versions of a field form, newest first",
)
def list_versions(request: HttpRequest, form_id: uuid.UUID) -> list[dict[str, Any]]:
    principal = request_principal(request, Perm.FORMS_MANAGE)
    form = access_form(principal, form_id)
    return [_version_out(v) for v in form.versions.prefetch_related("media")]


@router.get("/submissions", response=list[FieldSubmissionOut], summary="Submissions from devices")
def list_submissions(
    request: HttpRequest,
    status: Literal["received", "accepted", "rejected"] = "received",
    page: Page = 1,
) -> list[dict[str, Any]]:
    principal = request_principal(request, REVIEW_PERM)
    rows = visible_submissions(principal).filter(status=status)
    start = (page - 1) * PAGE_SIZE
    return [_submission_out(s) for s in rows[start : start + PAGE_SIZE]]


@router.post(
    "/submissions/{submission_id}/accept",
    response=FieldSubmissionOut,
    summary="Accept a submission into a new or existing person and case",
)
def accept_submission(
    request: HttpRequest, submission_id: uuid.UUID, payload: FieldSubmissionAcceptIn
) -> dict[str, Any]:
    principal = request_principal(request, REVIEW_PERM)
    submission = access_submission(principal, submission_id)
    person = (
        get_or_404(visible_people(principal), pk=payload.person_id) if payload.person_id else None
    )
    case = get_or_404(visible_cases(principal), pk=payload.case_id) if payload.case_id else None
    if payload.case_type and payload.case_type not in CaseType.values:
        raise ValidationError({"case_type": "Choose a case type from the list."})
    accepted = call_service(
        lambda: services.accept_submission(
            actor=principal,
            submission=submission,
            person=person,
            case=case,
            case_type=payload.case_type,
            request=request,
        )
    )
    return _submission_out(accepted)


@router.post(
    "/submissions/{submission_id}/reject",
    response=FieldSubmissionOut,
    summary="Reject a submission with a reason",
)
def reject_submission(
    request: HttpRequest, submission_id: uuid.UUID, payload: FieldSubmissionRejectIn
) -> dict[str, Any]:
    principal = request_principal(request, REVIEW_PERM)
    submission = access_submission(principal, submission_id)
    rejected = call_service(
        lambda: services.reject_submission(
            actor=principal, submission=submission, reason=payload.reason, request=request
        )
    )
    return _submission_out(rejected)
