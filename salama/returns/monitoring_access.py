"""Who may see and record reintegration monitoring.

Two sides, never more:

- the **host** organisation (the case's) sees the schedules of the cases it can see, read-only
  when a reception referral exists; without one its case team records the visits itself;
- the **receiving** organisation (the reception referral's recipient in the country of origin)
  sees and records the visits of the schedules attached to referrals sent to it (not declined
  or withdrawn), through the referral, with referral.receive; it never reaches the case.

Everyone else: 404. The programme view shows aggregates of the organisation's own schedules (as
host or as monitor) to those with stats.view.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from salama.cases.access import visible_cases
from salama.core.policy import (
    Principal,
    ensure,
    get_or_404,
    has_perm,
    in_organisation,
    register,
)
from salama.core.roles import Perm
from salama.referrals.choices import ReferralStatus
from salama.referrals.models import Referral
from salama.returns.monitoring_models import (
    MonitoringProgramme,
    MonitoringSchedule,
    MonitoringVisit,
)

# A referral refused or taken back hands nothing over.
_CLOSED_RECEPTION = (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)


def receptions(principal: Principal | None) -> QuerySet[Referral]:
    """Referrals received by the principal's organisation that may carry monitoring."""
    if not in_organisation(principal) or not has_perm(principal, Perm.REFERRAL_RECEIVE):
        return Referral.objects.none()
    assert principal is not None
    return Referral.objects.filter(to_organisation=principal.organisation).exclude(
        status__in=_CLOSED_RECEPTION
    )


def access_reception(principal: Principal | None, referral_id: Any) -> Referral:
    return get_or_404(receptions(principal).select_related("from_organisation"), id=referral_id)


def schedules_received(principal: Principal | None) -> QuerySet[MonitoringSchedule]:
    if not in_organisation(principal):
        return MonitoringSchedule.objects.none()
    assert principal is not None
    return MonitoringSchedule.objects.filter(
        reception_referral__in=receptions(principal),
        monitoring_organisation=principal.organisation,
    )


def schedules_hosted(principal: Principal | None) -> QuerySet[MonitoringSchedule]:
    return MonitoringSchedule.objects.filter(case__in=visible_cases(principal))


def visible_schedules(principal: Principal | None) -> QuerySet[MonitoringSchedule]:
    return MonitoringSchedule.objects.filter(
        Q(pk__in=schedules_received(principal).values("pk"))
        | Q(pk__in=schedules_hosted(principal).values("pk"))
    )


def recordable_schedules(principal: Principal | None) -> QuerySet[MonitoringSchedule]:
    """Schedules whose visits the principal records: received ones, or hosted ones without a
    reception referral (the host's case team, with case.change)."""
    hosted = schedules_hosted(principal).filter(reception_referral__isnull=True)
    if not has_perm(principal, Perm.CASE_CHANGE):
        hosted = hosted.none()
    return MonitoringSchedule.objects.filter(
        Q(pk__in=schedules_received(principal).values("pk")) | Q(pk__in=hosted.values("pk"))
    )


def visible_visits(principal: Principal | None) -> QuerySet[MonitoringVisit]:
    return MonitoringVisit.objects.filter(schedule__in=visible_schedules(principal))


def recordable_visits(principal: Principal | None) -> QuerySet[MonitoringVisit]:
    return MonitoringVisit.objects.filter(schedule__in=recordable_schedules(principal))


def access_schedule(principal: Principal | None, schedule_id: Any) -> MonitoringSchedule:
    return get_or_404(visible_schedules(principal), id=schedule_id)


def access_visit(principal: Principal | None, visit_id: Any) -> MonitoringVisit:
    return get_or_404(visible_visits(principal).select_related("schedule"), id=visit_id)


def access_visit_to_record(principal: Principal | None, visit_id: Any) -> MonitoringVisit:
    return get_or_404(recordable_visits(principal).select_related("schedule"), id=visit_id)


def can_record(principal: Principal | None, schedule: MonitoringSchedule) -> bool:
    return recordable_schedules(principal).filter(pk=schedule.pk).exists()


def programme_schedules(principal: Principal | None) -> QuerySet[MonitoringSchedule]:
    """The schedules counted in the organisation's programme view (aggregates only)."""
    if not in_organisation(principal) or not has_perm(principal, Perm.STATS_VIEW):
        return MonitoringSchedule.objects.none()
    assert principal is not None
    org = principal.organisation
    return MonitoringSchedule.objects.filter(
        Q(host_organisation=org) | Q(monitoring_organisation=org)
    )


def can_view_programme(principal: Principal | None) -> bool:
    return in_organisation(principal) and has_perm(principal, Perm.STATS_VIEW)


def can_manage_programme(principal: Principal | None) -> bool:
    return in_organisation(principal) and has_perm(principal, Perm.ORG_MANAGE_SETTINGS)


def visible_programmes(principal: Principal | None) -> QuerySet[MonitoringProgramme]:
    if not in_organisation(principal):
        return MonitoringProgramme.objects.none()
    assert principal is not None
    return MonitoringProgramme.objects.filter(organisation=principal.organisation)


# Services ---------------------------------------------------------------------------------------


def ensure_schedule_case(actor: Principal | None, case: Any) -> None:
    """Scheduling by hand: the actor works on the case (case.change)."""
    ensure(actor, case, Perm.CASE_CHANGE, rule=visible_cases)


def ensure_visit_recorder(actor: Principal | None, visit: MonitoringVisit) -> None:
    ensure(actor, visit, rule=recordable_visits)


def register_rules() -> None:
    register(MonitoringSchedule, visible_schedules)
    register(MonitoringVisit, visible_visits)
    register(MonitoringProgramme, visible_programmes)
