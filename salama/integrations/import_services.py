"""Bulk import of persons and cases: upload, map the columns, check, import (all or nothing).

Every row is first checked by the rules of ``register_person`` and ``open_case`` without a
query per row (``import_batch.check_rows``): a refused row is reported (row number, column,
what to fix, in the importer's language) and, if any row was refused, nothing is imported. A
check stops there. The whole file is also matched against the records the importer can see
in one look-up (``import_batch.duplicate_counts``); a likely duplicate is reported and, if the
import asks for it, refused. Then ``_commit_rows`` writes every row in one transaction with
bulk statements, creating what the services create row by row (``import_batch.write_rows``).
Progress is counted in the cache, so a page can poll it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salama.accounts.models import Membership
from salama.cases.choices import CaseType
from salama.core import audit
from salama.core.models import DataKey
from salama.core.policy import Principal, ensure, require_perm
from salama.core.roles import Perm
from salama.integrations import importing
from salama.integrations.import_models import ImportJob, ImportStatus

IMPORT_PERMS = (Perm.PERSON_CREATE, Perm.CASE_CREATE)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
REPORT_LIMIT = 1000  # problems listed; the counts are always complete
PROGRESS_EVERY = 200


def _require_importer(actor: Principal) -> None:
    for perm in IMPORT_PERMS:
        require_perm(actor, perm)
    if actor.organisation is None:
        raise PermissionDenied


def ensure_import(actor: Principal, job: ImportJob) -> None:
    from salama.integrations.access import visible_imports

    ensure(actor, job, *IMPORT_PERMS, rule=visible_imports)


@transaction.atomic
def create_import(
    *,
    actor: Principal,
    file_name: str,
    content: bytes,
    default_case_type: str = CaseType.VULNERABLE_MIGRANT,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Read an uploaded table and keep it (encrypted) with a guessed column mapping."""
    _require_importer(actor)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 50 MB. Split it.")})
    if default_case_type not in CaseType.values:
        raise ValidationError({"default_case_type": _("Choose a case type from the list.")})
    try:
        table = importing.read_table(file_name, content)
    except importing.FileRefused as exc:
        raise ValidationError({"file": str(exc)}) from None
    key = DataKey.new()
    key.save()
    job = ImportJob(
        organisation=actor.organisation,
        created_by=actor.user,
        data_key=key,
        file_name=file_name[:200],
        headers=table.headers,
        row_count=len(table.rows),
        mapping=importing.guess_mapping(table.headers),
        default_case_type=default_case_type,
    )
    job.table = {"rows": table.rows}
    job.save()
    audit.record(
        "import.upload",
        actor=actor.user,
        obj=job,
        organisation=actor.organisation,
        fields=["table"],
        changes={"rows": (None, job.row_count), "columns": (None, len(table.headers))},
        request=request,
    )
    return job


@transaction.atomic
def set_import_mapping(
    *,
    actor: Principal,
    job: ImportJob,
    mapping: Mapping[str, str],
    default_case_type: str,
    block_duplicates: bool = False,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Say which field each column fills ("" ignores it); each field from one column at most."""
    ensure_import(actor, job)
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE):
        raise ValidationError(_("This import has started or finished; its mapping is fixed."))
    unknown = [h for h in mapping if h not in job.headers]
    if unknown:
        raise ValidationError(
            {"mapping": _("These columns are not in the file: %(c)s.") % {"c": ", ".join(unknown)}}
        )
    clean = {h: mapping.get(h, "") for h in job.headers}
    bad = [t for t in clean.values() if t and t not in importing.TARGETS]
    if bad:
        raise ValidationError(
            {"mapping": _("These fields are not known: %(f)s.") % {"f": ", ".join(bad)}}
        )
    chosen = [t for t in clean.values() if t]
    if len(chosen) != len(set(chosen)):
        raise ValidationError({"mapping": _("Map each field from one column only.")})
    if "given_name" not in chosen and "family_name" not in chosen:
        raise ValidationError({"mapping": _("Map a column to the given name or the family name.")})
    if default_case_type not in CaseType.values:
        raise ValidationError({"default_case_type": _("Choose a case type from the list.")})
    job.mapping = clean
    job.default_case_type = default_case_type
    job.block_duplicates = block_duplicates
    job.status = ImportStatus.MAPPING
    job.save(update_fields=["mapping", "default_case_type", "block_duplicates", "status"])
    audit.record(
        "import.map",
        actor=actor.user,
        obj=job,
        organisation=job.organisation,
        changes={
            "mapping": (None, sorted(set(chosen))),
            "block_duplicates": (None, block_duplicates),
        },
        request=request,
    )
    return job


@transaction.atomic
def start_import(
    *,
    actor: Principal,
    job: ImportJob,
    commit: bool,
    background: bool = True,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Queue a check (commit=False) or the import itself (commit=True) as a background task
    (background=False: the caller runs ``run_import`` itself, as the command line does)."""
    from salama.integrations.tasks import run_import_task

    ensure_import(actor, job)
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise ValidationError(_("This import is already running."))
    if job.status == ImportStatus.DONE:
        raise ValidationError(_("This file was imported already."))
    job.status = ImportStatus.QUEUED
    job.commit = commit
    job.save(update_fields=["status", "commit"])
    cache.set(progress_key(job), 0, timeout=24 * 3600)
    audit.record(
        "import.start",
        actor=actor.user,
        obj=job,
        organisation=job.organisation,
        changes={"commit": (None, commit)},
        request=request,
    )
    job_id = str(job.pk)
    if background:
        transaction.on_commit(lambda: run_import_task.enqueue(job_id))
    return job


def progress_key(job: ImportJob) -> str:
    return f"salama-import-progress:{job.pk}"


def progress(job: ImportJob) -> int:
    if job.status in (ImportStatus.DONE, ImportStatus.CHECKED, ImportStatus.INVALID):
        return job.row_count
    return int(cache.get(progress_key(job)) or 0)


def _importer(job: ImportJob) -> Principal | None:
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=job.created_by, organisation=job.organisation, is_active=True)
        .first()
    )
    if membership is None:
        return None
    return Principal(user=membership.user, membership=membership, verified=True)


def run_import(job_id: str) -> str:
    """The background run: check every row, and import them all if `job.commit` and none failed."""
    job = ImportJob.objects.select_related("created_by", "organisation").get(pk=job_id)
    actor = _importer(job)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:  # run already, or by another worker
        return str(job.status)
    language = job.created_by.preferred_language or None
    started = time.monotonic()
    with translation.override(language):
        if actor is None or not all(p in actor.permissions for p in IMPORT_PERMS):
            errors = [[0, "", _("You may no longer register persons and open cases here.")]]
            return _finish(job, ImportStatus.FAILED, errors, [], 0, started)
        try:
            errors, duplicates, imported = _run_rows(job, actor)
        except Exception:
            _finish(
                job,
                ImportStatus.FAILED,
                [[0, "", _("An unexpected error stopped the import.")]],
                [],
                0,
                started,
            )
            raise
    if errors:
        return _finish(job, ImportStatus.INVALID, errors, duplicates, 0, started)
    status = ImportStatus.DONE if job.commit else ImportStatus.CHECKED
    return _finish(job, status, [], duplicates, imported if job.commit else 0, started)


def _run_rows(job: ImportJob, actor: Principal) -> tuple[list[Any], list[Any], int]:
    """Check every row (no query per row), look the whole file up for duplicates, then write
    every row in one transaction with bulk statements (``import_batch``); nothing is written
    when a row is refused or the run is a check."""
    from salama.integrations import import_batch

    rows: list[list[str]] = (job.table or {}).get("rows", [])
    key = progress_key(job)
    checked = import_batch.check_rows(
        job.headers,
        rows,
        job.mapping,
        job.default_case_type,
        progress=lambda done: cache.set(key, done // 2, timeout=24 * 3600),
        every=PROGRESS_EVERY * 5,
    )
    problems = checked.problems
    refused = import_batch.importer_problem(actor)
    if refused:
        for row in checked.rows:
            problems[row.index] = [("", refused)]
    duplicates_by_row = import_batch.duplicate_counts(actor, checked.rows)
    if job.block_duplicates:
        for index in duplicates_by_row:
            problems.setdefault(index, []).append(
                ("", _("This person looks like someone already registered."))
            )
    duplicates = [[index, count] for index, count in sorted(duplicates_by_row.items())]
    errors: list[list[Any]] = []
    for index in sorted(problems):
        for column, message in problems[index]:
            if len(errors) < REPORT_LIMIT:
                errors.append([index, column, str(message)])
    job.error_rows = len(problems)
    cache.set(key, len(rows) // 2, timeout=24 * 3600)
    if errors or not job.commit:
        return errors, duplicates, 0
    imported = _commit_rows(actor, checked.rows)
    return errors, duplicates, imported


def _commit_rows(actor: Principal, rows: list[Any]) -> int:
    """The import's commit: every checked row written in one transaction, or none."""
    from salama.integrations import import_batch

    with import_batch.large_page_cache(), transaction.atomic():
        import_batch.write_rows(actor, rows)
    return len(rows)


def _finish(
    job: ImportJob,
    status: str,
    errors: list[Any],
    duplicates: list[Any],
    imported: int,
    started: float,
) -> str:
    with transaction.atomic():
        job.status = status
        job.report = {"errors": errors, "duplicates": duplicates[:REPORT_LIMIT]}
        job.error_rows = job.error_rows if errors else 0
        if status == ImportStatus.FAILED:
            job.error_rows = max(job.error_rows, 1)
        job.duplicate_rows = len(duplicates)
        job.imported = imported
        job.finished_at = timezone.now()
        job.seconds = round(time.monotonic() - started, 2)
        fields = [
            "status",
            "report",
            "error_rows",
            "duplicate_rows",
            "imported",
            "finished_at",
            "seconds",
        ]
        if status == ImportStatus.DONE:
            job.table = None  # the file's rows are not kept once they are records
            fields.append("table")
        job.save(update_fields=fields)
        audit.record(
            "import.finish",
            actor=job.created_by,
            obj=job,
            organisation=job.organisation,
            changes={
                "status": (None, status),
                "imported": (None, imported),
                "error_rows": (None, job.error_rows),
                "duplicate_rows": (None, job.duplicate_rows),
            },
        )
    cache.set(progress_key(job), job.row_count, timeout=3600)
    return status
