"""What the case pages and the cases API read, written once.

A page renders these results and the API serialises them; neither reads cases, notes, files,
staff or the timeline on its own, so the two cannot drift apart. Every function takes the acting
principal, and a case only as fetched through ``salama.cases.access`` (visible to that principal).

Notes, files and the timeline say things about the person, so reading them needs ``person.view``
as well as the case (``salama.cases.access.access_case_content``): an API token scoped to
``case.view`` alone sees the case's stage and dates, never what was written about the person.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, Model, OuterRef, QuerySet, Subquery, TextChoices
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.accounts.models import Organisation, User
from salama.cases.access import access_case_content, through_visible_case, visible_cases
from salama.cases.choices import (
    ApprovalKind,
    ApprovalStatus,
    ClosureReason,
    PlanItemStatus,
    ReassignmentStatus,
    Stage,
    TaskStatus,
)
from salama.cases.models import (
    Attachment,
    Case,
    CaseNote,
    ExploitationRecord,
    Perpetrator,
    PlanItem,
    ReassignmentRequest,
    Task,
)
from salama.core import audit, keystore
from salama.core.pagination import LightPage
from salama.core.policy import Principal, get_or_404, has_perm, require_perm
from salama.core.roles import Perm, Role
from salama.people.models import Consent

# The case list ----------------------------------------------------------------------------------

PER_PAGE = 50


class CaseStatusFilter(TextChoices):
    OPEN = "open", gettext_lazy("Open")
    CLOSED = "closed", gettext_lazy("Closed")
    ALL = "all", gettext_lazy("All")


class CaseSort(TextChoices):
    """The orders a case list may take; the case id breaks ties, so pages never overlap."""

    NEWEST = "-opened_at", gettext_lazy("Newest first")
    OLDEST = "opened_at", gettext_lazy("Oldest first")
    STAGE_CHANGED = "-stage_changed_at", gettext_lazy("Stage changed recently")
    REFERENCE = "reference", gettext_lazy("Reference")


ASSIGNED_TO_ME = "me"

# What a row of the list carries, on the page and in the API. Decrypting a name needs the
# person's sealed names and data key; the summary and the other columns of the four tables are
# never read here (fifty rows of every column cost more to convert than the statement).
LIST_COLUMNS = (
    "id",
    "reference",
    "case_type",
    "stage",
    "version",
    "opened_at",
    "stage_changed_at",
    "reflection_starts",
    "reflection_ends",
    "closed_at",
    "closure_reason",
    "is_child_case",
    "person__id",
    "person__given_name",
    "person__family_name",
    "person__erased_at",
    "person__data_key__id",
    "person__data_key__kek_id",
    "person__data_key__shredded_at",
    "assigned_to__id",
    "assigned_to__uuid",
    "assigned_to__full_name",
    "supervisor__id",
    "supervisor__uuid",
)


@dataclass(frozen=True)
class CaseListQuery:
    """The one filter and sort contract of the case list (page form and API query alike)."""

    status: str = CaseStatusFilter.OPEN  # open, closed or all
    stage: str = ""  # one stage, or any
    case_type: str = ""  # one case type, or any
    assigned: str = ""  # "me": only the caller's own cases; empty: anyone's they may see
    assignee: str = ""  # a staff member's UUID: only the cases assigned to them
    reference: str = ""  # part of the case reference, any case
    overdue: bool = False  # only cases with an open task past its due date
    sort: str = CaseSort.NEWEST

    def __post_init__(self) -> None:
        if self.status not in CaseStatusFilter.values:
            raise ValueError(f"unknown case status filter {self.status!r}")
        if self.sort not in CaseSort.values:
            raise ValueError(f"unknown case sort {self.sort!r}")
        if self.assigned not in ("", ASSIGNED_TO_ME):
            raise ValueError(f"unknown assignment filter {self.assigned!r}")
        if self.assignee:
            uuid.UUID(self.assignee)  # ValueError for anything else

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CaseListQuery:
        """From a form's cleaned data or the API's query; a missing or empty value is the default."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            value = params.get(spec.name)
            if value is None or value == "":
                continue
            values[spec.name] = bool(value) if spec.type == "bool" else str(value).strip()
        return cls(**values)


def _overdue_tasks() -> QuerySet[Task]:
    return Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=timezone.localdate())


def case_list(principal: Principal | None, query: CaseListQuery) -> QuerySet[Case]:
    """The cases the principal may see that match `query`, in its order (PermissionDenied
    without case.view)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    cases = (
        visible_cases(principal)
        .select_related("person__data_key", "assigned_to", "supervisor")
        .only(*LIST_COLUMNS)
    )
    if query.status == CaseStatusFilter.OPEN:
        cases = cases.filter(closed_at__isnull=True)
    elif query.status == CaseStatusFilter.CLOSED:
        cases = cases.filter(closed_at__isnull=False)
    if query.stage:
        cases = cases.filter(stage=query.stage)
    if query.case_type:
        cases = cases.filter(case_type=query.case_type)
    if query.assigned == ASSIGNED_TO_ME:
        cases = cases.filter(assigned_to=principal.user)
    if query.assignee:
        cases = cases.filter(assigned_to__uuid=query.assignee)
    if query.reference:
        cases = cases.filter(reference__icontains=query.reference)
    if query.overdue:
        cases = cases.filter(Exists(_overdue_tasks().filter(case=OuterRef("pk"))))
    return cases.order_by(query.sort, "id")


@dataclass(frozen=True)
class CaseListPage:
    """One page of the case list, and which of its cases have an overdue task."""

    page: LightPage[Case]
    overdue_ids: frozenset[Any]
    # The overdue tasks of the page's cases, by case id, due longest ago first.
    late_tasks: Mapping[Any, list[Task]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[tuple[Case, bool]]:
        return ((case, case.pk in self.overdue_ids) for case in self.page)


def case_list_page(
    principal: Principal | None, query: CaseListQuery, page_number: Any
) -> CaseListPage:
    page: LightPage[Case] = LightPage(case_list(principal, query), page_number, PER_PAGE)
    keystore.warm(case.person.data_key_id for case in page)  # the page's keys in one query
    late = oldest_overdue_tasks(page)
    return CaseListPage(page, frozenset(late), late)


def oldest_overdue_tasks(cases: Iterable[Case]) -> dict[Any, list[Task]]:
    """The overdue tasks of `cases` by case id, due longest ago first, each readable with its
    case's person key (so the case list can say which task is late, and by how much)."""
    by_id = {case.pk: case for case in cases}
    late: dict[Any, list[Task]] = {}
    tasks = (
        _overdue_tasks()
        .filter(case_id__in=by_id)
        .only("id", "title", "due_on", "status", "case_id")
        .order_by("due_on", "created_at")
    )
    for task in tasks:
        task.case = by_id[task.case_id]
        late.setdefault(task.case_id, []).append(task)
    return late


# Staff ------------------------------------------------------------------------------------------

STAFF_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


def staff_of(
    organisation: Organisation | None, roles: tuple[str, ...] = STAFF_ROLES
) -> QuerySet[User]:
    """The active members of `organisation` holding one of `roles`: who may be given a case, a
    task or a plan item there (by name)."""
    if organisation is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=roles,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


def staff_member(
    organisation: Organisation | None, user_uuid: Any, roles: tuple[str, ...] = STAFF_ROLES
) -> User | None:
    """One of `staff_of(organisation, roles)` by UUID, or None."""
    return staff_of(organisation, roles).filter(uuid=user_uuid).first()


# What is on a case ------------------------------------------------------------------------------


def _require_content(principal: Principal | None) -> None:
    """Notes, files and the timeline of a visible case need person.view as well (404 without)."""
    if not has_perm(principal, Perm.PERSON_VIEW):
        raise Http404("Not found")


def case_notes(principal: Principal | None, case: Case) -> list[CaseNote]:
    """The notes, newest first (person.view, else 404; none once the person is erased)."""
    _require_content(principal)
    return [] if case.person.is_erased else list(case.notes.select_related("author"))


def case_attachments(principal: Principal | None, case: Case) -> list[Attachment]:
    """The files, newest first (person.view, else 404; none once the person is erased)."""
    _require_content(principal)
    return [] if case.person.is_erased else list(case.attachments.select_related("uploaded_by"))


def case_tasks(case: Case) -> list[Task]:
    """Open tasks first, by due date (none shown once the person is erased)."""
    return [] if case.person.is_erased else list(case.tasks.select_related("assigned_to"))


def case_plan(case: Case) -> list[PlanItem]:
    """The plan's items by due date (none shown once the person is erased)."""
    if case.person.is_erased:
        return []
    return list(case.plan_items.select_related("responsible"))


def case_exploitation(case: Case) -> ExploitationRecord | None:
    """The case's exploitation record with its places and dates, or None when none was recorded.

    Its values are codes and countries, no one's identity: it is read with the case, and stays
    after the person's erasure (docs/domain.md#exploitation-record)."""
    record = (
        ExploitationRecord.objects.filter(case=case)
        .select_related("updated_by")
        .prefetch_related("events")
        .first()
    )
    if record is not None:
        record.case = case
    return record


def case_perpetrators(principal: Principal | None, case: Case) -> list[Perpetrator]:
    """The perpetrators recorded on the case, in the order recorded (person.view, else 404).

    After the person's erasure, or a perpetrator's, `identity_erased` is true and only the clear
    facts (role, citizenship, sex, age band) may be read."""
    _require_content(principal)
    perpetrators = list(case.perpetrators.select_related("data_key"))
    for perpetrator in perpetrators:
        perpetrator.case = case
    return perpetrators


@dataclass(frozen=True)
class Download:
    """A decrypted file, ready to be sent."""

    body: bytes
    filename: str
    content_type: str


def read_attachment(
    principal: Principal,
    case_id: Any,
    attachment_id: Any,
    *,
    request: HttpRequest | None = None,
) -> Download:
    """Decrypt one file of a case and audit the view (404 unless the principal may see the case
    and holds person.view, and for a file of an erased person)."""
    case = access_case_content(principal, case_id)
    if case.person.is_erased:
        raise Http404("Not found")
    attachment = get_or_404(case.attachments.all(), id=attachment_id)
    attachment.case = case  # the key is reached through the case already loaded
    body = attachment.file.read_plain()  # type: ignore[attr-defined]
    record_case_view(
        principal, case, request=request, action="case.attachment_view", obj=attachment
    )
    return Download(body=body, filename=attachment.filename, content_type=attachment.content_type)


def record_case_view(
    principal: Principal,
    case: Case,
    *,
    request: HttpRequest | None,
    action: str = "case.view",
    obj: Model | None = None,
) -> None:
    """Audit that the principal read the case (its page or its API record), or `obj` on it."""
    audit.record(
        action,
        actor=principal.user,
        obj=obj or case,
        organisation=case.organisation_id,
        request=request,
        scope=case,
    )


# The timeline -----------------------------------------------------------------------------------

ACTION_LABELS = {
    "case.open": gettext_lazy("Case opened"),
    "case.move": gettext_lazy("Stage changed"),
    "case.close": gettext_lazy("Case closed"),
    "case.reopen": gettext_lazy("Case reopened"),
    "case.assign": gettext_lazy("Case assigned"),
    "case.reassign_request": gettext_lazy("Reassignment requested"),
    "case.reassign_decide": gettext_lazy("Reassignment decided"),
    "case.approval_request": gettext_lazy("Approval requested"),
    "case.approval_decide": gettext_lazy("Approval decided"),
    "case.note": gettext_lazy("Note added"),
    "case.attach": gettext_lazy("File attached"),
    "case.task_add": gettext_lazy("Task added"),
    "case.task_status": gettext_lazy("Task status changed"),
    "case.plan_add": gettext_lazy("Plan item added"),
    "case.plan_status": gettext_lazy("Plan item status changed"),
    "case.summary": gettext_lazy("Summary edited"),
    "case.exploitation_record": gettext_lazy("Exploitation recorded"),
    "case.exploitation_update": gettext_lazy("Exploitation record changed"),
    "case.perpetrator_add": gettext_lazy("Perpetrator recorded"),
    "case.perpetrator_change": gettext_lazy("Perpetrator record changed"),
    "case.perpetrator_remove": gettext_lazy("Perpetrator removed"),
    "case.risk_assessment": gettext_lazy("Risk assessed"),
    "case.safety_plan": gettext_lazy("Safety plan revised"),
    "case.safety_plan_confirm": gettext_lazy("Safety plan reviewed, unchanged"),
    "case.contact": gettext_lazy("Contact logged"),
    "screening.start": gettext_lazy("Screening started"),
    "screening.act_recorded": gettext_lazy("Screening: act of trafficking recorded"),
    "screening.finalise": gettext_lazy("Screening finalised"),
    "screening.amend": gettext_lazy("Screening amended"),
    "screening.identification_decision": gettext_lazy("Identification decision recorded"),
    "screening.identification_referral": gettext_lazy("Referred to a competent authority"),
    "screening.reconsideration_request": gettext_lazy("Reconsideration of a decision requested"),
    "screening.reconsideration_decide": gettext_lazy("Outcome of a reconsideration recorded"),
    "person.trafficking_status": gettext_lazy("Trafficking status changed"),
    "domv.start": gettext_lazy("Vulnerability assessment started"),
    "domv.event": gettext_lazy("Situational event recorded"),
    "domv.finalise": gettext_lazy("Vulnerability assessment finalised"),
    "domv.amend": gettext_lazy("Vulnerability assessment amended"),
    "referral.send": gettext_lazy("Referral sent"),
    "referral.override": gettext_lazy("Referral sent under emergency override"),
    "referral.acknowledge": gettext_lazy("Referral acknowledged"),
    "referral.accept": gettext_lazy("Referral accepted"),
    "referral.decline": gettext_lazy("Referral declined"),
    "referral.deliver": gettext_lazy("Service delivered"),
    "referral.complete": gettext_lazy("Referral completed"),
    "referral.withdraw": gettext_lazy("Referral withdrawn"),
    "case.transfer_request": gettext_lazy("Transfer requested"),
    "case.transfer_accept": gettext_lazy("Transfer accepted"),
    "case.transfer_decline": gettext_lazy("Transfer declined"),
    "case.transfer_incoming": gettext_lazy("Case received by transfer"),
    "assistance.request": gettext_lazy("Assistance requested"),
    "assistance.approve": gettext_lazy("Assistance approved"),
    "assistance.reject": gettext_lazy("Assistance rejected"),
    "assistance.disburse": gettext_lazy("Assistance paid"),
    "assistance.cancel": gettext_lazy("Assistance cancelled"),
}
# The events of the stage table that move a case by themselves (salama.cases.rules).
EVENT_LABELS = {
    "screening.final": gettext_lazy("a screening was finalised"),
    "identification.referred": gettext_lazy("referred to a competent authority"),
    "reasonable_grounds.positive": gettext_lazy("positive reasonable-grounds decision"),
    "reasonable_grounds.negative": gettext_lazy("negative reasonable-grounds decision"),
    "conclusive_grounds.positive": gettext_lazy("positive conclusive-grounds decision"),
    "conclusive_grounds.negative": gettext_lazy("negative conclusive-grounds decision"),
}
# Views of the case are audited but are not events in its story.
TIMELINE_HIDDEN_ACTIONS = (
    "case.view",
    "case.attachment_view",
    # One entry per click while answering: the finalised result is the event that matters.
    "screening.answer",
    "domv.answer",
)
TIMELINE_LIMIT = 200


def _user_names(entries: list[Any]) -> dict[str, str]:
    uuids = {
        value
        for e in entries
        for key in ("assigned_to", "to_user")
        for value in (e.changes or {}).get(key, [])
        if value
    }
    if not uuids:
        return {}
    return {
        str(u.uuid): u.full_name or u.email
        for u in User.objects.filter(uuid__in=uuids).only("uuid", "full_name", "email")
    }


def case_timeline(principal: Principal | None, case: Case) -> list[dict[str, Any]]:
    """What happened on the case, newest first: when, who, what (translated) and its details.

    Read from the audit entries scoped to the case (person.view, else 404)."""
    from salama.core.models import AuditEntry

    _require_content(principal)
    entries = list(
        AuditEntry.objects.filter(scope_id=str(case.id))
        .exclude(action__in=TIMELINE_HIDDEN_ACTIONS)
        .order_by("-id")[:TIMELINE_LIMIT]
    )
    names = _user_names(entries)
    labels: dict[str, str] = {
        **{c.value: str(c.label) for c in TaskStatus},
        **{c.value: str(c.label) for c in PlanItemStatus},
        **{c.value: str(c.label) for c in ReassignmentStatus},
        **{c.value: str(c.label) for c in ApprovalStatus},
    }
    kinds = {c.value: str(c.label) for c in ApprovalKind}
    stage = {c.value: str(c.label) for c in Stage}
    reason = {c.value: str(c.label) for c in ClosureReason}
    items = []
    for entry in entries:
        changes = entry.changes or {}
        details = []
        if "stage" in changes:
            old, new = changes["stage"]
            details.append(
                f"{stage.get(old, old)} → {stage.get(new, new)}" if old else stage.get(new, new)
            )
        event = changes.get("event", [None, None])[1]
        if event and event in EVENT_LABELS:
            details.append(str(EVENT_LABELS[event]))
        if changes.get("closure_reason", [None, None])[1]:
            details.append(reason.get(changes["closure_reason"][1], changes["closure_reason"][1]))
        if entry.action.startswith("case.approval_") and "kind" in changes:
            details.append(kinds.get(changes["kind"][1], changes["kind"][1]))
        for key in ("assigned_to", "to_user"):
            if key in changes and changes[key][1]:
                details.append(names.get(changes[key][1], _("a former member")))
        if "status" in changes and "stage" not in changes:
            details.append(labels.get(changes["status"][1], changes["status"][1]))
        if changes.get("due_on", [None, None])[1]:
            details.append(_("due %(date)s") % {"date": changes["due_on"][1]})
        if changes.get("reflection_ends", [None, None])[1]:
            details.append(
                _("reflection period until %(date)s") % {"date": changes["reflection_ends"][1]}
            )
        items.append(
            {
                "at": entry.created_at,
                "who": entry.actor_label,
                "action": entry.action,
                "label": ACTION_LABELS.get(entry.action, entry.action),
                "details": details,
            }
        )
    return items


# The home page ----------------------------------------------------------------------------------
# Read on every visit to the home page, so each read is one statement (two at most), filtered on
# indexed columns and scoped to the principal's organisation. What one caseworker carries is
# counted exactly (GROUP BY over their own cases); what a whole organisation holds is counted only
# up to HOME_COUNT_CAP per figure ("1000+"), so that a supervisor's home page costs the same with
# a thousand cases as with a million.

HOME_LIST_LIMIT = 8
HOME_COUNT_CAP = 1000
TOTALS_CAP = 10_000
TASKS_AHEAD_DAYS = 7
CONSENTS_AHEAD_DAYS = 30
REFLECTION_AHEAD_DAYS = 14
WORKLOAD_LIMIT = 50
# No figure under this many cases is shown to a role that reads statistics only: the same k as
# the planned anonymised releases (docs/domain.md, "CTDC release format").
SMALL_COUNT = 11

_K = TypeVar("_K")


@dataclass(frozen=True)
class Tally:
    """A count, and whether counting stopped at a cap (then there are at least `n`)."""

    n: int
    more: bool = False

    def __str__(self) -> str:
        return f"{self.n}+" if self.more else str(self.n)


def tallies(
    querysets: Mapping[_K, QuerySet[Any]], cap: int, *, along: Sequence[str] = ()
) -> dict[_K, Tally]:
    """How many rows each queryset holds, counting no further than `cap`, in one statement.

    Each count is ``SELECT COUNT(*) FROM (… LIMIT cap)``: on an index that leads with the
    filtered columns the database reads at most `cap` entries per count, however many match.
    `along` names that index's columns as an ordering: SQLite's planner, which knows only how
    many rows a column's value matches on average, otherwise reads a rare value (a stage
    nobody's case is at) by scanning the whole table for its first `cap` rows.
    """
    counted = {key: Tally(0) for key in querysets}  # a queryset that can match nothing
    parts: list[str] = []
    params: list[Any] = []
    keys: list[_K] = []
    for key, queryset in querysets.items():
        try:
            capped = queryset.order_by(*along).values("pk")[:cap]
            sql, sql_params = capped.query.sql_with_params()
        except EmptyResultSet:
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{len(parts)})")  # noqa: S608
        params.extend(sql_params)
        keys.append(key)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        counted.update({key: Tally(n, n >= cap) for key, n in zip(keys, row, strict=True)})
    return counted


def _open_cases(principal: Principal, *, mine: bool) -> QuerySet[Case]:
    # Closed cases are exactly those at the closed stage (close_case sets both), and the stage
    # is in the indexes that lead with the organisation, so the counts read the index alone.
    cases = visible_cases(principal).exclude(stage=Stage.CLOSED)
    return cases.filter(assigned_to=principal.user) if mine else cases


def open_cases_by_stage(principal: Principal | None, *, mine: bool = False) -> dict[str, Tally]:
    """Open cases the principal may see per stage: their own exactly with `mine`, otherwise
    up to HOME_COUNT_CAP a stage."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    if mine:
        rows = _open_cases(principal, mine=True).order_by().values("stage").annotate(n=Count("pk"))
        return {row["stage"]: Tally(row["n"]) for row in rows}
    # A stage other than closed is an open case's: filtering on it alone keeps the count on the
    # (organisation, stage, opened) index.
    cases = visible_cases(principal)
    counted = tallies(
        {stage: cases.filter(stage=stage) for stage in Stage.values if stage != Stage.CLOSED},
        HOME_COUNT_CAP,
        along=("organisation_id", "stage", "-opened_at"),
    )
    return {stage: tally for stage, tally in counted.items() if tally.n}


def workload(principal: Principal | None) -> list[tuple[User, Tally]]:
    """The organisation's caseworkers and supervisors with their open cases (up to
    HOME_COUNT_CAP each), busiest first (PermissionDenied without case.view_all)."""
    principal = require_perm(principal, Perm.CASE_VIEW_ALL)
    staff = list(staff_of(principal.organisation)[:WORKLOAD_LIMIT])
    cases = _open_cases(principal, mine=False)
    counted = tallies({user.pk: cases.filter(assigned_to=user) for user in staff}, HOME_COUNT_CAP)
    return sorted(
        ((user, counted[user.pk]) for user in staff),
        key=lambda pair: (-pair[1].n, pair[0].full_name or pair[0].email),
    )


def overdue_case_count(
    principal: Principal | None, *, mine: bool = False, today: dt.date | None = None
) -> Tally:
    """How many open cases the principal may see (their own with `mine`) have an open task past
    its due date: the cases the case list shows with `overdue` (and `assigned=me`).

    One's own cases are counted exactly. The organisation's are read from the overdue tasks
    (through their status and due-date index, joined to their case), up to HOME_COUNT_CAP tasks:
    a backlog is counted no further, and a healthy organisation has few."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    day = today or timezone.localdate()
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=day)
    if mine or not has_perm(principal, Perm.CASE_VIEW_ALL):
        cases = visible_cases(principal).filter(assigned_to=principal.user, closed_at__isnull=True)
        return Tally(cases.filter(Exists(overdue.filter(case=OuterRef("pk")))).count())
    case_ids = list(
        overdue.filter(case__organisation=principal.organisation, case__closed_at__isnull=True)
        .order_by()
        .values_list("case_id", flat=True)[:HOME_COUNT_CAP]
    )
    return Tally(len(set(case_ids)), len(case_ids) >= HOME_COUNT_CAP)


def tasks_due(principal: Principal | None, *, today: dt.date | None = None) -> list[Task]:
    """The principal's open tasks past due or due within TASKS_AHEAD_DAYS, on cases they may
    see, soonest first (at most HOME_LIST_LIMIT; titles decrypt with the case's person)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    day = today or timezone.localdate()
    # Two steps: the soonest task ids first (tasks and cases only, sorted before any join to the
    # person), then those few rows with what decrypts their titles. Joining every candidate task
    # to its person before the sort cost a page a lookup per open task (a caseload of hundreds).
    candidates = Task.objects.filter(
        through_visible_case(
            principal, cases=visible_cases(principal).filter(closed_at__isnull=True)
        ),
        assigned_to=principal.user,
        status=TaskStatus.OPEN,
        due_on__lte=day + dt.timedelta(days=TASKS_AHEAD_DAYS),
    ).order_by("due_on", "created_at")
    chunk = HOME_LIST_LIMIT * 2
    found: list[Task] = []
    for start in range(0, 100 * chunk, chunk):  # erased persons' tasks are skipped, rarely many
        ids = list(candidates.values_list("id", flat=True)[start : start + chunk])
        rows = (
            Task.objects.filter(id__in=ids, case__person__erased_at__isnull=True)
            .select_related("case__person__data_key")
            .only(
                "id",
                "title",
                "kind",
                "due_on",
                "status",
                "case__id",
                "case__reference",
                "case__person__id",
                "case__person__erased_at",
                "case__person__data_key__id",
                "case__person__data_key__kek_id",
                "case__person__data_key__shredded_at",
            )
            .in_bulk()
        )
        found += [rows[i] for i in ids if i in rows]
        if len(found) >= HOME_LIST_LIMIT or len(ids) < chunk:
            break
    due = found[:HOME_LIST_LIMIT]
    keystore.warm(task.case.person.data_key_id for task in due)  # one key-store query
    return due


def consents_expiring(
    principal: Principal | None, *, today: dt.date | None = None
) -> list[Consent]:
    """Consents this organisation recorded for the persons of the principal's own open cases
    that expire within CONSENTS_AHEAD_DAYS, soonest first (at most HOME_LIST_LIMIT), each with
    `case_id` and `case_reference` of the principal's case for the person."""
    principal = require_perm(principal, Perm.PERSON_VIEW)
    day = today or timezone.localdate()
    mine = _open_cases(principal, mine=True)
    case_of = mine.filter(person=OuterRef("person")).order_by("-opened_at")
    return list(
        Consent.objects.filter(
            organisation=principal.organisation,
            person__in=mine.values("person"),
            withdrawn_at__isnull=True,
            expires_on__gte=day,
            expires_on__lte=day + dt.timedelta(days=CONSENTS_AHEAD_DAYS),
        )
        .select_related("recipient")
        .only("id", "person_id", "purpose", "expires_on", "service_type", "recipient__name")
        .annotate(
            case_id=Subquery(case_of.values("pk")[:1]),
            case_reference=Subquery(case_of.values("reference")[:1]),
        )
        .order_by("expires_on", "id")[:HOME_LIST_LIMIT]
    )


def reflection_ending(principal: Principal | None, *, today: dt.date | None = None) -> list[Case]:
    """Open cases the principal may see whose reflection and recovery period ends within
    REFLECTION_AHEAD_DAYS, soonest first (at most HOME_LIST_LIMIT)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    day = today or timezone.localdate()
    return list(
        visible_cases(principal)
        .filter(
            closed_at__isnull=True,
            reflection_ends__gte=day,
            reflection_ends__lte=day + dt.timedelta(days=REFLECTION_AHEAD_DAYS),
        )
        .select_related("assigned_to")
        .only("id", "reference", "reflection_ends", "assigned_to__full_name", "assigned_to__email")
        # The reflection-period index gives this order: the first rows end the scan.
        .order_by("reflection_ends")[:HOME_LIST_LIMIT]
    )


def pending_reassignments(principal: Principal | None) -> list[ReassignmentRequest]:
    """Reassignments of the organisation's cases waiting for approval, oldest first (at most
    HOME_LIST_LIMIT; PermissionDenied without case.approve)."""
    principal = require_perm(principal, Perm.CASE_APPROVE)
    return list(
        ReassignmentRequest.objects.filter(
            through_visible_case(principal), status=ReassignmentStatus.PENDING
        )
        .select_related("case", "to_user", "requested_by")
        .only(
            "id",
            "requested_at",
            "case__id",
            "case__reference",
            "to_user__full_name",
            "to_user__email",
            "requested_by__full_name",
            "requested_by__email",
        )
        .order_by("requested_at", "id")[:HOME_LIST_LIMIT]
    )


@dataclass(frozen=True)
class CaseTotals:
    """The organisation's open and closed cases (up to TOTALS_CAP); None where the figure is
    under SMALL_COUNT."""

    open: Tally | None
    closed: Tally | None


def case_totals(principal: Principal | None) -> CaseTotals:
    """How many cases the organisation has open and closed, each withheld (None) when under
    SMALL_COUNT (PermissionDenied without stats.view). No case is read, only counted."""
    principal = require_perm(principal, Perm.STATS_VIEW)
    org = principal.organisation
    if org is None:
        return CaseTotals(None, None)
    cases = Case.objects.filter(organisation=org)
    counted = tallies(
        {
            "open": cases.filter(closed_at__isnull=True),
            "closed": cases.filter(closed_at__isnull=False),
        },
        TOTALS_CAP,
    )

    def safe(tally: Tally) -> Tally | None:
        return tally if tally.n >= SMALL_COUNT else None

    return CaseTotals(open=safe(counted["open"]), closed=safe(counted["closed"]))
