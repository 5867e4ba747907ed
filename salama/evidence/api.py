"""The evidence API: dashboard figures and indicators (the same filters and withholding as the
pages), and exports asked for, followed and downloaded.

A withheld count is ``null`` with its ``text`` ("fewer than 11"), never a number. Refusals: a
role with no dashboard gets 403; an export that is not the caller's, or has expired, 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from salama.core.apierrors import call_service
from salama.core.apitypes import CountryCode
from salama.core.downloads import private_file_response
from salama.core.policy import Principal, get_or_404, request_principal, visible
from salama.evidence import exports, figures, indicators
from salama.evidence.access import dashboard_scope
from salama.evidence.dashboard_models import ExportJob
from salama.people.choices import AGE_BANDS, Sex

router = Router(tags=["evidence"])

Month = Annotated[
    str,
    Field(
        pattern=r"^(19[5-9]\d|20\d\d)-(0[1-9]|1[0-2])$",
        max_length=7,
        description="A month, YYYY-MM, from 1950-01 to 2099-12.",
    ),
]
AgeBand = Literal[tuple(label for _low, _high, label in AGE_BANDS)]  # type: ignore[valid-type]


class EvidenceFilters(Schema):
    start: Month | None = None
    end: Month | None = None
    country: CountryCode | None = None
    sex: Sex | None = None
    age_band: AgeBand | None = None  # type: ignore[valid-type]
    organisation: uuid.UUID | None = Field(
        None, description="Deployment-wide readers only: one organisation's figures."
    )


def _filters(principal: Principal, params: EvidenceFilters) -> figures.Filters:
    from salama.accounts.models import Organisation

    def month(value: str | None) -> dt.date | None:
        return dt.date(int(value[:4]), int(value[5:7]), 1) if value else None

    org_id = None
    if params.organisation is not None:
        org_id = (
            Organisation.objects.filter(uuid=params.organisation)
            .values_list("pk", flat=True)
            .first()
        ) or -1  # an unknown organisation has no figures
    return figures.Filters(
        start=month(params.start),
        end=month(params.end),
        country=str(params.country.value) if params.country else "",
        sex=str(params.sex.value) if params.sex else "",
        age_band=params.age_band or "",
        organisation_id=org_id,
    )


class EvidenceValueOut(Schema):
    n: float | None = Field(description="The figure; null when withheld.")
    text: str


class EvidenceRowOut(Schema):
    label: str
    values: list[EvidenceValueOut]


class EvidenceTableOut(Schema):
    key: str
    title: str
    headers: list[str]
    hxl: list[str]
    note: str
    rows: list[EvidenceRowOut]


class EvidenceScopeOut(Schema):
    deployment: bool
    exact: bool
    min_cell: int


class EvidenceDashboardOut(Schema):
    scope: EvidenceScopeOut
    refreshed_at: dt.datetime | None
    tables: list[EvidenceTableOut]


def _value(value: figures.Value) -> dict[str, Any]:
    return {"n": float(value.n) if value.n is not None else None, "text": value.text}


@router.get("/dashboard", response=EvidenceDashboardOut, summary="The dashboard's figures")
def dashboard(request: HttpRequest, params: Query[EvidenceFilters]) -> dict[str, Any]:
    principal = request_principal(request)
    dashboard_scope(principal)
    board = figures.build(principal, _filters(principal, params))
    return {
        "scope": {
            "deployment": board.scope.deployment,
            "exact": board.scope.exact,
            "min_cell": board.scope.k,
        },
        "refreshed_at": board.refreshed_at,
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "headers": t.headers,
                "hxl": t.hxl,
                "note": t.note,
                "rows": [
                    {"label": label, "values": [_value(v) for v in values]}
                    for label, values in t.rows
                ],
            }
            for t in board.tables
        ],
    }


class EvidenceIndicatorRowOut(Schema):
    year: int
    country: str
    group: str
    victims: int | None
    victims_text: str
    population: int | None
    rate_per_100000: str | None


class EvidenceIndicatorTableOut(Schema):
    key: str
    title: str
    rows: list[EvidenceIndicatorRowOut]


class EvidenceIndicatorOut(Schema):
    code: str
    title: str
    definition: str
    custodian: str
    gcm_objectives: list[str]
    computable: bool
    reason: str
    tables: list[EvidenceIndicatorTableOut]


def _indicator(found: indicators.Indicator) -> dict[str, Any]:
    tables = []
    for table in found.tables:
        rows = []
        for year, country, group, victims, population, rate in table.rows:
            rows.append(
                {
                    "year": year,
                    "country": country,
                    "group": str(group),
                    "victims": victims if isinstance(victims, int) else None,
                    "victims_text": str(victims),
                    "population": population or None,
                    "rate_per_100000": str(rate) if rate != "" else None,
                }
            )
        tables.append({"key": table.key, "title": table.title, "rows": rows})
    return {
        "code": found.code,
        "title": found.title,
        "definition": found.definition,
        "custodian": found.custodian,
        "gcm_objectives": found.objectives,
        "computable": found.computable,
        "reason": found.reason,
        "tables": tables,
    }


@router.get(
    "/indicators", response=list[EvidenceIndicatorOut], summary="SDG 16.2.2 and SDG 10.7.1 (status)"
)
def indicator_list(request: HttpRequest, params: Query[EvidenceFilters]) -> list[dict[str, Any]]:
    principal = request_principal(request)
    dashboard_scope(principal)
    sdg = indicators.sdg_16_2_2(principal, _filters(principal, params))
    return [_indicator(sdg), _indicator(indicators.sdg_10_7_1())]


class EvidenceExportIn(EvidenceFilters):
    dataset: Literal["cases"] = "cases"
    format: Literal["csv", "xlsx"] = "csv"


class EvidenceExportOut(Schema):
    id: uuid.UUID
    dataset: str
    format: str
    status: str
    progress: int
    rows: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
    download_url: str | None


def _export(job: ExportJob) -> dict[str, Any]:
    status = exports.export_status(job)
    return {
        "id": job.pk,
        "dataset": job.dataset,
        "format": job.fmt,
        "status": status,
        "progress": job.progress,
        "rows": job.rows,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "download_url": reverse("api:evidence_export_download", args=[job.pk])
        if status == "done"
        else None,
    }


@router.post(
    "/exports",
    response={202: EvidenceExportOut},
    summary="Ask for an export of the case list (built in the background)",
)
def request_export(request: HttpRequest, payload: EvidenceExportIn) -> Status:
    principal = request_principal(request)
    filters = _filters(principal, payload)
    job = call_service(
        lambda: exports.request_export(
            actor=principal, dataset=payload.dataset, fmt=payload.format, filters=filters
        )
    )
    job.refresh_from_db()
    return Status(202, _export(job))


@router.get("/exports", response=list[EvidenceExportOut], summary="The caller's latest exports")
def export_list(request: HttpRequest) -> list[dict[str, Any]]:
    principal = request_principal(request)
    dashboard_scope(principal)
    return [_export(job) for job in exports.recent_exports(principal)]


@router.get(
    "/exports/{export_id}", response=EvidenceExportOut, summary="One export's status and progress"
)
def export_detail(request: HttpRequest, export_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request)
    dashboard_scope(principal)
    return _export(get_or_404(visible(principal, ExportJob), pk=export_id))


@router.get(
    "/exports/{export_id}/download",
    response={200: None},
    url_name="evidence_export_download",
    summary="Download a finished export (decrypted; the download is audited)",
)
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    principal = request_principal(request)
    dashboard_scope(principal)
    job = get_or_404(visible(principal, ExportJob), pk=export_id)
    body, content_type, name = call_service(
        lambda: exports.download_export(actor=principal, job=job)
    )
    return private_file_response(body, content_type, name)
