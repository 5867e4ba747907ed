"""Formal identification in two steps: referral, reasonable and conclusive grounds, deadlines,
stage moves, the referral task, the identification.record permission and reconsideration —
through the services, the pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from salama.accounts.models import User
from salama.cases import services as case_services
from salama.cases.models import Case, Task
from salama.core.models import AuditEntry
from salama.people.choices import TraffickingStatus
from salama.screening import queries, services
from salama.screening.models import IdentificationDecision, IdentificationReferral, Reconsideration
from salama.screening.tests.test_services import MEETS_PROFILE, make_case, principal, screen

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = timezone.localdate()
API = "/api/v1/screening"
SCA = "Single Competent Authority"


def in_gb(case: Case) -> Case:
    """The case as if opened by an organisation in the United Kingdom."""
    Case.objects.filter(pk=case.pk).update(jurisdiction="GB")
    case.refresh_from_db()
    return case


def refer(user: User, case: Case, referred_on: dt.date) -> IdentificationReferral:
    return services.refer_for_identification(
        actor=principal(user),
        case=case,
        referred_on=referred_on,
        authority_type="NonPoliceGovernmentalOrganization",
        authority_name=SCA,
    )


def decide(
    user: User, case: Case, step: str, outcome: str, decided_on: dt.date, **extra: Any
) -> IdentificationDecision:
    return services.record_identification_decision(
        actor=principal(user),
        case=case,
        step=step,
        decided_by_org_type="NonPoliceGovernmentalOrganization",
        authority_name=SCA,
        decided_on=decided_on,
        outcome=outcome,
        **extra,
    )


def stage(case: Case) -> str:
    return Case.objects.get(pk=case.pk).stage


def status(case: Case) -> str:
    case.person.refresh_from_db()
    return case.person.trafficking_status


def screened_with_task(caseworker: User) -> Case:
    case = make_case(caseworker)
    services.finalise_screening(
        actor=principal(caseworker), screening=screen(caseworker, case, MEETS_PROFILE)
    )
    return case


# Referral and the reasonable-grounds deadline ------------------------------------------------


def test_a_caseworker_records_the_referral_and_its_deadline_follows_the_jurisdiction(
    caseworker_a,
):
    case = screened_with_task(caseworker_a)
    # Sunday 4 January 2026: a working day in Jordan, whose weekly rest days are Friday and
    # Saturday; five working days on is Sunday 11 January.
    referral = refer(caseworker_a, case, D(2026, 1, 4))
    assert (referral.jurisdiction, referral.due_on) == ("JO", D(2026, 1, 11))
    assert referral.deadline_version == "1"
    assert stage(case) == "referred_for_identification"
    task = Task.objects.get(case=case)
    assert task.status == "done"  # the referral fulfilled "Refer for formal identification"
    entry = AuditEntry.objects.get(action="screening.identification_referral")
    assert entry.changes["due_on"] == [None, "2026-01-11"]


def test_a_second_referral_while_one_waits_for_its_decision_is_refused(caseworker_a):
    case = make_case(caseworker_a)
    refer(caseworker_a, case, D(2026, 1, 4))
    with pytest.raises(ValidationError, match="waiting for the reasonable-grounds decision"):
        refer(caseworker_a, case, D(2026, 1, 6))
    assert IdentificationReferral.objects.count() == 1


def test_a_reasonable_grounds_decision_after_its_deadline_is_flagged_late(
    caseworker_a, supervisor_a
):
    case = in_gb(make_case(caseworker_a))
    # Wednesday 16 April 2025; Good Friday and Easter Monday are not working days in GB.
    referral = refer(caseworker_a, case, D(2025, 4, 16))
    assert referral.due_on == D(2025, 4, 25)
    decision = decide(supervisor_a, case, "reasonable_grounds", "positive", D(2025, 4, 28))
    assert decision.late and decision.due_on == D(2025, 4, 25)
    assert decision.referral == referral
    assert AuditEntry.objects.get(action="screening.identification_decision").changes["late"] == [
        None,
        True,
    ]


def test_a_reasonable_grounds_decision_on_its_last_day_is_on_time(caseworker_a, supervisor_a):
    case = in_gb(make_case(caseworker_a))
    refer(caseworker_a, case, D(2025, 4, 16))
    decision = decide(supervisor_a, case, "reasonable_grounds", "positive", D(2025, 4, 25))
    assert not decision.late


def test_an_open_referral_past_its_deadline_is_overdue(caseworker_a):
    case = make_case(caseworker_a)
    refer(caseworker_a, case, TODAY - dt.timedelta(days=30))
    waiting = queries.identification(case).waiting_referral
    assert waiting is not None and waiting.timing.overdue
    fresh = make_case(caseworker_a)
    refer(caseworker_a, fresh, TODAY)
    assert not queries.identification(fresh).waiting_referral.timing.overdue


def test_a_decision_cannot_come_before_its_referral(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    refer(caseworker_a, case, D(2026, 1, 4))
    with pytest.raises(ValidationError, match="before the referral"):
        decide(supervisor_a, case, "reasonable_grounds", "positive", D(2026, 1, 3))


# Decisions move the stage, set the status and close the task ---------------------------------


def test_a_positive_reasonable_grounds_decision_presumes_a_victim_and_closes_the_task(
    caseworker_a, supervisor_a
):
    case = screened_with_task(caseworker_a)
    case_services.move_case(
        actor=principal(caseworker_a),
        case=case,
        target="referred_for_identification",
        expected_version=case.version,
    )
    decide(supervisor_a, case, "reasonable_grounds", "positive", TODAY)
    assert stage(case) == "presumed_victim"
    assert status(case) == TraffickingStatus.POSSIBLE
    assert Task.objects.get(case=case).status == "done"
    move = AuditEntry.objects.filter(action="case.move").latest("id")
    assert move.changes["event"] == [None, "reasonable_grounds.positive"]
    assert AuditEntry.objects.filter(action="case.task_status").exists()


def test_a_positive_conclusive_decision_identifies_the_victim(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    refer(caseworker_a, case, TODAY - dt.timedelta(days=60))
    decide(supervisor_a, case, "reasonable_grounds", "positive", TODAY - dt.timedelta(days=55))
    decision = decide(supervisor_a, case, "conclusive_grounds", "positive", TODAY)
    assert stage(case) == "identified"
    assert status(case) == TraffickingStatus.ACTUAL
    assert decision.not_before == TODAY - dt.timedelta(days=25)
    assert not decision.early


def test_a_conclusive_decision_before_the_recovery_period_ends_is_flagged_early(
    caseworker_a, supervisor_a
):
    case = make_case(caseworker_a)
    decide(supervisor_a, case, "reasonable_grounds", "positive", TODAY - dt.timedelta(days=10))
    decision = decide(supervisor_a, case, "conclusive_grounds", "negative", TODAY)
    assert decision.early and decision.not_before == TODAY + dt.timedelta(days=20)
    assert stage(case) == "not_identified"
    assert status(case) == TraffickingStatus.NOT_A_VICTIM


def test_a_negative_reasonable_grounds_decision_ends_identification(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    assert stage(case) == "not_identified"
    assert status(case) == TraffickingStatus.NOT_A_VICTIM
    with pytest.raises(ValidationError, match="follows only a positive one"):
        decide(supervisor_a, case, "conclusive_grounds", "positive", TODAY)


def test_a_decided_step_is_changed_by_reconsideration_not_a_second_decision(
    caseworker_a, supervisor_a
):
    case = make_case(caseworker_a)
    decide(supervisor_a, case, "reasonable_grounds", "positive", TODAY)
    with pytest.raises(ValidationError, match="record a reconsideration"):
        decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    decide(supervisor_a, case, "conclusive_grounds", "positive", TODAY)
    with pytest.raises(ValidationError, match="reconsideration or an appeal"):
        decide(supervisor_a, case, "conclusive_grounds", "negative", TODAY)


def test_a_late_reasonable_grounds_record_does_not_undo_a_conclusive_status(
    caseworker_a, supervisor_a
):
    case = make_case(caseworker_a)
    decide(supervisor_a, case, "conclusive_grounds", "positive", TODAY)
    refer(caseworker_a, case, TODAY - dt.timedelta(days=90))
    decision = decide(
        supervisor_a, case, "reasonable_grounds", "negative", TODAY - dt.timedelta(days=80)
    )
    assert status(case) == TraffickingStatus.ACTUAL
    assert decision.trafficking_status == ""
    assert stage(case) == "identified"


def test_a_task_added_before_tasks_had_a_kind_is_closed_by_its_title(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    add = case_services.add_task
    old = add(actor=principal(caseworker_a), case=case, title="Refer for formal identification")
    other = add(actor=principal(caseworker_a), case=case, title="Call the shelter")
    decide(supervisor_a, case, "reasonable_grounds", "positive", TODAY)
    assert Task.objects.get(pk=old.pk).status == "done"
    assert Task.objects.get(pk=other.pk).status == "open"


# The permission ----------------------------------------------------------------------------


def test_a_caseworker_cannot_record_a_conclusive_decision(caseworker_a):
    case = make_case(caseworker_a)
    with pytest.raises(PermissionDenied):
        decide(caseworker_a, case, "conclusive_grounds", "positive", TODAY)
    assert not IdentificationDecision.objects.exists()
    assert (stage(case), status(case)) == ("registered", "")


def test_a_supervisor_of_another_organisation_cannot_record_a_decision(caseworker_a, supervisor_b):
    case = make_case(caseworker_a)
    with pytest.raises(PermissionDenied):
        decide(supervisor_b, case, "reasonable_grounds", "positive", TODAY)
    assert not IdentificationDecision.objects.exists()


# Reconsideration ---------------------------------------------------------------------------


def reconsider(user: User, decision: IdentificationDecision, **extra: Any) -> Reconsideration:
    return services.request_reconsideration(
        actor=principal(user),
        decision=decision,
        kind=extra.pop("kind", "reconsideration"),
        requested_on=extra.pop("requested_on", TODAY),
        requested_by=extra.pop("requested_by", "legal_representative"),
        **extra,
    )


def test_an_overturned_negative_decision_is_replaced_and_the_case_moves_on(
    caseworker_a, supervisor_a
):
    case = make_case(caseworker_a)
    negative = decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    request = reconsider(supervisor_a, negative, grounds="New evidence from the labour inspector")
    assert request.outcome == "pending" and request.grounds.startswith("New evidence")
    decided = services.decide_reconsideration(
        actor=principal(supervisor_a),
        reconsideration=request,
        outcome="overturned",
        decided_on=TODAY,
    )
    replacement = decided.new_decision
    assert (replacement.step, replacement.outcome, replacement.replaces) == (
        "reasonable_grounds",
        "positive",
        negative,
    )
    assert replacement.authority_name == SCA
    assert stage(case) == "presumed_victim"
    assert status(case) == TraffickingStatus.POSSIBLE
    assert services.standing_decision(case, "reasonable_grounds") == replacement
    actions = list(
        AuditEntry.objects.filter(scope_id=str(case.id)).values_list("action", flat=True)
    )
    assert "screening.reconsideration_request" in actions
    assert "screening.reconsideration_decide" in actions
    # The overturned decision takes no second reconsideration; the new one may.
    with pytest.raises(ValidationError, match="overturned"):
        reconsider(supervisor_a, negative)
    assert reconsider(supervisor_a, replacement, kind="appeal", requested_by="person")


def test_an_upheld_decision_stands(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    decide(supervisor_a, case, "reasonable_grounds", "positive", TODAY - dt.timedelta(days=40))
    negative = decide(supervisor_a, case, "conclusive_grounds", "negative", TODAY)
    request = reconsider(supervisor_a, negative, kind="appeal", requested_by="person")
    services.decide_reconsideration(
        actor=principal(supervisor_a), reconsideration=request, outcome="upheld", decided_on=TODAY
    )
    request.refresh_from_db()
    assert (request.outcome, request.new_decision) == ("upheld", None)
    assert stage(case) == "not_identified"
    with pytest.raises(ValidationError, match="already recorded"):
        services.decide_reconsideration(
            actor=principal(supervisor_a),
            reconsideration=request,
            outcome="overturned",
            decided_on=TODAY,
        )


def test_one_reconsideration_at_a_time_and_not_before_the_decision(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    decision = decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    with pytest.raises(ValidationError, match="before the decision"):
        reconsider(supervisor_a, decision, requested_on=TODAY - dt.timedelta(days=1))
    reconsider(supervisor_a, decision)
    with pytest.raises(ValidationError, match="waiting for its outcome"):
        reconsider(supervisor_a, decision)


def test_a_caseworker_cannot_record_a_reconsideration(caseworker_a, supervisor_a):
    decision = decide(
        supervisor_a, make_case(caseworker_a), "reasonable_grounds", "negative", TODAY
    )
    with pytest.raises(PermissionDenied):
        reconsider(caseworker_a, decision)
    assert not Reconsideration.objects.exists()


# Pages -------------------------------------------------------------------------------------


def page(client: Any, case: Case) -> str:
    return client.get(reverse("screening:case-screenings", args=[case.id])).content.decode()


def test_the_page_shows_both_steps_deadlines_and_flags_to_a_supervisor(
    caseworker_a, supervisor_a, login
):
    case = in_gb(make_case(caseworker_a))
    refer(caseworker_a, case, D(2025, 4, 16))
    decide(supervisor_a, case, "reasonable_grounds", "positive", D(2025, 4, 28))
    body = page(login(supervisor_a), case)
    assert "Step 1: reasonable grounds" in body and "Step 2: conclusive grounds" in body
    assert "Late: decided after its deadline" in body
    assert "Reasonable-grounds decision due by 25 Apr 2025" in body
    assert SCA in body
    assert "the conclusive-grounds decision is expected from 28 May 2025" in body
    assert "Record conclusive-grounds decision" in body
    # The first step is decided and no new referral waits: no second decision is offered.
    assert "Record reasonable-grounds decision" not in body
    assert "Record the referral to a competent authority" not in body
    assert "Record a request for reconsideration or an appeal" in body
    assert "Deadlines for jurisdiction GB" in body


def test_the_page_flags_an_overdue_referral(caseworker_a, login):
    case = make_case(caseworker_a)
    refer(caseworker_a, case, TODAY - dt.timedelta(days=30))
    body = page(login(caseworker_a), case)
    assert '<span class="tag overdue">Overdue</span>' in body


def test_a_caseworker_sees_no_decision_form_and_is_refused_the_decision_page(
    caseworker_a, supervisor_a, login
):
    case = make_case(caseworker_a)
    decision = decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    client = login(caseworker_a)
    body = page(client, case)
    assert "Record reasonable-grounds decision" not in body
    assert "Record a request for reconsideration" not in body
    assert "A supervisor records the competent authority's decisions" in body
    url = reverse("screening:decision-create", args=[case.id])
    assert client.get(url).status_code == 403
    assert client.post(url, {"step": "conclusive_grounds"}).status_code == 403
    create = reverse("screening:reconsideration-create", args=[decision.id])
    assert client.post(create, {"kind": "appeal"}).status_code == 403
    assert IdentificationDecision.objects.count() == 1


def test_a_caseworker_records_the_referral_on_the_page(caseworker_a, login):
    case = make_case(caseworker_a)
    response = login(caseworker_a).post(
        reverse("screening:referral-create", args=[case.id]),
        {
            "referred_on": "2026-01-04",
            "authority_type": "Police",
            "authority_name": "Anti-trafficking unit",
        },
    )
    assert response.status_code == 302
    assert IdentificationReferral.objects.get(case=case).due_on == D(2026, 1, 11)


def test_the_decision_form_starts_from_the_authority_the_case_was_referred_to(
    caseworker_a, supervisor_a, login
):
    case = make_case(caseworker_a)
    refer(caseworker_a, case, TODAY)
    form = login(supervisor_a).get(reverse("screening:decision-create", args=[case.id]))
    body = form.content.decode()
    assert f'value="{SCA}"' in body
    assert "Answers the referral of" in body


def test_a_supervisor_records_each_step_on_its_form(caseworker_a, supervisor_a, login):
    case = make_case(caseworker_a)
    client = login(supervisor_a)
    url = reverse("screening:decision-create", args=[case.id])
    form = client.get(url + "?step=conclusive_grounds").content.decode()
    assert "Record a conclusive-grounds decision" in form
    assert 'name="step" value="conclusive_grounds"' in form
    data = {
        "step": "reasonable_grounds",
        "decided_by_org_type": "Police",
        "authority_name": "",
        "decided_on": TODAY.isoformat(),
        "outcome": "positive",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and not IdentificationDecision.objects.exists()
    assert client.post(url, {**data, "authority_name": "Police unit"}).status_code == 302
    assert stage(case) == "presumed_victim"


def test_a_supervisor_records_a_reconsideration_and_its_outcome_on_the_page(
    caseworker_a, supervisor_a, login
):
    case = make_case(caseworker_a)
    decision = decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    client = login(supervisor_a)
    client.post(
        reverse("screening:reconsideration-create", args=[decision.id]),
        {"kind": "reconsideration", "requested_on": TODAY.isoformat(), "requested_by": "person"},
    )
    review = Reconsideration.objects.get(decision=decision)
    assert "Record the outcome" in page(client, case)
    client.post(
        reverse("screening:reconsideration-decide", args=[review.id]),
        {"outcome": "overturned", "decided_on": TODAY.isoformat()},
    )
    assert stage(case) == "presumed_victim"
    body = page(client, case)
    assert "Overturned" in body and "Decision overturned" in body


def test_the_identification_section_reads_right_to_left_in_arabic(
    caseworker_a, supervisor_a, login
):
    case = make_case(caseworker_a)
    client = login(supervisor_a)
    client.post(reverse("set_language"), {"language": "ar"})
    response = client.get(reverse("screening:case-screenings", args=[case.id]))
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


# API ---------------------------------------------------------------------------------------


def send(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


DECISION = {
    "step": "reasonable_grounds",
    "decided_by_org_type": "NonPoliceGovernmentalOrganization",
    "authority_name": SCA,
    "decided_on": "2025-04-28",
    "outcome": "positive",
}


def test_the_api_records_a_referral_and_a_late_decision_with_their_dates(
    caseworker_a, supervisor_a, login
):
    case = in_gb(make_case(caseworker_a))
    referral = send(
        login(caseworker_a),
        f"{API}/cases/{case.id}/identification-referrals",
        {"referred_on": "2025-04-16", "authority_type": "Police", "authority_name": SCA},
    )
    assert referral.status_code == 201
    assert referral.json()["due_on"] == "2025-04-25" and referral.json()["overdue"] is True
    client = login(supervisor_a)
    created = send(client, f"{API}/cases/{case.id}/decisions", DECISION)
    assert created.status_code == 201
    body = created.json()
    assert (body["step"], body["late"], body["due_on"]) == (
        "reasonable_grounds",
        True,
        "2025-04-25",
    )
    assert body["trafficking_status"] == "PossibleVictimOfTrafficking"
    listed = client.get(f"{API}/cases/{case.id}/identification-referrals").json()
    assert listed[0]["decided_on"] == "2025-04-28" and listed[0]["late"] is True
    assert listed[0]["overdue"] is False


def test_the_api_refuses_a_caseworkers_decision_and_limits_the_fields(
    caseworker_a, supervisor_a, login
):
    case = make_case(caseworker_a)
    url = f"{API}/cases/{case.id}/decisions"
    assert send(login(caseworker_a), url, DECISION).status_code == 403
    client = login(supervisor_a)
    for bad in (
        {"authority_name": "   "},
        {"authority_name": "x" * 201},
        {"step": "final"},
        {"outcome": "ActualVictimOfTrafficking"},
        {"legal_basis": "x" * 4001},
    ):
        response = send(client, url, {**DECISION, **bad})
        assert response.status_code == 422, bad
        assert {e["field"] for e in response.json()["errors"]} == set(bad), bad
    assert not IdentificationDecision.objects.exists()


def test_the_api_records_a_reconsideration_and_its_outcome(caseworker_a, supervisor_a, login):
    case = make_case(caseworker_a)
    client = login(supervisor_a)
    decision = send(client, f"{API}/cases/{case.id}/decisions", {**DECISION, "outcome": "negative"})
    decision_id = decision.json()["id"]
    created = send(
        client,
        f"{API}/decisions/{decision_id}/reconsiderations",
        {"kind": "reconsideration", "requested_on": TODAY.isoformat(), "requested_by": "person"},
    )
    assert created.status_code == 201 and created.json()["outcome"] == "pending"
    decided = send(
        client,
        f"{API}/reconsiderations/{created.json()['id']}/decide",
        {"outcome": "overturned", "decided_on": TODAY.isoformat()},
    )
    assert decided.status_code == 200
    assert decided.json()["new_decision_id"] is not None
    listed = client.get(f"{API}/cases/{case.id}/decisions").json()
    overturned = next(d for d in listed if d["id"] == decision_id)
    assert overturned["overturned"] is True
    assert overturned["reconsiderations"][0]["outcome"] == "overturned"
    caseworker = login(caseworker_a)
    assert (
        send(
            caseworker,
            f"{API}/decisions/{decision_id}/reconsiderations",
            {"kind": "appeal", "requested_on": TODAY.isoformat(), "requested_by": "person"},
        ).status_code
        == 403
    )


def test_another_organisation_gets_404_from_the_identification_api(
    caseworker_a, supervisor_a, supervisor_b, login
):
    case = make_case(caseworker_a)
    decision = decide(supervisor_a, case, "reasonable_grounds", "negative", TODAY)
    client = login(supervisor_b)
    assert client.get(f"{API}/cases/{case.id}/identification-referrals").status_code == 404
    assert send(client, f"{API}/cases/{case.id}/decisions", DECISION).status_code == 404
    response = send(
        client,
        f"{API}/decisions/{decision.id}/reconsiderations",
        {"kind": "appeal", "requested_on": TODAY.isoformat(), "requested_by": "person"},
    )
    assert response.status_code == 404
