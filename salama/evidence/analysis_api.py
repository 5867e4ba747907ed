"""The evidence API for analysts: differentially private tables against the ε ledger, the
factor analysis (odds ratios by UN M49 region), and each dashboard table as a file (CSV, XLSX,
HXL; the dashboard's own rules: anyone with a dashboard, small counts withheld, audited).

The same services, reads and role rules as the pages (``privacy_services``, ``privacy_queries``,
``factor_queries``): only those who may request releases (a data officer, an organisation
administrator) publish and read them, for their own organisation; no answer carries an
identifying value. A table asked beyond the budget is refused with 422 and nothing is spent; a
table of another organisation is 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from salama.core.apierrors import call_service
from salama.core.downloads import private_file_response
from salama.core.policy import request_principal
from salama.evidence import exports, factor_queries, factors
from salama.evidence import privacy_queries as queries
from salama.evidence import privacy_services as services
from salama.evidence.api import EvidenceFilters, _filters
from salama.evidence.release_models import PrivacyLedgerEntry

router = Router(tags=["evidence"])

DpDimension = Literal[tuple(queries.DIMENSIONS)]  # type: ignore[valid-type]
DpMeasure = Literal[queries.MEASURES]  # type: ignore[valid-type]
Epsilon = Annotated[
    float,
    Field(
        ge=0.01,
        le=services.MAX_EPSILON,
        allow_inf_nan=False,
        description="The privacy loss to spend, 0.01 to 10; smaller is more private and noisier.",
    ),
]


class EvidenceDpTableIn(Schema):
    dimensions: list[DpDimension] = Field(  # type: ignore[valid-type]
        min_length=1,
        max_length=queries.MAX_DIMENSIONS,
        description="One to three published columns to count by (each once; at most 5,000 cells).",
    )
    measure: DpMeasure = Field(  # type: ignore[valid-type]
        "count",
        description="count: the number of cases; duration_months: the total months of "
        "exploitation, each case capped at 120.",
    )
    epsilon: Epsilon


class EvidenceDpCellOut(Schema):
    key: list[str] = Field(description="The cell's value of each dimension, in order (-99: none).")
    value: float = Field(description="The noisy count or sum.")
    above_bound: bool = Field(description="The value is at least the 95% error bound.")


class EvidenceDpTableOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    measure: str
    dimensions: list[str]
    epsilon: float = Field(description="The privacy loss this table spent.")
    error_bound_95: float = Field(
        description="With probability 0.95 each cell is within ± this of the true value."
    )
    alpha: float
    scale: float
    mechanism: str
    bounds: list[float] | None = Field(None, description="The clamp of a sum, per case.")
    cells: list[EvidenceDpCellOut]


class EvidenceDpTableSummaryOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    measure: str
    dimensions: list[str]
    epsilon: float


class EvidencePrivacyLedgerOut(Schema):
    dataset: str
    budget: float
    spent: float
    left: float
    tables: list[EvidenceDpTableSummaryOut]


def _table(entry: PrivacyLedgerEntry) -> dict[str, Any]:
    result = entry.result
    return {
        "id": entry.pk,
        "created_at": entry.created_at,
        "measure": result["measure"],
        "dimensions": result["dimensions"],
        "epsilon": result["epsilon"],
        "error_bound_95": result["accuracy"],
        "alpha": result["alpha"],
        "scale": result["scale"],
        "mechanism": result["mechanism"],
        "bounds": result.get("bounds"),
        "cells": [
            {
                "key": [str(part) for part in cell["key"]],
                "value": cell["value"],
                "above_bound": cell["value"] >= result["accuracy"],
            }
            for cell in result["cells"]
        ],
    }


@router.get(
    "/privacy",
    response=EvidencePrivacyLedgerOut,
    summary="The ε ledger of the organisation's cases and the tables published",
)
def privacy_ledger(request: HttpRequest) -> dict[str, Any]:
    principal = queries.dp_principal(request_principal(request))
    return {
        "dataset": services.DATASET,
        **queries.ledger(principal.organisation),
        "tables": [
            {
                "id": entry.pk,
                "created_at": entry.created_at,
                "measure": entry.measure,
                "dimensions": entry.dimensions,
                "epsilon": entry.epsilon,
            }
            for entry in queries.visible_dp_tables(principal)
        ],
    }


@router.post(
    "/privacy/tables",
    response={201: EvidenceDpTableOut},
    summary="Publish a differentially private table, spending its ε (refused past the budget)",
)
def publish_dp_table(request: HttpRequest, payload: EvidenceDpTableIn) -> Status[dict[str, Any]]:
    principal = queries.dp_principal(request_principal(request))
    entry = call_service(
        lambda: services.publish_dp_table(
            actor=principal,
            dimensions=list(payload.dimensions),
            epsilon=payload.epsilon,
            measure=payload.measure,
        )
    )
    return Status(201, _table(entry))


@router.get(
    "/privacy/tables/{table_id}",
    response=EvidenceDpTableOut,
    summary="A published differentially private table",
)
def dp_table(request: HttpRequest, table_id: uuid.UUID) -> dict[str, Any]:
    return _table(queries.access_dp_table(request_principal(request), table_id))


class EvidenceFactorQuery(Schema):
    outcome: Literal[factors.OUTCOMES] = Field(  # type: ignore[valid-type]
        factor_queries.OUTCOME_DEFAULT, description="The form of exploitation."
    )


class EvidenceOddsRatioOut(Schema):
    factor: str = Field(description="ilo:<indicator> or domv:<factor>.")
    factor_label: str
    level: Literal["all", "region", "subregion"]
    region: str = Field(description='"all", or a UN M49 code ("-99": jurisdiction unknown).')
    region_name: str
    cases: int
    cells: list[int] = Field(
        description="Factor & outcome, factor only, outcome only, neither (each at least k)."
    )
    odds_ratio: float
    ci_low: float
    ci_high: float
    p_value: float


class EvidenceFactorWithheldOut(Schema):
    factor: str
    factor_label: str
    level: Literal["all", "region", "subregion"]
    region: str
    region_name: str
    text: str = Field(description='"fewer than k": a group under k, or one it would reveal.')


class EvidenceFactorAnalysisOut(Schema):
    outcome: str
    min_cell: int = Field(description="k: every published table has at least k in each cell.")
    cases: int
    results: list[EvidenceOddsRatioOut]
    withheld: list[EvidenceFactorWithheldOut]


@router.get(
    "/factors",
    response=EvidenceFactorAnalysisOut,
    summary="Odds ratios (95% CI) of factors against a form of exploitation, by M49 region",
)
def factor_analysis(request: HttpRequest, params: Query[EvidenceFactorQuery]) -> dict[str, Any]:
    from django.utils.translation import gettext as _

    found = factor_queries.factor_analysis(request_principal(request), params.outcome)
    fewer = _("fewer than %(k)s") % {"k": found.k}
    return {
        "outcome": found.outcome,
        "min_cell": found.k,
        "cases": found.cases,
        "results": [
            {
                "factor": row.factor,
                "factor_label": found.labels.get(row.factor, row.factor),
                "level": row.level,
                "region": row.region,
                "region_name": factors.region_name(row.region),
                "cases": row.cases,
                "cells": list(row.cells),
                "odds_ratio": row.odds_ratio,
                "ci_low": row.low,
                "ci_high": row.high,
                "p_value": row.p_value,
            }
            for row in found.results
        ],
        "withheld": [
            {
                "factor": row["code"],
                "factor_label": row["factor"],
                "level": row["level"],
                "region": row["region"],
                "region_name": row["region_name"],
                "text": fewer,
            }
            for row in found.withheld_rows
        ],
    }


class EvidenceTableFileQuery(EvidenceFilters):
    format: Literal["csv", "xlsx", "hxl"] = Field(
        "csv", description="csv, xlsx, or hxl (CSV with HXL hashtags under the headers)."
    )


@router.get(
    "/dashboard/tables/{table_key}/download",
    response={200: None},
    summary="One dashboard table as CSV, XLSX or HXL-tagged CSV (small counts withheld; audited)",
)
def dashboard_table_file(
    request: HttpRequest,
    table_key: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$", max_length=40)],
    params: Query[EvidenceTableFileQuery],
) -> HttpResponse:
    principal = request_principal(request)
    body, content_type, name = call_service(
        lambda: exports.export_table(
            actor=principal,
            table=table_key,
            fmt=params.format,
            filters=_filters(principal, params),
        )
    )
    return private_file_response(body, content_type, name)
