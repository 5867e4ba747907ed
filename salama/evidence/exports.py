"""Exports: a dashboard table at once, a list of cases in the background; CSV, Excel or HXL.

- Every cell that a spreadsheet would read as a formula (one starting with ``= + - @``, a tab or
  a carriage return) is prefixed with ``'`` so that opening the file never runs anything.
- A dashboard table is small (it comes from the counts) and is written at once, with the same
  withholding of small counts as the page.
- A case list is built by the task worker (``tasks.run_export``) with its progress on the job,
  encrypted under a data key of its own wrapped by the KEK, kept for ``EXPORT_TTL`` and served
  only to the person who asked for it. The columns follow the role: a caseworker or supervisor
  gets the case reference; a data officer (aggregates only) never gets an identifying column,
  only codes, months and bands.
- Every export, and every download, is written to the audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import audit, crypto
from salama.core.policy import NotPermitted, Principal, ensure
from salama.evidence import figures
from salama.evidence.access import dashboard_scope
from salama.evidence.dashboard_models import ExportFormat, ExportJob, ExportStatus

logger = logging.getLogger(__name__)

EXPORT_TTL = dt.timedelta(hours=24)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 500

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.HXL: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.HXL: "hxl.csv", ExportFormat.XLSX: "xlsx"}


def neutralise(value: Any) -> Any:
    """A cell as it is safe to write: text a spreadsheet would run as a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    hxl: list[str] | None = None


def write(sheet: Sheet, fmt: str) -> bytes:
    if fmt == ExportFormat.XLSX:
        return _xlsx(sheet)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in sheet.headers])
    if fmt == ExportFormat.HXL:
        if not sheet.hxl:
            raise ValidationError(_("This export has no HXL hashtags; choose CSV or Excel."))
        writer.writerow(sheet.hxl)
    for row in sheet.rows:
        writer.writerow([neutralise(v) for v in row])
    # A byte-order mark so that a spreadsheet opens Arabic and accented text as UTF-8; HXL
    # readers expect none.
    prefix = "" if fmt == ExportFormat.HXL else "\ufeff"
    return (prefix + buffer.getvalue()).encode("utf-8")


def _xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet.title[:31] or "Export")
    ws.append([neutralise(h) for h in sheet.headers])
    for row in sheet.rows:
        # openpyxl stores a string starting with "=" as a formula: neutralised, it stays text.
        ws.append([neutralise(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Dashboard tables --------------------------------------------------------------------------------


def table_sheet(table: figures.Table) -> Sheet:
    rows = [
        [label, *[v.n if v.n is not None else v.text for v in values]]
        for label, values in table.rows
    ]
    return Sheet(title=table.title, headers=table.headers, rows=rows, hxl=table.hxl or None)


@transaction.atomic
def export_table(
    *, actor: Principal, table: str, fmt: str, filters: figures.Filters
) -> tuple[bytes, str, str]:
    """One dashboard table as a file (body, content type, file name), with the actor's
    withholding of small counts; audited."""
    dashboard_scope(actor, filters.organisation_id)
    if fmt not in ExportFormat.values:
        raise ValidationError({"format": _("Choose csv, xlsx or hxl.")})
    board = figures.build(actor, filters)
    try:
        found = board.table(table)
    except KeyError:
        raise ValidationError({"table": _("There is no dashboard table of that name.")}) from None
    body = write(table_sheet(found), fmt)
    audit.record(
        "evidence.export_table",
        actor=actor.user,
        object_type="evidence.table",
        object_id=table,
        organisation=actor.organisation,
        changes={"format": (None, fmt), "filters": (None, _json_filters(filters))},
    )
    name = f"salama-{table}-{timezone.localdate():%Y%m%d}.{EXTENSIONS[ExportFormat(fmt)]}"
    return body, CONTENT_TYPES[ExportFormat(fmt)], name


def _json_filters(filters: figures.Filters) -> dict[str, Any]:
    return {k: v for k, v in filters.as_dict().items() if v not in ("", None)}


# Case lists, in the background --------------------------------------------------------------------

DATASETS = ("cases",)


@transaction.atomic
def request_export(
    *, actor: Principal, dataset: str, fmt: str, filters: figures.Filters
) -> ExportJob:
    """Ask for an export of `dataset` (``cases``); the task worker builds it."""
    scope = dashboard_scope(actor, filters.organisation_id)
    if dataset not in DATASETS:
        raise ValidationError({"dataset": _("Choose what to export: cases.")})
    if fmt not in (ExportFormat.CSV, ExportFormat.XLSX):
        raise ValidationError({"format": _("A case list exports as csv or xlsx.")})
    stored = _json_filters(filters)
    stored["_scopes"] = sorted(actor.scopes) if actor.scopes is not None else None
    job = ExportJob.objects.create(
        organisation=actor.organisation,
        requested_by=actor.user,
        dataset=dataset,
        fmt=fmt,
        filters=stored,
    )
    audit.record(
        "evidence.export_request",
        actor=actor.user,
        obj=job,
        organisation=actor.organisation,
        changes={
            "dataset": (None, dataset),
            "format": (None, fmt),
            "identifying": (None, scope.identifying),
        },
    )
    from salama.evidence.tasks import run_export

    job_id = str(job.pk)
    transaction.on_commit(lambda: run_export.enqueue(job_id))
    return job


def _principal_of(job: ExportJob) -> Principal:
    """The requester as she was when she asked: her active membership, her token's scopes."""
    from salama.accounts.models import Membership

    membership = None
    if job.organisation_id is not None:
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=job.requested_by, organisation_id=job.organisation_id, is_active=True)
            .first()
        )
        if membership is None:
            raise PermissionDenied
    scopes = job.filters.get("_scopes")
    return Principal(
        user=job.requested_by,
        membership=membership,
        verified=True,
        scopes=frozenset(scopes) if scopes is not None else None,
    )


def _case_rows(principal: Principal, filters: figures.Filters) -> tuple[Any, bool]:
    from salama.cases.models import Case
    from salama.core.policy import visible

    scope = dashboard_scope(principal, filters.organisation_id)
    if scope.identifying:
        cases = visible(principal, "cases.case")
    else:
        cases = Case.objects.all()
        if scope.organisation_ids is not None:
            cases = cases.filter(organisation_id__in=scope.organisation_ids)
    if filters.start:
        cases = cases.filter(opened_at__date__gte=filters.start)
    if filters.end:
        end = (filters.end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        cases = cases.filter(opened_at__date__lt=end)
    if filters.country:
        cases = cases.filter(jurisdiction=filters.country)
    if filters.sex:
        cases = cases.filter(person__sex=filters.sex)
    if filters.age_band:
        cases = cases.filter(person__age_band=filters.age_band)
    return cases.order_by("opened_at", "pk"), scope.identifying


def case_headers(identifying: bool) -> list[str]:
    common = [
        _("Type of case"),
        _("Stage"),
        _("Country"),
        _("Sex"),
        _("Age band at registration"),
    ]
    if identifying:
        return [_("Reference"), *common, _("Opened on"), _("Closed on")]
    return [*common, _("Month opened"), _("Month closed")]


def _case_values(cases: Any, identifying: bool) -> Iterator[list[Any]]:
    from salama.cases.choices import CaseType, Stage
    from salama.people.choices import Sex

    types, stages, sexes = dict(CaseType.choices), dict(Stage.choices), dict(Sex.choices)
    fields = (
        "reference",
        "case_type",
        "stage",
        "jurisdiction",
        "person__sex",
        "person__age_band",
        "opened_at",
        "closed_at",
    )
    for ref, ctype, stage, country, sex, band, opened, closed in cases.values_list(
        *fields
    ).iterator(chunk_size=2000):
        common = [
            str(types.get(ctype, ctype)),
            str(stages.get(stage, stage)),
            country,
            str(sexes.get(sex, sex)),
            band,
        ]
        opened_d = timezone.localtime(opened).date() if opened else None
        closed_d = timezone.localtime(closed).date() if closed else None
        if identifying:
            yield [
                ref,
                *common,
                opened_d.isoformat() if opened_d else "",
                closed_d.isoformat() if closed_d else "",
            ]
        else:
            yield [
                *common,
                opened_d.strftime("%Y-%m") if opened_d else "",
                closed_d.strftime("%Y-%m") if closed_d else "",
            ]


def build_export(job_id: str) -> str:
    """Build, encrypt and store one export (the task's body). A failure is recorded on the job
    with a reason the requester can read; the task itself does not fail."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportStatus.QUEUED:
        return job.status
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=1)
    try:
        principal = _principal_of(job)
        filters = figures.Filters.from_dict(job.filters)
        cases, identifying = _case_rows(principal, filters)
        total = cases.count() or 1
        rows: list[list[Any]] = []
        for row in _case_values(cases, identifying):
            rows.append(row)
            if len(rows) % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(
                    progress=min(95, 1 + 90 * len(rows) // total), rows=len(rows)
                )
        body = write(Sheet(_("Cases"), case_headers(identifying), rows), job.fmt)
    except PermissionDenied:
        _fail(job, "no_longer_permitted")
        return ExportStatus.FAILED
    except Exception:
        logger.exception("export %s failed", job.pk)
        _fail(job, "internal")
        return ExportStatus.FAILED
    dek = crypto.new_data_key()
    kek_id, wrapped = crypto.wrap_data_key(dek, _subject(job))
    now = timezone.now()
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.DONE,
            progress=100,
            rows=len(rows),
            kek_id=kek_id,
            wrapped_key=wrapped,
            body=crypto.encrypt_bytes(dek, body, _aad(job)),
            size=len(body),
            finished_at=now,
            expires_at=now + EXPORT_TTL,
        )
        audit.record(
            "evidence.export_ready",
            obj=job,
            organisation=job.organisation,
            changes={"rows": (None, len(rows))},
        )
    return ExportStatus.DONE


def _fail(job: ExportJob, reason: str) -> None:
    """Record why an export failed, as a code (the page says it in the reader's language)."""
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=reason[:200], finished_at=timezone.now()
    )


def _subject(job: ExportJob) -> str:
    return f"evidence-export/{job.pk}"


def _aad(job: ExportJob) -> bytes:
    return f"salama/evidence/export/{job.pk}".encode()


def expire_exports(now: dt.datetime | None = None) -> int:
    """Delete the file and key of every export past its expiry (crypto-shredding it)."""
    now = now or timezone.now()
    return ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now).update(
        status=ExportStatus.EXPIRED, body=None, wrapped_key=None, size=0
    )


def export_status(job: ExportJob, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if job.status == ExportStatus.DONE and job.expires_at and job.expires_at <= now:
        return ExportStatus.EXPIRED
    return job.status


def download_export(*, actor: Principal, job: ExportJob) -> tuple[bytes, str, str]:
    """The decrypted file of a finished export, for the person who asked for it; audited.
    Http404 for anybody else, or once it has expired (then its file and key are deleted)."""
    try:
        ensure(actor, job)
    except NotPermitted:
        raise Http404("Not found") from None
    if export_status(job) == ExportStatus.EXPIRED:
        expire_exports()  # committed, whatever the caller does with the refusal
        raise Http404("Expired")
    return _open_export(actor, job)


@transaction.atomic
def _open_export(actor: Principal, job: ExportJob) -> tuple[bytes, str, str]:
    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ExportStatus.DONE or job.body is None or job.wrapped_key is None:
        raise ValidationError(_("This export is not ready yet."))
    dek = crypto.unwrap_data_key(job.kek_id, bytes(job.wrapped_key), _subject(job))
    body = crypto.decrypt_bytes(dek, bytes(job.body), _aad(job))
    job.downloads += 1
    job.save(update_fields=["downloads"])
    audit.record(
        "evidence.export_download",
        actor=actor.user,
        obj=job,
        organisation=actor.organisation,
        changes={"downloads": (job.downloads - 1, job.downloads)},
    )
    fmt = ExportFormat(job.fmt)
    name = f"salama-{job.dataset}-{job.created_at:%Y%m%d-%H%M}.{EXTENSIONS[fmt]}"
    return body, CONTENT_TYPES[fmt], name


def recent_exports(actor: Principal, limit: int = 20) -> Sequence[ExportJob]:
    from salama.core.policy import visible

    return list(visible(actor, ExportJob).order_by("-created_at")[:limit])
