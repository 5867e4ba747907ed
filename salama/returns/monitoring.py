"""Reintegration monitoring services: schedule the visits, record them, lose contact, cancel.

Each service checks the actor against the record first (monitoring_access), then validates, then
writes and audits in one transaction. A visit is scored with the newest weight table and keeps
that version and its scores for good. A dimension or the composite below the monitoring
organisation's threshold adds a follow-up task on the case (a coded task, shown in the reader's
language).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.accounts.models import Organisation
from salama.cases.choices import TaskKind, TaskStatus
from salama.cases.models import Case, Task
from salama.core import audit, events
from salama.core.policy import NotPermitted, Principal
from salama.referrals.models import Referral
from salama.returns import monitoring_access as access
from salama.returns import scoring
from salama.returns.monitoring_models import (
    DEFAULT_MONTHS,
    DEFAULT_THRESHOLD,
    AttemptChannel,
    CancelReason,
    MonitoringProgramme,
    MonitoringSchedule,
    MonitoringVisit,
    VisitPlace,
    VisitStatus,
)

logger = logging.getLogger(__name__)

ARRIVED_EVENT = "return.arrived"
MAX_MONTH = 36
MAX_VISITS = 8
MAX_ATTEMPTS = 10
FOLLOW_UP_DAYS = 14


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def programme_for(organisation: Organisation) -> MonitoringProgramme:
    """The organisation's programme settings; the defaults (not saved) when it never set them."""
    found = MonitoringProgramme.objects.filter(organisation=organisation).first()
    return found or MonitoringProgramme(
        organisation=organisation, visit_months=list(DEFAULT_MONTHS), threshold=DEFAULT_THRESHOLD
    )


def _create_schedule(
    case: Case,
    *,
    arrived_on: dt.date,
    country: str,
    reception_referral: Referral | None,
    created_by: Any,
) -> MonitoringSchedule:
    monitor = reception_referral.to_organisation if reception_referral else case.organisation
    schedule = MonitoringSchedule.objects.create(
        case=case,
        host_organisation=case.organisation,
        monitoring_organisation=monitor,
        reception_referral=reception_referral,
        arrived_on=arrived_on,
        country=country,
        created_by=created_by,
    )
    for month in sorted(set(programme_for(monitor).visit_months)):
        MonitoringVisit.objects.create(
            schedule=schedule, month=month, due_on=add_months(arrived_on, month)
        )
    return schedule


def _check_reception(case: Case, referral: Referral | None) -> None:
    if referral is None:
        return
    if referral.case_id != case.pk or referral.status in ("declined", "withdrawn"):
        raise ValidationError(
            {
                "reception_referral": _(
                    "Choose an open referral of this case to a reception service."
                )
            }
        )


@transaction.atomic
def schedule_monitoring(
    case: Case,
    *,
    arrived_on: dt.date,
    actor: Principal,
    country: str = "",
    reception_referral: Referral | None = None,
    request: HttpRequest | None = None,
) -> MonitoringSchedule:
    """Schedule the monitoring visits of a return recorded before this feature (or by hand)."""
    access.ensure_schedule_case(actor, case)
    if arrived_on > timezone.localdate():
        raise ValidationError({"arrived_on": _("The arrival date cannot be in the future.")})
    if MonitoringSchedule.objects.filter(case=case, arrived_on=arrived_on).exists():
        raise ValidationError(
            {"arrived_on": _("Monitoring is already scheduled for this arrival.")}
        )
    _check_reception(case, reception_referral)
    country = (country or "").upper()[:2]
    schedule = _create_schedule(
        case,
        arrived_on=arrived_on,
        country=country,
        reception_referral=reception_referral,
        created_by=actor.user,
    )
    audit.record(
        "returns.monitoring_scheduled",
        actor=actor.user,
        obj=schedule,
        organisation=case.organisation,
        changes={
            "arrived_on": (None, arrived_on.isoformat()),
            "visits": (None, schedule.visits.count()),
        },
        request=request,
        scope=case,
    )
    return schedule


def schedule_from_event(event: events.Event) -> None:
    """Subscriber of ``return.arrived``: schedule the visits of the case's arrival, once."""
    if event.name != ARRIVED_EVENT:
        return
    data = event.data
    try:
        arrived_on = dt.date.fromisoformat(str(data["arrived_on"]))
    except (KeyError, ValueError):
        logger.warning("return.arrived without a usable arrived_on; no monitoring scheduled")
        return
    with transaction.atomic():
        case = Case.objects.filter(pk=event.record_id).select_related("organisation").first()
        if case is None:
            logger.warning("return.arrived for an unknown case; no monitoring scheduled")
            return
        if MonitoringSchedule.objects.filter(case=case, arrived_on=arrived_on).exists():
            return
        referral_id = data.get("reception_referral_id")
        referral = (
            Referral.objects.filter(pk=referral_id, case=case)
            .exclude(status__in=("declined", "withdrawn"))
            .select_related("to_organisation")
            .first()
            if referral_id
            else None
        )
        schedule = _create_schedule(
            case,
            arrived_on=arrived_on,
            country=str(data.get("country") or "").upper()[:2],
            reception_referral=referral,
            created_by=None,
        )
        audit.record(
            "returns.monitoring_scheduled",
            obj=schedule,
            organisation=case.organisation,
            changes={
                "arrived_on": (None, arrived_on.isoformat()),
                "visits": (None, schedule.visits.count()),
            },
            actor_label="return.arrived",
            scope=case,
        )


def _check_open(visit: MonitoringVisit, *allowed: str) -> None:
    if visit.status not in allowed:
        raise ValidationError(
            _("This visit is %(status)s; it cannot be changed any more.")
            % {"status": VisitStatus(visit.status).label}
        )


def _check_version(visit: MonitoringVisit, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != visit.version:
        raise ValidationError(
            _("Someone changed this visit since you opened it. Reload the page and try again.")
        )


def _follow_up(visit: MonitoringVisit, below: list[str], actor: Principal) -> Task | None:
    """A follow-up task on the case when a score fell below the threshold (one open at a time)."""
    case = visit.schedule.case
    if not below or case.is_closed:
        return None
    if case.tasks.filter(kind=TaskKind.REINTEGRATION_FOLLOW_UP, status=TaskStatus.OPEN).exists():
        return None
    task = Task.objects.create(
        case=case,
        title=str(TaskKind.REINTEGRATION_FOLLOW_UP.label),
        due_on=timezone.localdate() + dt.timedelta(days=FOLLOW_UP_DAYS),
        assigned_to=case.assigned_to,
        kind=TaskKind.REINTEGRATION_FOLLOW_UP,
        created_by=actor.user,
    )
    audit.record(
        "case.task_add",
        actor=actor.user,
        obj=task,
        organisation=case.organisation,
        fields=["title"],
        changes={"kind": (None, task.kind), "below_threshold": (None, ",".join(below))},
        scope=case,
    )
    return task


def _open_visit_for_change(
    visit: MonitoringVisit, *, actor: Principal, expected_version: int | None
) -> MonitoringVisit:
    """The visit, locked, once the actor may record on it, it is still open and unchanged since
    `expected_version` (the checks every change to a visit starts with, in this order)."""
    access.ensure_visit_recorder(actor, visit)
    locked = (
        MonitoringVisit.objects.select_for_update()
        .select_related("schedule__case")
        .get(pk=visit.pk)
    )
    _check_open(locked, VisitStatus.SCHEDULED, VisitStatus.LOST_CONTACT)
    _check_version(locked, expected_version)
    return locked


@transaction.atomic
def record_monitoring_visit(
    visit: MonitoringVisit,
    *,
    actor: Principal,
    answers: Mapping[str, str],
    visited_on: dt.date,
    place: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> MonitoringVisit:
    """Record a visit's answers; score them with the newest weight table and keep the version."""
    visit = _open_visit_for_change(visit, actor=actor, expected_version=expected_version)
    errors: dict[str, str] = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = _("The visit date cannot be in the future.")
    elif visited_on < visit.schedule.arrived_on:
        errors["visited_on"] = _("The visit date cannot be before the arrival.")
    if place not in VisitPlace.values:
        errors["place"] = _("Say where the visit took place.")
    table = scoring.load_table()
    given = {str(k): str(v) for k, v in answers.items() if v not in (None, "")}
    for code, why in scoring.check_answers(table, given).items():
        errors[f"answers.{code}"[:80]] = (
            _("This question is not in the questionnaire.")
            if why == "unknown question"
            else _("Choose one of the answers offered.")
        )
    if errors:
        raise ValidationError(errors)
    result = scoring.score(table, given)
    if all(v is None for v in result.by_dimension().values()):
        raise ValidationError(
            {"answers": _("Answer at least half of the questions of a dimension to score it.")}
        )
    threshold = float(programme_for(visit.schedule.monitoring_organisation).threshold)
    below = result.below(threshold)
    old_status = visit.status
    visit.status = VisitStatus.DONE
    visit.visited_on = visited_on
    visit.place = place
    visit.answers = given
    visit.weight_version = result.version
    visit.economic = result.economic
    visit.social = result.social
    visit.psychosocial = result.psychosocial
    visit.composite = result.composite
    visit.below_threshold = below
    visit.recorded_by = actor.user
    visit.recorded_at = timezone.now()
    visit.version += 1
    visit.save()
    audit.record(
        "returns.monitoring_visit_recorded",
        actor=actor.user,
        obj=visit,
        organisation=actor.organisation,
        fields=["answers"],
        changes={
            "status": (old_status, VisitStatus.DONE),
            "weight_version": (None, result.version),
            "composite": (None, result.composite),
            "below_threshold": (None, ",".join(below) or None),
        },
        request=request,
        scope=visit.schedule.case,
    )
    _follow_up(visit, below, actor)
    return visit


def _attempts(attempts: Iterable[Mapping[str, Any]], after: dt.date) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    today = timezone.localdate()
    for attempt in attempts:
        on = attempt.get("on")
        channel = attempt.get("channel")
        if isinstance(on, str):
            try:
                on = dt.date.fromisoformat(on)
            except ValueError:
                on = None
        if not isinstance(on, dt.date) or on > today or on < after:
            raise ValidationError(
                {"attempts": _("Give each attempt's date: after the arrival, not in the future.")}
            )
        if channel not in AttemptChannel.values:
            raise ValidationError(
                {"attempts": _("Say how each attempt tried to reach the person.")}
            )
        cleaned.append({"on": on.isoformat(), "channel": str(channel)})
    if not cleaned:
        raise ValidationError(
            {
                "attempts": _(
                    "Record at least one attempt to reach the person before losing contact."
                )
            }
        )
    if len(cleaned) > MAX_ATTEMPTS:
        raise ValidationError(
            {"attempts": _("Record at most %(n)d attempts.") % {"n": MAX_ATTEMPTS}}
        )
    return sorted(cleaned, key=lambda a: a["on"])


@transaction.atomic
def record_lost_contact(
    visit: MonitoringVisit,
    *,
    actor: Principal,
    attempts: Iterable[Mapping[str, Any]],
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> MonitoringVisit:
    """The person could not be reached for this visit: record it, with the attempts made."""
    visit = _open_visit_for_change(visit, actor=actor, expected_version=expected_version)
    cleaned = _attempts(attempts, visit.schedule.arrived_on)
    old_status = visit.status
    visit.status = VisitStatus.LOST_CONTACT
    visit.attempts = (
        (visit.attempts or []) + cleaned if old_status == VisitStatus.LOST_CONTACT else cleaned
    )
    visit.recorded_by = actor.user
    visit.recorded_at = timezone.now()
    visit.version += 1
    visit.save()
    audit.record(
        "returns.monitoring_lost_contact",
        actor=actor.user,
        obj=visit,
        organisation=actor.organisation,
        changes={
            "status": (old_status, VisitStatus.LOST_CONTACT),
            "attempts": (None, len(visit.attempts)),
        },
        request=request,
        scope=visit.schedule.case,
    )
    return visit


@transaction.atomic
def cancel_monitoring_visit(
    visit: MonitoringVisit,
    *,
    actor: Principal,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> MonitoringVisit:
    """Cancel a visit that will not take place, saying why."""
    visit = _open_visit_for_change(visit, actor=actor, expected_version=expected_version)
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Say why the visit will not take place.")})
    old_status = visit.status
    visit.status = VisitStatus.CANCELLED
    visit.cancel_reason = reason
    visit.recorded_by = actor.user
    visit.recorded_at = timezone.now()
    visit.version += 1
    visit.save()
    audit.record(
        "returns.monitoring_visit_cancelled",
        actor=actor.user,
        obj=visit,
        organisation=actor.organisation,
        changes={"status": (old_status, VisitStatus.CANCELLED), "reason": (None, reason)},
        request=request,
        scope=visit.schedule.case,
    )
    return visit


def parse_months(value: Any) -> list[int]:
    """Visit months from a list or a text such as "3, 6, 12" (ValidationError if unusable)."""
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value or [])
    months: list[int] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            month = int(text)
        except ValueError:
            raise ValidationError(
                {"visit_months": _("Give the months as whole numbers, such as 3, 6, 12.")}
            ) from None
        months.append(month)
    months = sorted(set(months))
    if not months or len(months) > MAX_VISITS or not all(1 <= m <= MAX_MONTH for m in months):
        raise ValidationError(
            {
                "visit_months": _(
                    "Give one to %(n)d visits, each 1 to %(max)d months after arrival."
                )
                % {"n": MAX_VISITS, "max": MAX_MONTH}
            }
        )
    return months


@transaction.atomic
def update_monitoring_programme(
    *,
    actor: Principal,
    organisation: Organisation,
    visit_months: Any,
    threshold: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> MonitoringProgramme:
    """Change when visits fall due (for schedules made from now on) and the follow-up threshold."""
    if (
        not access.can_manage_programme(actor)
        or actor.organisation is None
        or actor.organisation.pk != organisation.pk
    ):
        raise NotPermitted
    programme = programme_for(organisation)
    if programme.pk is not None:
        programme = MonitoringProgramme.objects.select_for_update().get(pk=programme.pk)
        if expected_version is not None and expected_version != programme.version:
            raise ValidationError(
                _("Someone changed these settings since you opened them. Reload and try again.")
            )
    months = parse_months(visit_months)
    try:
        level = Decimal(str(threshold)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        level = Decimal(-1)
    if not Decimal(0) <= level <= Decimal(1):
        raise ValidationError({"threshold": _("Give a threshold between 0 and 1, such as 0.5.")})
    old = (list(programme.visit_months), str(programme.threshold))
    programme.visit_months = months
    programme.threshold = level
    programme.updated_by = actor.user
    programme.updated_at = timezone.now()
    if programme.pk is not None:
        programme.version += 1
    programme.save()
    audit.record(
        "returns.monitoring_programme_changed",
        actor=actor.user,
        obj=programme,
        organisation=organisation,
        changes={
            "visit_months": (",".join(map(str, old[0])), ",".join(map(str, months))),
            "threshold": (old[1], str(level)),
        },
        request=request,
    )
    return programme
