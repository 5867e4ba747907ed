"""Supervision approvals in the API: the approver's queue, a request, a decision.

The same reads (salama.cases.approval_queries) and services (salama.cases.approvals) as the pages.
Reassignment requests appear in the queue and are decided here too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.cases import approval_queries, approvals, services
from salama.cases.access import access_case
from salama.cases.approval_queries import QueueItem
from salama.cases.choices import ApprovalKind, ClosureReason
from salama.cases.models import ApprovalRequest
from salama.core.apierrors import call_service
from salama.core.apitypes import Text, Version
from salama.core.policy import get_or_404, request_principal, require_perm
from salama.core.roles import Perm

router = Router(tags=["approvals"])


class ApprovalLineOut(Schema):
    label: str
    value: str
    items: list[str]


class ApprovalOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    comment: str
    what: list[ApprovalLineOut] = Field(description="What is approved, in the caller's language.")


class ApprovalQueueFilter(Schema):
    kind: ApprovalKind | None = None


class ApprovalRequestIn(Schema):
    kind: Literal["assessment", "case_plan", "closure"]
    reason: ClosureReason | None = Field(None, description="For a closure: the HTCDS reason.")
    note: Text = Field("", max_length=20000, description="For a closure: a closing note.")
    version: Version | None = Field(None, description="For a closure: the case version read.")
    assessment: uuid.UUID | None = Field(
        None, description="For an assessment: the finalised vulnerability assessment's id."
    )


class ApprovalDecisionIn(Schema):
    approve: bool
    comment: Text = Field("", max_length=2000, description="Required when returning it.")


def _out(item: QueueItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "case_id": item.case.id,
        "case_reference": item.reference,
        "kind": item.kind,
        "kind_label": item.kind_label,
        "status": item.status,
        "status_label": item.status_label,
        "requested_by": item.requested_by,
        "requested_at": item.requested_at,
        "decided_by": item.decided_by,
        "decided_at": item.decided_at,
        "comment": item.comment,
        "what": [{"label": li.label, "value": li.value, "items": li.items} for li in item.lines],
    }


def _approval_out(approval: ApprovalRequest) -> dict[str, Any]:
    fresh = (
        ApprovalRequest.objects.select_related("case", "requested_by", "decided_by")
        .filter(pk=approval.pk)
        .get()
    )
    fresh.case = approval.case
    return _out(approval_queries.item_of(fresh))


@router.get(
    "/approvals",
    response=list[ApprovalOut],
    summary="What waits for the caller's approval (oldest first, at most 200)",
)
def approval_queue(
    request: HttpRequest, filters: Query[ApprovalQueueFilter]
) -> list[dict[str, Any]]:
    principal = request_principal(request)
    require_perm(principal, Perm.CASE_APPROVE)
    kind = filters.kind.value if filters.kind else ""
    return [_out(item) for item in approval_queries.approval_queue(principal, kind)]


@router.post(
    "/{case_id}/approvals",
    response={201: ApprovalOut},
    summary="Ask a supervisor to approve an assessment, the case plan or the closure",
)
def request_approval(
    request: HttpRequest, case_id: uuid.UUID, payload: ApprovalRequestIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    approval = call_service(
        lambda: approvals.request_approval(
            actor=principal,
            case=case,
            kind=payload.kind,
            reason=payload.reason.value if payload.reason else "",
            note=payload.note,
            expected_version=payload.version,
            assessment_id=str(payload.assessment) if payload.assessment else "",
            request=request,
        )
    )
    return Status(201, _approval_out(approval))


@router.post(
    "/approvals/{request_id}/decide",
    response=ApprovalOut,
    summary="Approve or return a request (a closure's approval closes the case)",
)
def decide(
    request: HttpRequest, request_id: uuid.UUID, payload: ApprovalDecisionIn
) -> dict[str, Any]:
    principal = request_principal(request)
    pending = approval_queries.find_pending(principal, request_id)
    if pending is None:
        get_or_404(ApprovalRequest.objects.none(), id=request_id)  # 404, as for a missing one
    if isinstance(pending, ApprovalRequest):
        call_service(
            lambda: approvals.decide(
                actor=principal,
                approval=pending,
                approve=payload.approve,
                comment=payload.comment,
                request=request,
            )
        )
        return _approval_out(pending)
    call_service(
        lambda: services.decide_reassignment(
            actor=principal, reassignment=pending, approve=payload.approve, request=request
        )
    )
    return _out(approval_queries.reassignment_item_of(pending))
