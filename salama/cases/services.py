"""Every write to cases: opening, stage changes, closure, assignment, notes, files, tasks, plan.

Source of the lifecycle: docs/domain.md#case-lifecycle, interpreted by salama.cases.rules from
its data table. Each function is one transaction, checks the actor against the case itself
(salama.cases.access), and writes an audit entry scoped to the
case (the case timeline is read from those entries). Stage changes and edits carry the version
the user saw; a stale version is refused instead of silently overwriting someone else's work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.accounts.models import Membership, User
from salama.cases import rules
from salama.cases.access import ensure_case, ensure_case_content, ensure_reassignment
from salama.cases.case_events import case_event_data
from salama.cases.choices import (
    CaseType,
    ClosureReason,
    PlanItemStatus,
    ReassignmentStatus,
    Stage,
    TaskKind,
    TaskStatus,
)
from salama.cases.models import (
    Attachment,
    Case,
    CaseCounter,
    CaseNote,
    PlanItem,
    ReassignmentRequest,
    Task,
)
from salama.cases.plan_links import check_contact
from salama.cases.safety_models import Contact
from salama.core import audit, events, uploads
from salama.core.errors import ConflictError
from salama.core.policy import Principal, ensure, has_perm
from salama.core.roles import Perm, Role
from salama.core.versioning import bump_version
from salama.people.models import Person

# The accepted types and their extensions; salama.core.uploads parses each file to check it.
ALLOWED_ATTACHMENT_TYPES = uploads.ATTACHMENT_TYPES


def _table() -> rules.StageTable:
    return rules.load_stage_table()


def _refusal_message(exc: rules.TransitionRefused) -> str:
    stage_label = {s.value: str(s.label) for s in Stage}
    if exc.code == "case_closed":
        return _("The case is closed. Reopen it first.")
    if exc.code == "use_closure":
        return _("Use “Close case” to close a case; it asks for the reason.")
    if exc.code == "not_allowed":
        allowed = ", ".join(stage_label.get(s, s) for s in exc.params.get("allowed", [])) or _(
            "none"
        )
        return _(
            "A case cannot move from “%(from)s” to “%(to)s”. From here it can move to: %(allowed)s."
        ) % {
            "from": stage_label.get(exc.params["stage"], exc.params["stage"]),
            "to": stage_label.get(exc.params["target"], exc.params["target"]),
            "allowed": allowed,
        }
    if exc.code == "needs_event":
        events = exc.params.get("events", [])
        target = stage_label.get(exc.params["target"], exc.params["target"])
        if events == ["identification.referred"]:
            return _(
                "A case moves to “%(to)s” when its referral to a competent authority is recorded "
                "(on the screening and identification page)."
            ) % {"to": target}
        return _(
            "A case moves to “%(to)s” only when a competent authority's identification decision "
            "is recorded (on the screening and identification page)."
        ) % {"to": target}
    if exc.code == "reflection_period_running":
        return _(
            "The reflection and recovery period runs until %(date)s; "
            "no removal or return is allowed before then."
        ) % {"date": exc.params["ends"]}
    if exc.code == "unknown_reason":
        return _("Choose a closure reason from the list.")
    return _("That stage is not known.")


# What someone meets when another person saved the case first (salama.core.versioning).
CASE_CHANGED = gettext_lazy(
    "Someone else changed this case while you were working on it. "
    "Reload the page to see their change, then try again."
)


def _member_of(user: User | None, case_org_id: int, roles: tuple[str, ...]) -> bool:
    return (
        user is not None
        and Membership.objects.filter(
            user=user, organisation_id=case_org_id, role__in=roles, is_active=True
        ).exists()
    )


def _next_reference(organisation: Any) -> str:
    year = timezone.now().year
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{organisation.reference_prefix}-{year}-{counter.last:05d}"


@transaction.atomic
def open_case(
    *,
    actor: Principal,
    person: Person,
    case_type: str,
    summary: str = "",
    assigned_to: User | None = None,
    supervisor: User | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for `person` in the actor's organisation, assigned to the actor by default."""
    ensure(actor, person, Perm.CASE_CREATE)
    if person.is_erased:
        raise ValidationError(
            _("This person was erased; open a case for a new registration instead.")
        )
    if case_type not in CaseType.values:
        raise ValidationError({"case_type": _("Choose a case type from the list.")})
    org = actor.organisation
    assert org is not None
    assigned_to = assigned_to or actor.user
    if not _member_of(assigned_to, org.pk, (Role.CASEWORKER, Role.SUPERVISOR)):
        raise ValidationError(
            {
                "assigned_to": _("The caseworker must be a caseworker or supervisor of %(org)s.")
                % {"org": org.name}
            }
        )
    if supervisor is not None and not _member_of(supervisor, org.pk, (Role.SUPERVISOR,)):
        raise ValidationError(
            {"supervisor": _("The supervisor must be a supervisor of %(org)s.") % {"org": org.name}}
        )
    child = bool(person.is_minor) or case_type == CaseType.UNACCOMPANIED_CHILD
    case = Case(
        reference=_next_reference(org),
        organisation=org,
        person=person,
        case_type=case_type,
        stage=_table().initial,
        stage_table_version=_table().version,
        assigned_to=assigned_to,
        supervisor=supervisor,
        jurisdiction=org.country,
        is_child_case=child,
        best_interests_flag=child,
        summary=summary.strip(),
    )
    case.save()
    audit.record(
        "case.open",
        actor=actor.user,
        obj=case,
        organisation=org,
        fields=["summary"] if summary else [],
        changes={
            "reference": (None, case.reference),
            "case_type": (None, case_type),
            "stage": (None, case.stage),
            "assigned_to": (None, str(assigned_to.uuid)),
            "person": (None, str(person.pk)),
        },
        request=request,
        scope=case,
    )
    events.emit(
        "case.opened", organisation_id=org.pk, record_id=str(case.pk), data=case_event_data(case)
    )
    return case


@transaction.atomic
def move_case(
    *,
    actor: Principal,
    case: Case,
    target: str,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> Case:
    """Move a case to another stage; the table decides what is allowed."""
    ensure_case(actor, case, Perm.CASE_CHANGE)
    table = _table()
    try:
        rules.check_transition(table, case.stage, target, case.case_type)
    except rules.TransitionRefused as exc:
        raise ValidationError(_refusal_message(exc), code=exc.code) from None
    bump_version(case, expected_version, CASE_CHANGED)
    return _move(actor, case, target, table, request)


# What an actor needs, besides working the case, for an event to move it.
EVENT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "screening.final": (),
    "identification.referred": (),
    "reasonable_grounds.positive": (Perm.IDENTIFICATION_RECORD,),
    "reasonable_grounds.negative": (Perm.IDENTIFICATION_RECORD,),
    "conclusive_grounds.positive": (Perm.IDENTIFICATION_RECORD,),
    "conclusive_grounds.negative": (Perm.IDENTIFICATION_RECORD,),
}


@transaction.atomic
def follow_event(
    *, actor: Principal, case: Case, event: str, request: HttpRequest | None = None
) -> str | None:
    """Move the case where the stage table sends it on `event`, and return the new stage.

    The events are a finalised screening, a referral to a competent authority and each
    identification decision (``<step>.<outcome>``); the service that records the event calls
    this in its own transaction. None, and no change, when the table moves the case nowhere
    from its stage (it is already further on, or closed). Audited as a stage change that names
    the event.
    """
    ensure_case(actor, case, Perm.CASE_CHANGE, *EVENT_PERMISSIONS.get(event, ()))
    table = _table()
    if event not in EVENT_PERMISSIONS:
        raise ValidationError(_("That event is not known."), code="unknown_event")
    # The event is recorded whatever page the actor saw: move from the stage the case has now.
    current = Case.objects.select_for_update().only("stage", "version").get(pk=case.pk)
    case.stage, case.version = current.stage, current.version
    target = rules.target_on_event(table, case.stage, event, case.case_type)
    if target is None or target == case.stage:
        return None
    bump_version(case, None, CASE_CHANGED)
    _move(actor, case, target, table, request, event=event)
    return target


def _move(
    actor: Principal,
    case: Case,
    target: str,
    table: rules.StageTable,
    request: HttpRequest | None,
    *,
    event: str = "",
) -> Case:
    old = case.stage
    case.stage = target
    case.stage_changed_at = timezone.now()
    fields = ["stage", "stage_changed_at", "version", "updated_at"]
    changes: dict[str, tuple[Any, Any]] = {"stage": (old, target)}
    if event:
        changes["event"] = (None, event)
    if table.stages[target].get("starts_reflection_period") and case.reflection_starts is None:
        case.reflection_starts = timezone.localdate()
        case.reflection_ends = rules.reflection_end(
            table, case.reflection_starts, case.jurisdiction
        )
        fields += ["reflection_starts", "reflection_ends"]
        changes["reflection_ends"] = (None, case.reflection_ends.isoformat())
    case.save(update_fields=fields)
    audit.record(
        "case.move",
        actor=actor.user,
        obj=case,
        organisation=case.organisation,
        changes=changes,
        request=request,
        scope=case,
    )
    events.emit(
        "case.stage_changed",
        organisation_id=case.organisation_id,
        record_id=str(case.pk),
        data={**case_event_data(case), "from_stage": old},
    )
    return case


@transaction.atomic
def close_case(
    *,
    actor: Principal,
    case: Case,
    reason: str,
    expected_version: int | None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Close a case; where the organisation wants a supervisor to approve closures and the actor
    is not one, ask for approval instead (salama.cases.approvals): the case stays open."""
    from salama.cases import approvals
    from salama.cases.choices import ApprovalKind

    ensure_case(actor, case, Perm.CASE_CHANGE)
    try:
        rules.check_closure(
            _table(),
            case.stage,
            reason,
            reflection_ends=case.reflection_ends,
            today=timezone.localdate(),
        )
    except rules.TransitionRefused as exc:
        raise ValidationError(_refusal_message(exc), code=exc.code) from None
    if approvals.needs_approval(actor, case, ApprovalKind.CLOSURE):
        current = Case.objects.only("version").get(pk=case.pk).version
        if expected_version is not None and expected_version != current:
            raise ConflictError(CASE_CHANGED)
        approvals.request_closure(actor, case, reason=reason, note=note, request=request)
        return case
    bump_version(case, expected_version, CASE_CHANGED)
    return perform_close(actor, case, reason=reason, note=note, request=request)


def refusal_message(exc: rules.TransitionRefused) -> str:
    return _refusal_message(exc)


def perform_close(
    actor: Principal,
    case: Case,
    *,
    reason: str,
    note: str,
    request: HttpRequest | None,
    note_author: User | None = None,
) -> Case:
    """Close `case` (the actor and the version were checked by the caller); the closure rules
    are checked again, as an approved closure runs some time after it was asked for."""
    rules.check_closure(
        _table(),
        case.stage,
        reason,
        reflection_ends=case.reflection_ends,
        today=timezone.localdate(),
    )
    old = case.stage
    case.stage_before_closure = old
    case.stage = Stage.CLOSED
    case.stage_changed_at = case.closed_at = timezone.now()
    case.closure_reason = reason
    case.save(
        update_fields=[
            "stage",
            "stage_before_closure",
            "stage_changed_at",
            "closed_at",
            "closure_reason",
        ]
    )
    if note.strip():
        CaseNote.objects.create(case=case, author=note_author or actor.user, body=note.strip())
    audit.record(
        "case.close",
        actor=actor.user,
        obj=case,
        organisation=case.organisation,
        fields=["note"] if note.strip() else [],
        changes={"stage": (old, Stage.CLOSED), "closure_reason": (None, reason)},
        request=request,
        scope=case,
    )
    events.emit(
        "case.closed",
        organisation_id=case.organisation_id,
        record_id=str(case.pk),
        data={**case_event_data(case), "from_stage": old, "closure_reason": reason},
    )
    return case


@transaction.atomic
def reopen_case(
    *,
    actor: Principal,
    case: Case,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> Case:
    ensure_case(actor, case, Perm.CASE_CHANGE)
    if not case.is_closed:
        raise ValidationError(_("Only a closed case can be reopened."))
    if case.person.is_erased:
        raise ValidationError(_("The person was erased; the case cannot be reopened."))
    bump_version(case, expected_version, CASE_CHANGED)
    target = case.stage_before_closure or Stage.ASSISTANCE_PLAN
    case.stage = target
    case.stage_changed_at = timezone.now()
    old_reason = case.closure_reason
    case.closed_at = None
    case.closure_reason = ""
    case.save(update_fields=["stage", "stage_changed_at", "closed_at", "closure_reason"])
    audit.record(
        "case.reopen",
        actor=actor.user,
        obj=case,
        organisation=case.organisation,
        changes={"stage": (Stage.CLOSED, target), "closure_reason": (old_reason, "")},
        request=request,
        scope=case,
    )
    events.emit(
        "case.reopened",
        organisation_id=case.organisation_id,
        record_id=str(case.pk),
        data=case_event_data(case),
    )
    return case


@transaction.atomic
def assign_case(
    *, actor: Principal, case: Case, to_user: User, request: HttpRequest | None = None
) -> Case | ReassignmentRequest:
    """Assign a case. Supervisors assign directly; a caseworker's hand-over needs a supervisor's
    approval when the organisation asks for it (then a pending request is returned)."""
    ensure_case(actor, case, Perm.CASE_CHANGE)
    if not _member_of(to_user, case.organisation_id, (Role.CASEWORKER, Role.SUPERVISOR)):
        raise ValidationError(
            _("Cases can only be assigned to caseworkers or supervisors of this organisation.")
        )
    if to_user == case.assigned_to:
        raise ValidationError(_("The case is already assigned to this person."))
    needs_approval = case.organisation.reassignment_needs_approval and not has_perm(
        actor, Perm.CASE_ASSIGN
    )
    if needs_approval:
        if ReassignmentRequest.objects.filter(
            case=case, status=ReassignmentStatus.PENDING
        ).exists():
            raise ValidationError(_("A reassignment of this case is already waiting for approval."))
        req = ReassignmentRequest.objects.create(
            case=case, to_user=to_user, requested_by=actor.user
        )
        audit.record(
            "case.reassign_request",
            actor=actor.user,
            obj=req,
            organisation=case.organisation,
            changes={"to_user": (None, str(to_user.uuid))},
            request=request,
            scope=case,
        )
        return req
    if not has_perm(actor, Perm.CASE_ASSIGN) and case.assigned_to_id != actor.user.pk:
        raise PermissionDenied
    return _assign(actor, case, to_user, request)


def _assign(actor: Principal, case: Case, to_user: User, request: HttpRequest | None) -> Case:
    old = case.assigned_to
    case.assigned_to = to_user
    bump_version(case, None, CASE_CHANGED)
    case.save(update_fields=["assigned_to"])
    audit.record(
        "case.assign",
        actor=actor.user,
        obj=case,
        organisation=case.organisation,
        changes={"assigned_to": (str(old.uuid) if old else None, str(to_user.uuid))},
        request=request,
        scope=case,
    )
    events.emit(
        "case.reassigned",
        organisation_id=case.organisation_id,
        record_id=str(case.pk),
        data={**case_event_data(case), "assigned_to": str(to_user.uuid)},
    )
    return case


@transaction.atomic
def decide_reassignment(
    *,
    actor: Principal,
    reassignment: ReassignmentRequest,
    approve: bool,
    request: HttpRequest | None = None,
) -> ReassignmentRequest:
    ensure_reassignment(actor, reassignment)
    if reassignment.status != ReassignmentStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    if reassignment.requested_by_id == actor.user.pk:
        raise ValidationError(_("Someone other than the requester must decide."))
    reassignment.status = ReassignmentStatus.APPROVED if approve else ReassignmentStatus.REJECTED
    reassignment.decided_by = actor.user
    reassignment.decided_at = timezone.now()
    reassignment.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        "case.reassign_decide",
        actor=actor.user,
        obj=reassignment,
        organisation=reassignment.case.organisation,
        changes={"status": (ReassignmentStatus.PENDING, reassignment.status)},
        request=request,
        scope=reassignment.case,
    )
    if approve:
        _assign(actor, reassignment.case, reassignment.to_user, request)
    return reassignment


def _open_for_work(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it to add to it."))


@transaction.atomic
def add_note(
    *, actor: Principal, case: Case, body: str, request: HttpRequest | None = None
) -> CaseNote:
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    if not body.strip():
        raise ValidationError({"body": _("The note is empty.")})
    if len(body) > 20000:
        raise ValidationError(
            {"body": _("A note holds at most 20,000 characters; split it in two.")}
        )
    note = CaseNote.objects.create(case=case, author=actor.user, body=body.strip())
    audit.record(
        "case.note",
        actor=actor.user,
        obj=note,
        organisation=case.organisation,
        fields=["body"],
        request=request,
        scope=case,
    )
    return note


def _check_upload(upload: UploadedFile[Any]) -> str:
    """The attachment's content type, once its size, extension, declared type and parsed content
    agree (salama.core.uploads); the bytes are stored as they came."""
    return uploads.check_attachment(
        upload, max_bytes=settings.SALAMA_MAX_ATTACHMENT_BYTES, field="file"
    )


@transaction.atomic
def add_attachment(
    *,
    actor: Principal,
    case: Case,
    upload: UploadedFile[Any],
    description: str = "",
    request: HttpRequest | None = None,
) -> Attachment:
    """Store an encrypted attachment after checking its size, extension and content."""
    ensure_case_content(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    content_type = _check_upload(upload)
    attachment = Attachment(
        case=case,
        filename=(upload.name or "file")[:255],
        description=description.strip(),
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor.user,
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    audit.record(
        "case.attach",
        actor=actor.user,
        obj=attachment,
        organisation=case.organisation,
        fields=["filename", "description", "file"],
        changes={"content_type": (None, content_type), "size": (None, attachment.size)},
        request=request,
        scope=case,
    )
    return attachment


@transaction.atomic
def add_task(
    *,
    actor: Principal,
    case: Case,
    title: str,
    due_on: dt.date | None = None,
    assigned_to: User | None = None,
    kind: str = "",
    contact: Contact | None = None,
    request: HttpRequest | None = None,
) -> Task:
    """Add a task; `kind` marks one the system adds, so the event that fulfils it can close it.
    `contact` is the case's contact at which it was agreed, if any."""
    ensure_case(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    check_contact(case, contact)
    if not title.strip():
        raise ValidationError({"title": _("Say what needs doing.")})
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("Unknown kind of task.")})
    assigned_to = assigned_to or case.assigned_to or actor.user
    if not _member_of(assigned_to, case.organisation_id, (Role.CASEWORKER, Role.SUPERVISOR)):
        raise ValidationError(
            {"assigned_to": _("Tasks go to caseworkers or supervisors of this organisation.")}
        )
    task = Task.objects.create(
        case=case,
        title=title.strip(),
        due_on=due_on,
        assigned_to=assigned_to,
        kind=kind,
        created_by=actor.user,
        contact=contact,
    )
    audit.record(
        "case.task_add",
        actor=actor.user,
        obj=task,
        organisation=case.organisation,
        fields=["title"],
        changes={
            "due_on": (None, due_on.isoformat() if due_on else None),
            "contact": (None, str(contact.pk) if contact else None),
        },
        request=request,
        scope=case,
    )
    return task


@transaction.atomic
def set_task_status(
    *, actor: Principal, task: Task, status: str, request: HttpRequest | None = None
) -> Task:
    ensure_case(actor, task.case, Perm.CASE_CHANGE)
    if status not in TaskStatus.values:
        raise ValidationError(_("Unknown task status."))
    old = task.status
    if old == status:
        return task
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at"])
    audit.record(
        "case.task_status",
        actor=actor.user,
        obj=task,
        organisation=task.case.organisation,
        changes={"status": (old, status)},
        request=request,
        scope=task.case,
    )
    return task


@transaction.atomic
def add_plan_item(
    *,
    actor: Principal,
    case: Case,
    goal: str,
    action: str,
    service_type: str = "",
    responsible: User | None = None,
    due_on: dt.date | None = None,
    source: str = "",
    contact: Contact | None = None,
    generated_key: str = "",
    generated_params: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> PlanItem:
    ensure_case(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    check_contact(case, contact)
    if not action.strip():
        raise ValidationError({"action": _("Describe the action.")})
    item = PlanItem.objects.create(
        case=case,
        goal=goal.strip(),
        action=action.strip(),
        service_type=service_type,
        responsible=responsible,
        due_on=due_on,
        source=source,
        generated_key=generated_key,
        generated_params=generated_params or {},
        created_by=actor.user,
        contact=contact,
    )
    audit.record(
        "case.plan_add",
        actor=actor.user,
        obj=item,
        organisation=case.organisation,
        fields=["goal", "action"],
        changes={
            "service_type": (None, service_type or None),
            "source": (None, source or None),
            "contact": (None, str(contact.pk) if contact else None),
        },
        request=request,
        scope=case,
    )
    return item


@transaction.atomic
def set_plan_item_status(
    *, actor: Principal, item: PlanItem, status: str, request: HttpRequest | None = None
) -> PlanItem:
    ensure_case(actor, item.case, Perm.CASE_CHANGE)
    if status not in PlanItemStatus.values:
        raise ValidationError(_("Unknown plan status."))
    old = item.status
    item.status = status
    item.save(update_fields=["status"])
    audit.record(
        "case.plan_status",
        actor=actor.user,
        obj=item,
        organisation=item.case.organisation,
        changes={"status": (old, status)},
        request=request,
        scope=item.case,
    )
    return item


@transaction.atomic
def update_summary(
    *,
    actor: Principal,
    case: Case,
    summary: str,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> Case:
    ensure_case(actor, case, Perm.CASE_CHANGE)
    _open_for_work(case)
    bump_version(case, expected_version, CASE_CHANGED)
    case.summary = summary.strip()
    case.save(update_fields=["summary"])
    audit.record(
        "case.summary",
        actor=actor.user,
        obj=case,
        organisation=case.organisation,
        fields=["summary"],
        request=request,
        scope=case,
    )
    return case


def closure_reason_choices() -> list[tuple[str, str]]:
    return [(r, str(ClosureReason(r).label)) for r in _table().closure_reasons]


def delete_files_of_person(person: Person) -> None:
    """Erasure: the stored files of the person's cases go with the person's key (their rows stay,
    unreadable, for the case history)."""
    for attachment in Attachment.objects.filter(case__person=person):
        attachment.file.delete(save=False)
