"""Monitoring services: scheduling from the arrival event or by hand, recording scored visits,
the follow-up task below the threshold, lost contact, cancelling, and the programme settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from conftest import make_user, principal
from salama.accounts.models import Organisation
from salama.cases.choices import TaskKind
from salama.core import events
from salama.core.models import AuditEntry
from salama.core.roles import Role
from salama.returns import monitoring
from salama.returns.monitoring_access import visible_schedules
from salama.returns.monitoring_models import MonitoringSchedule, VisitStatus
from salama.returns.tests.monitoring_world import answers_at, days_ago, open_returnee_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def returnee(caseworker_a, ngo_b, receiver_b):
    return open_returnee_case(caseworker_a, ngo_b, receiver_b)


def arrive(case, referral, arrived_on, capture):
    with capture(execute=True):
        events.emit(
            "return.arrived",
            organisation_id=referral.to_organisation_id if referral else case.organisation_id,
            record_id=str(case.pk),
            data={
                "arrived_on": arrived_on.isoformat(),
                "country": "KE",
                "reception_referral_id": str(referral.pk) if referral else None,
            },
        )
    return MonitoringSchedule.objects.get(case=case, arrived_on=arrived_on)


def test_the_arrival_event_schedules_visits_at_3_6_and_12_months_for_the_receiver(
    returnee, ngo_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, dt.date(2026, 1, 31), django_capture_on_commit_callbacks
    )
    visits = list(schedule.visits.order_by("month"))
    assert [(v.month, v.due_on) for v in visits] == [
        (3, dt.date(2026, 4, 30)),
        (6, dt.date(2026, 7, 31)),
        (12, dt.date(2027, 1, 31)),
    ]
    assert all(v.status == VisitStatus.SCHEDULED for v in visits)
    assert schedule.monitoring_organisation == ngo_b
    assert schedule.reception_referral == returnee.referral
    assert schedule.country == "KE"
    assert AuditEntry.objects.filter(action="returns.monitoring_scheduled").count() == 1


def test_the_same_arrival_announced_twice_is_scheduled_once(
    returnee, django_capture_on_commit_callbacks
):
    for _ in range(2):
        arrive(returnee.case, returnee.referral, days_ago(10), django_capture_on_commit_callbacks)
    assert MonitoringSchedule.objects.filter(case=returnee.case).count() == 1


def test_the_receivers_programme_months_set_the_schedule(
    returnee, org_admin_b, ngo_b, django_capture_on_commit_callbacks
):
    monitoring.update_monitoring_programme(
        actor=principal(org_admin_b), organisation=ngo_b, visit_months="2, 4", threshold="0.6"
    )
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(5), django_capture_on_commit_callbacks
    )
    assert sorted(schedule.visits.values_list("month", flat=True)) == [2, 4]


def test_a_caseworker_schedules_monitoring_of_an_earlier_return_by_hand(returnee, caseworker_a):
    schedule = monitoring.schedule_monitoring(
        returnee.case, arrived_on=days_ago(200), actor=principal(caseworker_a), country="ke"
    )
    assert schedule.monitoring_organisation == returnee.case.organisation
    assert schedule.country == "KE"
    assert schedule.visits.count() == 3


def test_an_arrival_in_the_future_is_refused(returnee, caseworker_a):
    with pytest.raises(ValidationError, match="future"):
        monitoring.schedule_monitoring(
            returnee.case,
            arrived_on=timezone.localdate() + dt.timedelta(days=1),
            actor=principal(caseworker_a),
        )


def test_another_organisation_cannot_schedule_monitoring_on_a_case(returnee, caseworker_b):
    with pytest.raises(PermissionDenied):
        monitoring.schedule_monitoring(
            returnee.case, arrived_on=days_ago(3), actor=principal(caseworker_b)
        )
    assert not MonitoringSchedule.objects.exists()


def test_the_receiver_records_a_visit_scored_with_the_weight_version_it_used(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(100), django_capture_on_commit_callbacks
    )
    visit = schedule.visits.get(month=3)
    done = monitoring.record_monitoring_visit(
        visit,
        actor=principal(receiver_b),
        answers=answers_at("best"),
        visited_on=days_ago(1),
        place="home",
    )
    done.refresh_from_db()
    assert done.status == VisitStatus.DONE
    assert done.weight_version == "1"
    assert done.scores() == {"economic": 1.0, "social": 1.0, "psychosocial": 1.0, "composite": 1.0}
    assert done.answers["housing_quality"] == "good"
    assert done.recorded_by == receiver_b
    assert not returnee.case.tasks.filter(kind=TaskKind.REINTEGRATION_FOLLOW_UP).exists()


def test_a_score_below_the_threshold_adds_one_coded_follow_up_task_on_the_case(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(200), django_capture_on_commit_callbacks
    )
    low = {
        **answers_at("best"),
        **{
            k: v
            for k, v in answers_at("worst").items()
            if k.startswith(("food", "debt", "credit", "income", "employment", "economic"))
        },
    }
    for month in (3, 6):
        monitoring.record_monitoring_visit(
            schedule.visits.get(month=month),
            actor=principal(receiver_b),
            answers=low,
            visited_on=days_ago(1),
            place="office",
        )
    visit = schedule.visits.get(month=3)
    assert visit.below_threshold == ["economic"]
    tasks = returnee.case.tasks.filter(kind=TaskKind.REINTEGRATION_FOLLOW_UP)
    assert tasks.count() == 1  # one open at a time
    task = tasks.get()
    assert task.kind == "reintegration_follow_up"
    assert task.assigned_to == returnee.case.assigned_to
    # Shown by its kind (translated on display), not by the stored text.
    with translation.override("fr"):
        assert task.shown_title == str(TaskKind.REINTEGRATION_FOLLOW_UP.label)


def test_the_host_reads_but_cannot_record_a_visit_the_receiver_monitors(
    returnee, caseworker_a, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(100), django_capture_on_commit_callbacks
    )
    assert visible_schedules(principal(caseworker_a)).filter(pk=schedule.pk).exists()
    with pytest.raises(PermissionDenied):
        monitoring.record_monitoring_visit(
            schedule.visits.get(month=3),
            actor=principal(caseworker_a),
            answers=answers_at("best"),
            visited_on=days_ago(1),
            place="home",
        )


def test_without_a_reception_referral_the_host_records_the_visits_itself(returnee, caseworker_a):
    schedule = monitoring.schedule_monitoring(
        returnee.case, arrived_on=days_ago(120), actor=principal(caseworker_a)
    )
    visit = monitoring.record_monitoring_visit(
        schedule.visits.get(month=3),
        actor=principal(caseworker_a),
        answers=answers_at("best"),
        visited_on=days_ago(2),
        place="phone",
    )
    assert visit.status == VisitStatus.DONE


def test_a_third_organisation_neither_sees_nor_records_the_visits(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    ngo_c = Organisation.objects.create(
        name="NGO C", org_type="NGO", country="EG", reference_prefix="NGOC"
    )
    outsider = make_user(ngo_c, Role.SERVICE_PROVIDER, "prov@c.example")
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(100), django_capture_on_commit_callbacks
    )
    assert not visible_schedules(principal(outsider)).exists()
    with pytest.raises(PermissionDenied):
        monitoring.record_lost_contact(
            schedule.visits.get(month=3),
            actor=principal(outsider),
            attempts=[{"on": days_ago(1), "channel": "phone"}],
        )


def test_lost_contact_is_recorded_with_its_attempts(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(100), django_capture_on_commit_callbacks
    )
    visit = monitoring.record_lost_contact(
        schedule.visits.get(month=3),
        actor=principal(receiver_b),
        attempts=[
            {"on": days_ago(3).isoformat(), "channel": "phone"},
            {"on": days_ago(5), "channel": "home_visit"},
        ],
    )
    assert visit.status == VisitStatus.LOST_CONTACT
    assert [a["channel"] for a in visit.attempts] == ["home_visit", "phone"]
    assert visit.composite is None


def test_lost_contact_without_an_attempt_is_refused(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(100), django_capture_on_commit_callbacks
    )
    with pytest.raises(ValidationError, match="at least one attempt"):
        monitoring.record_lost_contact(
            schedule.visits.get(month=3), actor=principal(receiver_b), attempts=[]
        )


def test_a_visit_after_lost_contact_can_still_be_recorded_but_not_a_cancelled_one(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(200), django_capture_on_commit_callbacks
    )
    prov = principal(receiver_b)
    three = monitoring.record_lost_contact(
        schedule.visits.get(month=3), actor=prov, attempts=[{"on": days_ago(2), "channel": "phone"}]
    )
    monitoring.record_monitoring_visit(
        three, actor=prov, answers=answers_at("best"), visited_on=days_ago(1), place="home"
    )
    six = monitoring.cancel_monitoring_visit(
        schedule.visits.get(month=6), actor=prov, reason="migrated_again"
    )
    with pytest.raises(ValidationError, match="cannot be changed"):
        monitoring.record_monitoring_visit(
            six, actor=prov, answers=answers_at("best"), visited_on=days_ago(1), place="home"
        )


def test_unknown_answers_and_a_visit_without_enough_answers_are_refused(
    returnee, receiver_b, django_capture_on_commit_callbacks
):
    schedule = arrive(
        returnee.case, returnee.referral, days_ago(100), django_capture_on_commit_callbacks
    )
    visit = schedule.visits.get(month=3)
    with pytest.raises(ValidationError) as refused:
        monitoring.record_monitoring_visit(
            visit,
            actor=principal(receiver_b),
            answers={"housing_quality": "palatial"},
            visited_on=days_ago(1),
            place="home",
        )
    assert "answers.housing_quality" in refused.value.message_dict
    with pytest.raises(ValidationError, match="at least half"):
        monitoring.record_monitoring_visit(
            visit,
            actor=principal(receiver_b),
            answers={"housing_quality": "good"},
            visited_on=days_ago(1),
            place="home",
        )


def test_only_an_organisation_administrator_changes_the_programme_and_only_within_limits(
    ngo_a, org_admin_a, caseworker_a, supervisor_a
):
    with pytest.raises(PermissionDenied):
        monitoring.update_monitoring_programme(
            actor=principal(supervisor_a), organisation=ngo_a, visit_months=[3], threshold="0.4"
        )
    with pytest.raises(ValidationError, match="threshold"):
        monitoring.update_monitoring_programme(
            actor=principal(org_admin_a), organisation=ngo_a, visit_months=[3], threshold="1.5"
        )
    with pytest.raises(ValidationError, match="months"):
        monitoring.update_monitoring_programme(
            actor=principal(org_admin_a), organisation=ngo_a, visit_months="0, 99", threshold="0.5"
        )
    saved = monitoring.update_monitoring_programme(
        actor=principal(org_admin_a),
        organisation=ngo_a,
        visit_months="12,3, 6,24",
        threshold="0.45",
    )
    assert saved.visit_months == [3, 6, 12, 24]
    assert str(saved.threshold) == "0.45"
