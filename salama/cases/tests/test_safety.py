"""Risk and safety: risk assessments set their review by the level, the safety plan is revised
in numbered revisions, contacts are logged (confirming or revising the plan, with follow-up
tasks pointing to them), and reminders of overdue work go out once, in the person's language,
with no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from salama.accounts.models import User
from salama.cases import reminders, safety, safety_queries, services
from salama.cases.models import Task
from salama.cases.safety import ContactInput, SafetyPlanInput
from salama.cases.safety_home import reviews
from salama.cases.safety_models import (
    Contact,
    PlanReview,
    ReminderSent,
    ReviewInterval,
    RiskAssessment,
    SafetyPlan,
)
from salama.cases.tests.test_services import make_case, principal
from salama.core.errors import ConflictError
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PLAN = SafetyPlanInput(
    safe_contacts="Sister Hana, +962 79 000 1111",
    safe_places="Women's shelter on Prince Hassan street",
    warning_signs="Calls from unknown Saudi numbers",
    actions="Go to the shelter and call the caseworker",
)


@pytest.fixture
def case(caseworker_a: User) -> Any:
    return make_case(caseworker_a)


def assess(user: User, case: Any, level: str = "high", **kw: Any) -> RiskAssessment:
    return safety.record_risk_assessment(actor=principal(user), case=case, level=level, **kw)


def contact(**kw: Any) -> ContactInput:
    values: dict[str, Any] = {
        "occurred_at": timezone.now() - dt.timedelta(hours=1),
        "mode": "phone",
        "with_whom": "person",
        "summary": "She is safe at her sister's.",
    }
    values.update(kw)
    return ContactInput(**values)


def _raw(table: str, column: str, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # PostgreSQL stores uuids natively
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [str(pk)])  # noqa: S608
            row = cursor.fetchone()
    return str(row[0])


# Risk assessments ------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "days"), [("high", 7), ("medium", 30), ("low", 90)])
def test_the_level_sets_the_next_review_by_salamas_default_interval(
    case: Any, caseworker_a: User, level: str, days: int
) -> None:
    risk = assess(caseworker_a, case, level)
    assert risk.review_days == days
    assert risk.next_review_on == timezone.localdate() + dt.timedelta(days=days)
    assert not risk.review_overdue()


def test_an_organisations_own_interval_replaces_the_default(
    case: Any, caseworker_a: User, org_admin_a: User, ngo_a: Any
) -> None:
    safety.set_review_interval(
        actor=principal(org_admin_a), organisation=ngo_a, level="high", days=3
    )
    assert assess(caseworker_a, case, "high").review_days == 3
    assert assess(caseworker_a, case, "low").review_days == 90
    assert AuditEntry.objects.filter(action="org.review_interval").exists()


def test_a_caseworker_cannot_set_the_review_intervals(caseworker_a: User, ngo_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        safety.set_review_interval(
            actor=principal(caseworker_a), organisation=ngo_a, level="high", days=3
        )
    assert not ReviewInterval.objects.exists()


def test_a_review_interval_outside_a_year_is_refused(org_admin_a: User, ngo_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        safety.set_review_interval(
            actor=principal(org_admin_a), organisation=ngo_a, level="high", days=0
        )
    assert "days" in exc.value.message_dict


def test_a_review_past_its_date_is_overdue(case: Any, caseworker_a: User) -> None:
    risk = assess(caseworker_a, case, "high")
    assert risk.review_overdue(timezone.localdate() + dt.timedelta(days=8))
    assert not risk.review_overdue(timezone.localdate() + dt.timedelta(days=7))


def test_the_latest_assessment_is_current_and_the_history_is_kept(
    case: Any, caseworker_a: User
) -> None:
    first = assess(caseworker_a, case, "high", risks=["traffickers"])
    second = assess(caseworker_a, case, "low", risks=["health", "traffickers"])
    current = safety_queries.current_risk(case)
    assert current is not None and current.pk == second.pk
    assert [r.pk for r in safety_queries.risk_history(case)] == [second.pk, first.pk]
    assert second.risks == ["traffickers", "health"]  # the list's order, once each
    entry = AuditEntry.objects.filter(action="case.risk_assessment").order_by("-id").first()
    assert entry is not None and entry.changes["level"] == ["high", "low"]


def test_an_unknown_level_or_risk_is_refused_naming_the_field(
    case: Any, caseworker_a: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        assess(caseworker_a, case, "extreme", risks=["aliens"])
    assert set(exc.value.message_dict) == {"level", "risks"}
    assert not RiskAssessment.objects.exists()


def test_risk_notes_are_encrypted_and_audited_by_name_only(case: Any, caseworker_a: User) -> None:
    risk = assess(caseworker_a, case, "high", notes="Her trafficker knows the shelter address")
    assert "trafficker" not in _raw("cases_riskassessment", "notes", risk.pk)
    entry = AuditEntry.objects.get(action="case.risk_assessment")
    assert "notes" in entry.fields and "notes" not in entry.changes
    assert "trafficker" not in str(entry.changes)


def test_another_organisation_cannot_assess_the_risk(case: Any, caseworker_b: User) -> None:
    with pytest.raises(PermissionDenied):
        assess(caseworker_b, case)
    assert not RiskAssessment.objects.exists()


def test_a_closed_case_takes_no_new_assessment(
    case: Any, caseworker_a: User, supervisor_a: User
) -> None:
    # A supervisor closes without waiting for an approval (a caseworker's closure would wait).
    services.close_case(
        actor=principal(supervisor_a), case=case, reason="other", expected_version=None
    )
    case.refresh_from_db()
    assert case.is_closed
    with pytest.raises(ValidationError, match="closed"):
        assess(caseworker_a, case)


# The safety plan -------------------------------------------------------------------------------


def test_each_revision_of_the_safety_plan_is_kept_and_numbered(
    case: Any, caseworker_a: User
) -> None:
    actor = principal(caseworker_a)
    first = safety.revise_safety_plan(actor=actor, case=case, plan=PLAN, expected_revision=0)
    second = safety.revise_safety_plan(
        actor=actor,
        case=case,
        plan=SafetyPlanInput(**{**PLAN.__dict__, "safe_places": "Her cousin's flat"}),
        expected_revision=1,
    )
    assert (first.revision, second.revision) == (1, 2)
    assert [p.revision for p in safety_queries.plan_revisions(case)] == [2, 1]
    assert SafetyPlan.objects.get(pk=first.pk).safe_places == PLAN.safe_places
    entry = AuditEntry.objects.filter(action="case.safety_plan").order_by("-id").first()
    assert entry is not None and "safe_places" in entry.fields
    assert not {"safe_contacts", "warning_signs", "actions"} & set(entry.fields)
    assert "cousin" not in _raw("cases_safetyplan", "safe_places", second.pk)


def test_a_revision_from_a_stale_plan_is_a_conflict(case: Any, caseworker_a: User) -> None:
    actor = principal(caseworker_a)
    safety.revise_safety_plan(actor=actor, case=case, plan=PLAN, expected_revision=0)
    with pytest.raises(ConflictError):
        safety.revise_safety_plan(actor=actor, case=case, plan=PLAN, expected_revision=0)
    assert SafetyPlan.objects.count() == 1


def test_an_empty_safety_plan_is_refused_saying_what_to_write(
    case: Any, caseworker_a: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        safety.revise_safety_plan(
            actor=principal(caseworker_a),
            case=case,
            plan=SafetyPlanInput(),
            expected_revision=0,
        )
    assert "actions" in exc.value.message_dict


# The contact log -------------------------------------------------------------------------------


def test_a_contact_is_logged_encrypted_with_a_follow_up_task_pointing_to_it(
    case: Any, caseworker_a: User
) -> None:
    due = timezone.localdate() + dt.timedelta(days=3)
    logged = safety.log_contact(
        actor=principal(caseworker_a),
        case=case,
        data=contact(
            mode="home_visit",
            place="Her sister's flat",
            agreed="Bring the passport copy",
            follow_up="Book the embassy appointment",
            follow_up_due=due,
        ),
    )
    assert logged.plan_review == PlanReview.NOT_REVIEWED
    task = Task.objects.get(contact=logged)
    assert (task.title, task.due_on, task.assigned_to) == (
        "Book the embassy appointment",
        due,
        caseworker_a,
    )
    assert "passport" not in _raw("cases_contact", "agreed", logged.pk)
    entry = AuditEntry.objects.get(action="case.contact")
    assert {"agreed", "place", "summary"} <= set(entry.fields)
    assert "sister" not in str(entry.changes)


def test_a_contact_can_revise_the_safety_plan_which_then_points_to_it(
    case: Any, caseworker_a: User
) -> None:
    actor = principal(caseworker_a)
    safety.revise_safety_plan(actor=actor, case=case, plan=PLAN, expected_revision=0)
    logged = safety.log_contact(
        actor=actor,
        case=case,
        data=contact(
            plan_review=PlanReview.REVISED,
            plan=SafetyPlanInput(**{**PLAN.__dict__, "warning_signs": "A white car outside"}),
        ),
        expected_revision=1,
    )
    latest = safety_queries.plan_revisions(case)[0]
    assert latest.revision == 2 and latest.contact_id == logged.pk
    assert latest.warning_signs == "A white car outside"


def test_a_contact_can_confirm_the_plan_without_a_new_revision(
    case: Any, caseworker_a: User
) -> None:
    actor = principal(caseworker_a)
    safety.revise_safety_plan(actor=actor, case=case, plan=PLAN, expected_revision=0)
    logged = safety.log_contact(
        actor=actor, case=case, data=contact(plan_review=PlanReview.CONFIRMED)
    )
    assert logged.plan_review == PlanReview.CONFIRMED
    assert SafetyPlan.objects.count() == 1
    assert AuditEntry.objects.filter(action="case.safety_plan_confirm").exists()


def test_confirming_a_plan_that_does_not_exist_is_refused(case: Any, caseworker_a: User) -> None:
    with pytest.raises(ValidationError) as exc:
        safety.log_contact(
            actor=principal(caseworker_a), case=case, data=contact(plan_review="confirmed")
        )
    assert "plan_review" in exc.value.message_dict
    assert not Contact.objects.exists()


def test_revising_the_plan_at_a_contact_from_a_stale_revision_logs_nothing(
    case: Any, caseworker_a: User
) -> None:
    actor = principal(caseworker_a)
    safety.revise_safety_plan(actor=actor, case=case, plan=PLAN, expected_revision=0)
    with pytest.raises(ConflictError):
        safety.log_contact(
            actor=actor,
            case=case,
            data=contact(plan_review=PlanReview.REVISED, plan=PLAN),
            expected_revision=0,
        )
    assert not Contact.objects.exists()


def test_a_contact_in_the_future_or_without_content_is_refused(
    case: Any, caseworker_a: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        safety.log_contact(
            actor=principal(caseworker_a),
            case=case,
            data=contact(occurred_at=timezone.now() + dt.timedelta(days=1), summary=""),
        )
    assert "occurred_at" in exc.value.message_dict


def test_a_contact_without_what_was_said_or_agreed_is_refused(
    case: Any, caseworker_a: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        safety.log_contact(actor=principal(caseworker_a), case=case, data=contact(summary=""))
    assert "summary" in exc.value.message_dict


def test_another_organisations_caseworker_cannot_log_a_contact(
    case: Any, caseworker_b: User
) -> None:
    with pytest.raises(PermissionDenied):
        safety.log_contact(actor=principal(caseworker_b), case=case, data=contact())
    assert not Contact.objects.exists()


# Reminders --------------------------------------------------------------------------------------


def _overdue_task(user: User, case: Any, days: int = 2) -> Task:
    return services.add_task(
        actor=principal(user),
        case=case,
        title="Call Amina Yusuf about the shelter",
        due_on=timezone.localdate() - dt.timedelta(days=days),
    )


def _overdue_review(user: User, case: Any) -> RiskAssessment:
    risk = assess(user, case, "high")
    RiskAssessment.objects.filter(pk=risk.pk).update(
        next_review_on=timezone.localdate() - dt.timedelta(days=1)
    )
    return risk


def test_reminders_email_the_count_once_and_not_again(
    case: Any, caseworker_a: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _overdue_task(caseworker_a, case)
    _overdue_review(caseworker_a, case)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [caseworker_a.email]
    assert "2 overdue items" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 0
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 2


def test_a_new_overdue_item_brings_a_new_reminder(
    case: Any, caseworker_a: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _overdue_task(caseworker_a, case)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders()
    _overdue_task(caseworker_a, case, days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 1
    assert "2 overdue items" in mail.outbox[-1].body


def test_reminders_carry_no_personal_data(
    case: Any, caseworker_a: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _overdue_task(caseworker_a, case)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders()
    text = mail.outbox[0].subject + mail.outbox[0].body
    for secret in ("Amina", "Yusuf", "shelter", case.reference, str(case.id)):
        assert secret not in text


def test_reminders_are_written_in_the_recipients_language(
    case: Any,
    caseworker_a: User,
    supervisor_a: User,
    settings: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caseworker_a.preferred_language = "ar"
    caseworker_a.save()
    _overdue_task(caseworker_a, case)
    services.add_task(
        actor=principal(supervisor_a),
        case=case,
        title="Check the file",
        due_on=timezone.localdate() - dt.timedelta(days=1),
        assigned_to=supervisor_a,
    )
    ngettext_orig = reminders.ngettext
    langs: list[str] = []

    def record(singular: str, plural: str, n: int) -> str:
        langs.append(translation.get_language())
        return ngettext_orig(singular, plural, n)

    monkeypatch.setattr(reminders, "ngettext", record)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 2
    assert sorted(langs) == ["ar", settings.LANGUAGE_CODE]
    assert {m.to[0] for m in mail.outbox} == {caseworker_a.email, supervisor_a.email}


def test_no_reminder_for_closed_cases_or_done_tasks(
    case: Any, caseworker_a: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    task = _overdue_task(caseworker_a, case)
    services.set_task_status(actor=principal(caseworker_a), task=task, status="done")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 0
    assert mail.outbox == []


def test_the_home_panel_lists_the_caseworkers_reviews_due(case: Any, caseworker_a: User) -> None:
    _overdue_review(caseworker_a, case)
    panel = reviews(principal(caseworker_a))
    assert [r["reference"] for r in panel["reviews"]] == [case.reference]
    assert panel["overdue"] == 1 and panel["reviews"][0]["when"].level == "danger"


def test_the_home_panel_leaves_out_reviews_far_ahead(case: Any, caseworker_a: User) -> None:
    assess(caseworker_a, case, "low")
    assert reviews(principal(caseworker_a))["reviews"] == []
