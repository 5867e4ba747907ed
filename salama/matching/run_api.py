"""The matching API: start a batch duplicate check and follow its progress.

Only supervisors (``matching.run``) of the organisation reach a run; anyone else gets 404 for a
run and 403 for starting one. A run stores candidate pairs for the review queue; their persons'
names never appear here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from salama.core.apierrors import call_service
from salama.core.policy import request_principal, require_perm
from salama.core.roles import Perm
from salama.matching import runs
from salama.matching.models import MatchRun
from salama.matching.run_access import access_run, visible_runs

router = Router(tags=["matching"])


class MatchRunIn(Schema):
    include_partners: bool = Field(
        False,
        description="Also compare with organisations that accepted a matching agreement.",
    )


class MatchRunOut(Schema):
    id: uuid.UUID
    status: str
    step: str
    progress: int
    persons: int
    pairs: int
    clusters: int
    partner_organisations: int
    model_version: int | None
    seconds: float | None
    error_code: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _run(run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "step": run.step,
        "progress": run.progress,
        "persons": run.persons,
        "pairs": run.pairs,
        "clusters": run.clusters,
        "partner_organisations": len(run.partner_organisation_ids or []),
        "model_version": run.model.version if run.model_id else None,
        "seconds": run.seconds,
        "error_code": run.error_code,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


@router.post(
    "/runs",
    response={202: MatchRunOut},
    summary="Start a batch duplicate check over the organisation's persons (in the background)",
)
def start_run(request: HttpRequest, payload: MatchRunIn) -> Status:
    principal = request_principal(request)
    run = call_service(
        lambda: runs.start_run(actor=principal, include_partners=payload.include_partners)
    )
    run.refresh_from_db()
    return Status(202, _run(run))


@router.get("/runs", response=list[MatchRunOut], summary="The organisation's latest runs")
def run_list(request: HttpRequest) -> list[dict[str, Any]]:
    principal = request_principal(request)
    require_perm(principal, Perm.MATCHING_RUN)
    return [_run(r) for r in visible_runs(principal).select_related("model")[:20]]


@router.get("/runs/{run_id}", response=MatchRunOut, summary="One run's status and progress")
def run_detail(request: HttpRequest, run_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request)
    return _run(access_run(principal, run_id))
