"""The anonymised-release API: request, approve or reject (four eyes), read the report, download.

The same access rules and services as the pages: ``release.request`` to request and read,
``release.approve`` to decide (never on one's own request). A release of another organisation
is a 404. The download is the zip of cases.csv, report.json, report.md and codebook.json.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from salama.core.apierrors import call_service
from salama.core.apitypes import NonBlank, Version
from salama.core.policy import request_principal, require_any_perm, require_perm
from salama.core.roles import Perm
from salama.evidence import release_services as services
from salama.evidence.release_access import RELEASE_PERMS, access_release, visible_releases
from salama.evidence.release_models import AnonymisedRelease, ReleaseStatus

router = Router(tags=["evidence"])

ReleaseK = Annotated[
    int,
    Field(
        ge=2,
        le=services.MAX_K,
        description="Smallest group size; the deployment's minimum applies (default 11).",
    ),
]


class AnonymisedReleaseIn(Schema):
    k: ReleaseK = 11
    purpose: NonBlank = Field(max_length=services.PURPOSE_LENGTH)


class AnonymisedReleaseDecisionIn(Schema):
    version: Version


class AnonymisedReleaseOut(Schema):
    id: uuid.UUID
    k: int
    purpose: str
    status: ReleaseStatus
    requested_by: uuid.UUID
    requested_at: dt.datetime
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    built_at: dt.datetime | None
    expires_at: dt.datetime | None
    downloadable: bool
    version: int
    report: dict[str, Any]


def _out(item: AnonymisedRelease) -> dict[str, Any]:
    return {
        "id": item.id,
        "k": item.k,
        "purpose": item.purpose,
        "status": item.status,
        "requested_by": item.requested_by.uuid,
        "requested_at": item.requested_at,
        "decided_by": item.decided_by.uuid if item.decided_by else None,
        "decided_at": item.decided_at,
        "built_at": item.built_at,
        "expires_at": item.expires_at,
        "downloadable": item.downloadable,
        "version": item.version,
        "report": item.report or {},
    }


def _principal(request: HttpRequest) -> Any:
    return require_any_perm(request_principal(request), *RELEASE_PERMS)


@router.get("/releases", response=list[AnonymisedReleaseOut], summary="The organisation's releases")
def list_releases(request: HttpRequest) -> list[dict[str, Any]]:
    items = visible_releases(_principal(request)).select_related("requested_by", "decided_by")
    return [_out(item) for item in items]


@router.post(
    "/releases",
    response={201: AnonymisedReleaseOut},
    summary="Request a k-anonymous release (release.request)",
)
def request_release(request: HttpRequest, payload: AnonymisedReleaseIn) -> Status[dict[str, Any]]:
    principal = require_perm(request_principal(request), Perm.RELEASE_REQUEST)
    item = call_service(
        lambda: services.request_release(actor=principal, k=payload.k, purpose=payload.purpose)
    )
    return Status(201, _out(item))


@router.get(
    "/releases/{release_id}", response=AnonymisedReleaseOut, summary="A release and its report"
)
def get_release(request: HttpRequest, release_id: uuid.UUID) -> dict[str, Any]:
    return _out(access_release(_principal(request), release_id))


@router.post(
    "/releases/{release_id}/approve",
    response=AnonymisedReleaseOut,
    summary="Approve someone else's release (release.approve); it is then built",
)
def approve_release(
    request: HttpRequest, release_id: uuid.UUID, payload: AnonymisedReleaseDecisionIn
) -> dict[str, Any]:
    principal = require_perm(request_principal(request), Perm.RELEASE_APPROVE)
    item = access_release(principal, release_id)
    call_service(
        lambda: services.approve_release(actor=principal, release=item, version=payload.version)
    )
    return _out(access_release(principal, release_id))


@router.post(
    "/releases/{release_id}/reject",
    response=AnonymisedReleaseOut,
    summary="Reject someone else's release (release.approve)",
)
def reject_release(
    request: HttpRequest, release_id: uuid.UUID, payload: AnonymisedReleaseDecisionIn
) -> dict[str, Any]:
    principal = require_perm(request_principal(request), Perm.RELEASE_APPROVE)
    item = access_release(principal, release_id)
    call_service(
        lambda: services.reject_release(actor=principal, release=item, version=payload.version)
    )
    return _out(item)


@router.get(
    "/releases/{release_id}/download",
    response={200: None},
    summary="The release as a zip (cases.csv, report.json, report.md, codebook.json)",
)
def download_release(request: HttpRequest, release_id: uuid.UUID) -> HttpResponse:
    principal = _principal(request)
    item = access_release(principal, release_id)
    data = call_service(lambda: services.download_release(actor=principal, release=item))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="salama-release-{item.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response
