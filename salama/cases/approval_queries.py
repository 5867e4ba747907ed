"""Reads of supervision approvals shared by the pages, the API and the home page.

The queue holds the pending requests of the cases the principal sees, when they hold
case.approve: approval requests (salama.cases.approvals) and the reassignment requests that keep
their own table. Each item says in words, in the reader's language, what is to be approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Value
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from salama.accounts.models import User
from salama.cases.access import through_visible_case, visible_approvals
from salama.cases.approvals import latest, plan_fingerprint
from salama.cases.choices import (
    ApprovalKind,
    ApprovalStatus,
    ClosureReason,
    PlanItemStatus,
    ReassignmentStatus,
    Stage,
)
from salama.cases.models import ApprovalRequest, Case, ReassignmentRequest
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm

QUEUE_LIMIT = 200
RETURNED_LIMIT = 20


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


@dataclass
class Line:
    """One line of what is approved: a label and its value (or a list of values)."""

    label: str
    value: str = ""
    items: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class QueueItem:
    id: Any
    kind: str
    kind_label: str
    status: str
    status_label: str
    case: Case
    requested_by: str
    requested_at: dt.datetime
    lines: list[Line]
    decided_by: str = ""
    decided_at: dt.datetime | None = None
    comment: str = ""
    decide_url: str = ""
    requested_by_id: int | None = None

    @property
    def reference(self) -> str:
        return self.case.reference


def describe(approval: ApprovalRequest) -> list[Line]:
    """What the request approves, in words (the snapshot as it was when asked)."""
    snap: dict[str, Any] = approval.snapshot or {}
    if approval.kind == ApprovalKind.CLOSURE:
        lines = [
            Line(_("Closure reason"), _label(ClosureReason, snap.get("reason", ""))),
            Line(_("Stage when asked"), _label(Stage, snap.get("stage", ""))),
        ]
        if snap.get("note"):
            lines.append(Line(_("Closing note"), snap["note"]))
        return lines
    if approval.kind == ApprovalKind.CASE_PLAN:
        items = []
        for row in snap.get("items", []):
            parts = [row.get("goal") or "", row.get("action") or ""]
            text = " — ".join(p for p in parts if p)
            extra = [_label(PlanItemStatus, row.get("status", ""))]
            if row.get("responsible"):
                extra.append(row["responsible"])
            if row.get("due_on"):
                extra.append(_("due %(date)s") % {"date": row["due_on"]})
            items.append(f"{text} ({', '.join(extra)})")
        return [Line(_("Plan actions"), items=items)]
    if approval.kind == ApprovalKind.ASSESSMENT:
        url = ""
        try:
            url = reverse("screening:assessment-detail", args=[snap.get("assessment")])
        except NoReverseMatch:
            url = ""
        finalised = parse_datetime(snap.get("finalised_at", "") or "")
        lines = [
            Line(
                _("Vulnerability assessment"),
                _("finalised on %(date)s") % {"date": finalised.date().isoformat()}
                if finalised
                else "",
                url=url,
            ),
            Line(
                _("Factor catalogue"),
                f"{snap.get('catalogue', '')} {snap.get('catalogue_version', '')}".strip(),
            ),
        ]
        if "proposals" in snap:
            lines.append(Line(_("Responses proposed"), str(snap["proposals"])))
        return lines
    return []


def item_of(approval: ApprovalRequest) -> QueueItem:
    return QueueItem(
        id=approval.id,
        kind=approval.kind,
        kind_label=_label(ApprovalKind, approval.kind),
        status=approval.status,
        status_label=_label(ApprovalStatus, approval.status),
        case=approval.case,
        requested_by=_name(approval.requested_by),
        requested_at=approval.requested_at,
        lines=describe(approval),
        decided_by=_name(approval.decided_by),
        decided_at=approval.decided_at,
        comment=approval.comment if approval.status != ApprovalStatus.PENDING else "",
        decide_url=reverse("cases:approval-decide", args=[approval.id]),
        requested_by_id=approval.requested_by_id,
    )


def reassignment_item_of(r: ReassignmentRequest) -> QueueItem:
    return QueueItem(
        id=r.id,
        kind=ApprovalKind.REASSIGNMENT,
        kind_label=_label(ApprovalKind, ApprovalKind.REASSIGNMENT),
        status=r.status,
        status_label=_label(ReassignmentStatus, r.status),
        case=r.case,
        requested_by=_name(r.requested_by),
        requested_at=r.requested_at,
        lines=[
            Line(_("From"), _name(r.case.assigned_to) or "—"),
            Line(_("To"), _name(r.to_user)),
        ],
        decided_by=_name(r.decided_by),
        decided_at=r.decided_at,
        decide_url=reverse("cases:approval-decide", args=[r.id]),
        requested_by_id=r.requested_by_id,
    )


def approval_queue(principal: Principal | None, kind: str = "") -> list[QueueItem]:
    """The pending requests the principal may decide, oldest first."""
    if not has_perm(principal, Perm.CASE_APPROVE):
        return []
    items: list[QueueItem] = []
    if kind != ApprovalKind.REASSIGNMENT:
        approvals = (
            visible_approvals(principal)
            .filter(status=ApprovalStatus.PENDING)
            .select_related("case__person__data_key", "requested_by", "decided_by")
            .order_by("requested_at")
        )
        if kind:
            approvals = approvals.filter(kind=kind)
        items += [item_of(a) for a in approvals[:QUEUE_LIMIT]]
    if kind in ("", ApprovalKind.REASSIGNMENT):
        reassignments = (
            ReassignmentRequest.objects.filter(
                through_visible_case(principal), status=ReassignmentStatus.PENDING
            )
            .select_related("case__assigned_to", "to_user", "requested_by", "decided_by")
            .order_by("requested_at")
        )
        items += [reassignment_item_of(r) for r in reassignments[:QUEUE_LIMIT]]
    items.sort(key=lambda i: i.requested_at)
    return items[:QUEUE_LIMIT]


def pending_counts(principal: Principal | None) -> dict[str, int]:
    """How many requests of each kind wait for the principal (0 for a kind with none)."""
    counts = {k.value: 0 for k in ApprovalKind}
    if not has_perm(principal, Perm.CASE_APPROVE):
        return counts
    approvals = (
        visible_approvals(principal)
        .filter(status=ApprovalStatus.PENDING)
        .values_list("kind", flat=True)
        .order_by()
    )
    reassignments = (
        ReassignmentRequest.objects.filter(
            through_visible_case(principal), status=ReassignmentStatus.PENDING
        )
        .annotate(kind=Value(ApprovalKind.REASSIGNMENT.value, output_field=CharField()))
        .values_list("kind", flat=True)
        .order_by()
    )
    for kind in approvals.union(reassignments, all=True):  # one query for both tables
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def find_pending(principal: Principal | None, request_id: Any) -> Any:
    """The pending approval or reassignment request with this id that the principal may
    decide, or None."""
    if not has_perm(principal, Perm.CASE_APPROVE):
        return None
    found: ApprovalRequest | ReassignmentRequest | None
    try:
        found = (
            visible_approvals(principal)
            .select_related("case__person__data_key", "requested_by")
            .filter(id=request_id)
            .first()
        )
        if found is None:
            found = (
                ReassignmentRequest.objects.filter(through_visible_case(principal), id=request_id)
                .select_related("case", "to_user", "requested_by")
                .first()
            )
    except (ValueError, TypeError):
        return None
    return found


def returned_to_me(principal: Principal | None) -> list[QueueItem]:
    """Requests of the principal's that a supervisor returned for changes and that were not
    asked again since: newest first."""
    if principal is None:
        return []
    newer = ApprovalRequest.objects.filter(
        case_id=OuterRef("case_id"),
        kind=OuterRef("kind"),
        requested_at__gt=OuterRef("requested_at"),
    )
    # Ids first, the wide join only for what came back: most caseworkers have nothing returned,
    # and planning the six-table join alone cost more than answering the narrow query.
    ids = list(
        visible_approvals(principal)
        .filter(requested_by=principal.user, status=ApprovalStatus.REJECTED)
        .exclude(Exists(newer))
        .order_by("-decided_at")
        .values_list("id", flat=True)[:RETURNED_LIMIT]
    )
    if not ids:
        return []
    rejected = ApprovalRequest.objects.filter(id__in=ids).select_related(
        "case__person__data_key", "requested_by", "decided_by"
    )
    by_id = {approval.id: approval for approval in rejected}
    return [item_of(by_id[i]) for i in ids if i in by_id]


def case_approvals(principal: Principal, case: Case) -> dict[str, Any]:
    """The approvals section of a case page."""
    approvals = list(
        ApprovalRequest.objects.filter(case=case)
        .exclude(status=ApprovalStatus.WITHDRAWN)
        .select_related("requested_by", "decided_by")[:20]
    )
    for a in approvals:
        a.case = case
    plan = latest(case, ApprovalKind.CASE_PLAN)
    plan_state = ""
    if plan is not None:
        if plan.status == ApprovalStatus.APPROVED:
            plan_state = "approved" if plan.fingerprint == plan_fingerprint(case) else "changed"
        else:
            plan_state = plan.status
    assessment = latest(case, ApprovalKind.ASSESSMENT)
    return {
        "items": [item_of(a) for a in approvals],
        "can_approve": has_perm(principal, Perm.CASE_APPROVE),
        "user_id": principal.user.pk,
        "plan": plan,
        "plan_state": plan_state,
        "assessment": assessment,
    }
