"""The bulk import API: upload a table, set the column mapping, check or import, read the report.

The same services as the pages (person.create and case.create; an import is its uploader's
only, another's is 404). Running is a background task: poll GET /imports/{id} for `status`,
`progress` and, when it has finished, `errors` (row, column, what to fix) and `duplicates`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from salama.cases.choices import CaseType
from salama.core.apierrors import call_service
from salama.core.policy import Principal, request_principal, require_perm
from salama.core.roles import Perm
from salama.integrations import import_services as imports
from salama.integrations.access import access_import
from salama.integrations.import_models import ImportJob

router = Router(tags=["imports"])

ImportTarget = Literal[
    "",
    "given_name",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "sex",
    "nationalities",
    "languages",
    "place_of_birth",
    "first_contact_on",
    "case_type",
    "summary",
]
Header = Annotated[str, Field(max_length=200)]


class ImportProblemOut(Schema):
    row: int = Field(description="The row of the file (1 holds the column names).")
    column: str = Field(description="The column at fault; empty when it is the whole row.")
    message: str = Field(description="What to fix, in the uploader's language.")


class ImportDuplicateOut(Schema):
    row: int
    matches: int = Field(description="How many registered persons it looks like.")


class ImportOut(Schema):
    id: uuid.UUID
    file_name: str
    status: str
    headers: list[str]
    mapping: dict[str, str]
    default_case_type: str
    block_duplicates: bool
    row_count: int
    progress: int
    imported: int
    error_rows: int
    duplicate_rows: int
    errors: list[ImportProblemOut]
    duplicates: list[ImportDuplicateOut]
    created_at: dt.datetime
    finished_at: dt.datetime | None
    seconds: float | None


class ImportMappingIn(Schema):
    mapping: dict[Header, ImportTarget] = Field(
        max_length=100, description='Column header → field it fills; "" ignores the column.'
    )
    default_case_type: CaseType
    block_duplicates: bool = False


class ImportRunIn(Schema):
    commit: bool = Field(
        False, description="false: check every row and write nothing; true: import (all or none)."
    )


def _importer(request: HttpRequest) -> Principal:
    return require_perm(
        require_perm(request_principal(request), Perm.PERSON_CREATE), Perm.CASE_CREATE
    )


def _out(job: ImportJob) -> dict[str, Any]:
    report = job.report or {}
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "status": job.status,
        "headers": job.headers,
        "mapping": job.mapping,
        "default_case_type": job.default_case_type,
        "block_duplicates": job.block_duplicates,
        "row_count": job.row_count,
        "progress": imports.progress(job),
        "imported": job.imported,
        "error_rows": job.error_rows,
        "duplicate_rows": job.duplicate_rows,
        "errors": [{"row": r, "column": c, "message": m} for r, c, m in report.get("errors", [])],
        "duplicates": [{"row": r, "matches": n} for r, n in report.get("duplicates", [])],
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "seconds": job.seconds,
    }


@router.post("", response={201: ImportOut}, summary="Upload a CSV or XLSX of persons and cases")
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    default_case_type: Form[CaseType] = CaseType.VULNERABLE_MIGRANT,
) -> Status[dict[str, Any]]:
    principal = _importer(request)
    content = file.read(imports.MAX_UPLOAD_BYTES + 1)
    job = call_service(
        lambda: imports.create_import(
            actor=principal,
            file_name=file.name or "upload.csv",
            content=content,
            default_case_type=str(default_case_type.value),
            request=request,
        )
    )
    return Status(201, _out(job))


@router.get("/{job_id}", response=ImportOut, summary="An import: progress and report")
def get_import(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return _out(access_import(_importer(request), job_id))


@router.put("/{job_id}/mapping", response=ImportOut, summary="Set which field each column fills")
def set_mapping(
    request: HttpRequest, job_id: uuid.UUID, payload: ImportMappingIn
) -> dict[str, Any]:
    principal = _importer(request)
    job = access_import(principal, job_id)
    call_service(
        lambda: imports.set_import_mapping(
            actor=principal,
            job=job,
            mapping=dict(payload.mapping),
            default_case_type=str(payload.default_case_type.value),
            block_duplicates=payload.block_duplicates,
            request=request,
        )
    )
    return _out(job)


@router.post("/{job_id}/run", response={202: ImportOut}, summary="Check or import (background)")
def run(request: HttpRequest, job_id: uuid.UUID, payload: ImportRunIn) -> Status[dict[str, Any]]:
    principal = _importer(request)
    job = access_import(principal, job_id)
    call_service(
        lambda: imports.start_import(
            actor=principal, job=job, commit=payload.commit, request=request
        )
    )
    job.refresh_from_db()
    return Status(202, _out(job))
