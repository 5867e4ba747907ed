"""Supervision approvals: one mechanism for the steps a supervisor approves.

CPIMS+ and GBVIMS+ have a supervisor approve the assessment, the case plan and the closure of a
case; an organisation may also ask for approval of a caseworker's reassignment. Each step asks
here: a request holds a snapshot of what is approved (shown to the approver in words, in their
language) and a fingerprint of the thing when asked. A decision is refused when the thing changed
since (the approver would approve something they have not seen), when the decider asked for it
themselves, or when they do not hold case.approve for the case's organisation (404).

Which steps need approval is the organisation's data (ApprovalSettings; defaults: assessment,
case plan and closure). A step taken by someone who holds case.approve needs none: a supervisor's
own closure is itself the supervisory decision.

Reassignment requests keep their own table (ReassignmentRequest, with its URLs and API); the
same queue lists them (salama.cases.approval_queries) and decides them through
services.decide_reassignment, under the same rules.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.accounts.models import Organisation
from salama.cases import rules
from salama.cases.access import ensure_case
from salama.cases.choices import ApprovalKind, ApprovalStatus
from salama.cases.models import ApprovalRequest, ApprovalSettings, Case, PlanItem
from salama.core import audit
from salama.core.errors import ConflictError
from salama.core.policy import NotPermitted, Principal, ensure, has_perm
from salama.core.roles import Perm
from salama.core.versioning import bump_version

# Settings ------------------------------------------------------------------------------------


def settings_for(organisation: Organisation) -> ApprovalSettings:
    """The organisation's approval settings (the defaults when it has none saved)."""
    found = ApprovalSettings.objects.filter(organisation=organisation).first()
    return found or ApprovalSettings(organisation=organisation)


def approval_required(organisation: Organisation, kind: str) -> bool:
    if kind == ApprovalKind.REASSIGNMENT:
        return bool(organisation.reassignment_needs_approval)
    return bool(getattr(settings_for(organisation), kind))


def needs_approval(actor: Principal, case: Case, kind: str) -> bool:
    """Whether `actor` taking step `kind` on `case` must wait for a supervisor."""
    return approval_required(case.organisation, kind) and not has_perm(actor, Perm.CASE_APPROVE)


# Subjects: what each kind approves -----------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """How one kind reads what is approved: `read(case, subject_id)` gives the snapshot and
    fingerprint to request with (or raises ValidationError); `current(case, snapshot)` the
    fingerprint now."""

    read: Callable[[Case, str], tuple[dict[str, Any], str]]
    current: Callable[[Case, dict[str, Any]], str]


_SUBJECTS: dict[str, Subject] = {}


def register_subject(kind: str, subject: Subject) -> None:
    """Called from the ready() of the app that owns the thing (the assessment: screening)."""
    _SUBJECTS[kind] = subject


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _plan_rows(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": str(item.id),
            "goal": item.goal,
            "action": item.action,
            "service_type": item.service_type,
            "responsible": item.responsible.full_name if item.responsible else "",
            "responsible_id": str(item.responsible.uuid) if item.responsible else "",
            "due_on": item.due_on.isoformat() if item.due_on else "",
            "status": item.status,
        }
        for item in PlanItem.objects.filter(case=case).select_related("responsible")
    ]


def _plan_digest(rows: list[dict[str, Any]]) -> str:
    """What the plan says: its actions, who and when. Names (which people may edit) and the
    progress of each action are left out: marking an action done does not unmake the approval."""
    return _digest(
        [{k: v for k, v in r.items() if k not in ("responsible", "status")} for r in rows]
    )


def plan_fingerprint(case: Case) -> str:
    return _plan_digest(_plan_rows(case))


def _closure_fingerprint(case: Case) -> str:
    return f"{case.stage}:{case.version}"


# Requests ------------------------------------------------------------------------------------


def _pending(case: Case, kind: str) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.select_for_update()
        .filter(case=case, kind=kind, status=ApprovalStatus.PENDING)
        .first()
    )


def _create(
    actor: Principal,
    case: Case,
    kind: str,
    snapshot: dict[str, Any],
    fingerprint: str,
    request: HttpRequest | None,
) -> ApprovalRequest:
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it first."))
    if _pending(case, kind) is not None:
        raise ValidationError(
            _("A request of this kind is already waiting for approval on this case.")
        )
    approval = ApprovalRequest(
        case=case, kind=kind, fingerprint=fingerprint, requested_by=actor.user
    )
    approval.snapshot = snapshot
    approval.save()
    audit.record(
        "case.approval_request",
        actor=actor.user,
        obj=approval,
        organisation=case.organisation,
        fields=["snapshot"],
        changes={"kind": (None, kind), "snapshot_digest": (None, _digest(snapshot))},
        request=request,
        scope=case,
    )
    return approval


def request_closure(
    actor: Principal,
    case: Case,
    *,
    reason: str,
    note: str,
    request: HttpRequest | None,
) -> ApprovalRequest:
    """Ask a supervisor to close `case` (called by services.close_case, which checked the actor,
    the reason and the version): the case stays open until the closure is approved."""
    snapshot = {"reason": reason, "note": note.strip(), "stage": case.stage}
    return _create(actor, case, ApprovalKind.CLOSURE, snapshot, _closure_fingerprint(case), request)


@transaction.atomic
def submit_plan(
    *, actor: Principal, case: Case, request: HttpRequest | None = None
) -> ApprovalRequest:
    """Ask a supervisor to approve the case plan as it is now."""
    ensure_case(actor, case, Perm.CASE_CHANGE)
    rows = _plan_rows(case)
    if not rows:
        raise ValidationError(_("The plan has no action yet; add the plan's actions first."))
    return _create(
        actor, case, ApprovalKind.CASE_PLAN, {"items": rows}, _plan_digest(rows), request
    )


@transaction.atomic
def submit_assessment(
    *, actor: Principal, case: Case, assessment_id: str, request: HttpRequest | None = None
) -> ApprovalRequest:
    """Ask a supervisor to approve a finalised assessment of the case."""
    ensure_case(actor, case, Perm.CASE_CHANGE)
    subject = _SUBJECTS.get(ApprovalKind.ASSESSMENT)
    if subject is None:
        raise ValidationError(_("Assessments cannot be submitted for approval here."))
    snapshot, fingerprint = subject.read(case, assessment_id)
    return _create(actor, case, ApprovalKind.ASSESSMENT, snapshot, fingerprint, request)


def after_finalised_assessment(
    actor: Principal, case: Case, assessment_id: str, request: HttpRequest | None
) -> ApprovalRequest | None:
    """The screening app calls this when an assessment is finalised: it waits for a supervisor
    when the organisation asks (a pending one for an older assessment is withdrawn)."""
    if not needs_approval(actor, case, ApprovalKind.ASSESSMENT):
        return None
    older = _pending(case, ApprovalKind.ASSESSMENT)
    if older is not None:
        _close_request(older, ApprovalStatus.WITHDRAWN, actor, "", request)
    return submit_assessment(actor=actor, case=case, assessment_id=assessment_id, request=request)


# Decisions -----------------------------------------------------------------------------------


def ensure_approval(actor: Principal | None, approval: ApprovalRequest) -> None:
    if approval.case_id is None:
        raise NotPermitted
    ensure(actor, approval.case, Perm.CASE_APPROVE)


STALE = {
    ApprovalKind.CLOSURE: gettext_lazy(
        "The case changed since the closure was requested. Ask the caseworker to request the "
        "closure again, so that you approve what the case is now."
    ),
    ApprovalKind.CASE_PLAN: gettext_lazy(
        "The plan changed since it was submitted. Ask the caseworker to submit it again, so that "
        "you approve the plan as it is now."
    ),
    ApprovalKind.ASSESSMENT: gettext_lazy(
        "A newer assessment replaced this one. Approve the newer assessment instead."
    ),
}


def _current_fingerprint(approval: ApprovalRequest, case: Case) -> str:
    if approval.kind == ApprovalKind.CLOSURE:
        return _closure_fingerprint(case)
    if approval.kind == ApprovalKind.CASE_PLAN:
        return plan_fingerprint(case)
    subject = _SUBJECTS.get(approval.kind)
    return subject.current(case, approval.snapshot) if subject else ""


def _close_request(
    approval: ApprovalRequest,
    status: str,
    actor: Principal,
    comment: str,
    request: HttpRequest | None,
) -> None:
    approval.status = status
    approval.decided_by = actor.user
    approval.decided_at = timezone.now()
    approval.comment = comment
    approval.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    audit.record(
        "case.approval_decide",
        actor=actor.user,
        obj=approval,
        organisation=approval.case.organisation,
        fields=["snapshot", "comment"] if comment else ["snapshot"],
        changes={
            "kind": (None, approval.kind),
            "status": (ApprovalStatus.PENDING, status),
            "snapshot_digest": (None, _digest(approval.snapshot)),
        },
        request=request,
        scope=approval.case,
    )


@transaction.atomic
def decide(
    *,
    actor: Principal,
    approval: ApprovalRequest,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> ApprovalRequest:
    """Approve or return a request. Approving a closure closes the case; returning anything
    sends it back to the caseworker with the comment."""
    ensure_approval(actor, approval)
    comment = comment.strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("A comment holds at most 2,000 characters.")})
    locked = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
    if locked.status != ApprovalStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    if approval.requested_by_id == actor.user.pk:
        raise ValidationError(_("Someone other than the requester must decide."))
    if not approve and not comment:
        raise ValidationError(
            {"comment": _("Say what the caseworker should change before it can be approved.")}
        )
    case = Case.objects.select_for_update().get(pk=approval.case_id)
    approval.case = case
    if approve and _current_fingerprint(approval, case) != approval.fingerprint:
        raise ValidationError(STALE[ApprovalKind(approval.kind)], code="stale")
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    _close_request(approval, status, actor, comment, request)
    if approve and approval.kind == ApprovalKind.CLOSURE:
        from salama.cases import services

        snapshot = approval.snapshot
        bump_version(case, None, services.CASE_CHANGED)
        try:
            services.perform_close(
                actor,
                case,
                reason=snapshot["reason"],
                note=snapshot.get("note", ""),
                note_author=approval.requested_by,
                request=request,
            )
        except rules.TransitionRefused as exc:
            raise ValidationError(services.refusal_message(exc), code=exc.code) from None
    return approval


# Reads for pages and the API -----------------------------------------------------------------


def latest(case: Case, kind: str) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.filter(case=case, kind=kind)
        .exclude(status=ApprovalStatus.WITHDRAWN)
        .select_related("requested_by", "decided_by")
        .first()
    )


@transaction.atomic
def request_approval(
    *,
    actor: Principal,
    case: Case,
    kind: str,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
    assessment_id: str = "",
    request: HttpRequest | None = None,
) -> ApprovalRequest:
    """Ask explicitly for a supervisor's approval of one step (the API's request operation).

    A closure asked for this way waits for approval even when the asker could close the case
    themselves; reassignment is asked for by assigning (services.assign_case).
    """
    ensure_case(actor, case, Perm.CASE_CHANGE)
    if kind == ApprovalKind.CASE_PLAN:
        return submit_plan(actor=actor, case=case, request=request)
    if kind == ApprovalKind.ASSESSMENT:
        return submit_assessment(
            actor=actor, case=case, assessment_id=assessment_id, request=request
        )
    if kind != ApprovalKind.CLOSURE:
        raise ValidationError(
            {"kind": _("Ask for approval of an assessment, a case plan or a closure.")}
        )
    from salama.cases import services

    try:
        rules.check_closure(
            rules.load_stage_table(),
            case.stage,
            reason,
            reflection_ends=case.reflection_ends,
            today=timezone.localdate(),
        )
    except rules.TransitionRefused as exc:
        raise ValidationError(services.refusal_message(exc), code=exc.code) from None
    current = Case.objects.only("version").get(pk=case.pk).version
    if expected_version is not None and expected_version != current:
        raise ConflictError(services.CASE_CHANGED)
    return request_closure(actor, case, reason=reason, note=note, request=request)


def assessment_approval(case: Case, assessment_id: Any) -> ApprovalRequest | None:
    """The latest approval request of one assessment (its fingerprint is the assessment's id)."""
    return (
        ApprovalRequest.objects.filter(
            case=case, kind=ApprovalKind.ASSESSMENT, fingerprint=str(assessment_id)
        )
        .exclude(status=ApprovalStatus.WITHDRAWN)
        .select_related("decided_by")
        .first()
    )
