"""Supervision approvals: closure, case plan, assessment and reassignment through one mechanism."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse

from conftest import verified_client
from salama.cases import approval_home, approval_queries, approvals, services
from salama.cases.choices import ApprovalKind, ApprovalStatus, Stage
from salama.cases.models import ApprovalRequest, ApprovalSettings, Case, CaseNote
from salama.cases.tests.test_services import make_case, principal
from salama.core.models import AuditEntry
from salama.core.policy import NotPermitted

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def ask_to_close(user, case, note="She found work and a flat."):
    return services.close_case(
        actor=principal(user),
        case=case,
        reason="objectives_met",
        note=note,
        expected_version=case.version,
    )


def pending(case, kind):
    return ApprovalRequest.objects.get(case=case, kind=kind, status=ApprovalStatus.PENDING)


def plan(user, case, action="Refer to a shelter"):
    return services.add_plan_item(actor=principal(user), case=case, goal="Safety", action=action)


# Closure -----------------------------------------------------------------------------------------


def test_a_caseworkers_closure_waits_for_a_supervisor_and_the_case_stays_open(caseworker_a):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case)
    stored = Case.objects.get(pk=case.pk)
    assert stored.stage == Stage.REGISTERED and stored.closed_at is None
    request = pending(case, ApprovalKind.CLOSURE)
    assert request.snapshot["reason"] == "objectives_met"
    # The case is still open for work while it waits.
    services.add_note(actor=principal(caseworker_a), case=stored, body="Still here")


def test_a_closure_asked_for_on_the_page_keeps_the_case_open(caseworker_a, login):
    case = make_case(caseworker_a)
    client = login(caseworker_a)
    response = client.post(
        reverse("cases:case-close", args=[case.id]),
        {"reason": "objectives_met", "note": "", "version": case.version},
        follow=True,
    )
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED
    page = response.content.decode()
    assert "waits for a supervisor" in page
    assert ApprovalRequest.objects.filter(case=case, kind=ApprovalKind.CLOSURE).count() == 1


def test_a_closure_through_the_api_stays_open_until_a_supervisor_approves_it(
    caseworker_a, supervisor_a, login
):
    case = make_case(caseworker_a)
    closing = post(login(caseworker_a), f"{API}/{case.id}/close", {"reason": "other", "version": 1})
    assert closing.status_code == 200
    assert closing.json()["stage"] == Stage.REGISTERED
    supervisor = login(supervisor_a)
    queue = supervisor.get(f"{API}/approvals?kind=closure").json()
    assert [(q["case_reference"], q["kind"]) for q in queue] == [(case.reference, "closure")]
    assert queue[0]["what"][0]["value"] == "Other"
    decided = post(
        supervisor, f"{API}/approvals/{queue[0]['id']}/decide", {"approve": True, "comment": ""}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


def test_approving_a_closure_closes_the_case_with_the_caseworkers_note(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case, note="She found work.")
    approvals.decide(
        actor=principal(supervisor_a), approval=pending(case, ApprovalKind.CLOSURE), approve=True
    )
    closed = Case.objects.get(pk=case.pk)
    assert closed.stage == Stage.CLOSED and closed.closure_reason == "objectives_met"
    note = CaseNote.objects.get(case=case)
    assert note.body == "She found work." and note.author == caseworker_a


def test_an_organisation_that_does_not_ask_lets_the_caseworker_close(caseworker_a, ngo_a):
    ApprovalSettings.objects.create(organisation=ngo_a, closure=False)
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case)
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED
    assert not ApprovalRequest.objects.filter(case=case).exists()


def test_a_second_closure_request_while_one_waits_is_refused(caseworker_a):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case)
    with pytest.raises(ValidationError, match="already waiting"):
        ask_to_close(caseworker_a, case)


# Who decides ---------------------------------------------------------------------------------------


def test_the_requester_cannot_approve_their_own_request(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    request = approvals.request_approval(
        actor=principal(supervisor_a), case=case, kind="closure", reason="other"
    )
    with pytest.raises(ValidationError, match="other than the requester"):
        approvals.decide(actor=principal(supervisor_a), approval=request, approve=True)
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


def test_a_caseworker_cannot_decide_even_a_colleagues_request(caseworker_a, caseworker2_a):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case)
    with pytest.raises((NotPermitted, Http404)):
        approvals.decide(
            actor=principal(caseworker2_a),
            approval=pending(case, ApprovalKind.CLOSURE),
            approve=True,
        )


def test_a_supervisor_of_another_organisation_gets_404(caseworker_a, supervisor_b, login):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case)
    request = pending(case, ApprovalKind.CLOSURE)
    client = login(supervisor_b)
    page = client.post(reverse("cases:approval-decide", args=[request.id]), {"decision": "approve"})
    assert page.status_code == 404
    api = post(client, f"{API}/approvals/{request.id}/decide", {"approve": True})
    assert api.status_code == 404
    assert client.get(f"{API}/approvals").json() == []
    assert client.get(reverse("cases:approval-queue")).context["items"] == []
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


# Stale approvals -------------------------------------------------------------------------------


def test_a_plan_that_changed_since_it_was_submitted_cannot_be_approved(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    plan(caseworker_a, case)
    request = approvals.submit_plan(actor=principal(caseworker_a), case=case)
    plan(caseworker_a, case, action="Find a lawyer")
    with pytest.raises(ValidationError, match="plan changed since it was submitted"):
        approvals.decide(actor=principal(supervisor_a), approval=request, approve=True)
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalStatus.PENDING


def test_a_closure_of_a_case_that_changed_since_cannot_be_approved(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case)
    services.move_case(
        actor=principal(caseworker_a), case=case, target="screened", expected_version=None
    )
    with pytest.raises(ValidationError, match="case changed since the closure was requested"):
        approvals.decide(
            actor=principal(supervisor_a),
            approval=pending(case, ApprovalKind.CLOSURE),
            approve=True,
        )
    assert Case.objects.get(pk=case.pk).stage == "screened"


# The case plan -------------------------------------------------------------------------------------


def test_the_plan_shows_approved_then_changed_since_approval(caseworker_a, supervisor_a, login):
    case = make_case(caseworker_a)
    plan(caseworker_a, case)
    client = login(caseworker_a)
    client.post(reverse("cases:case-plan-submit", args=[case.id]))
    request = pending(case, ApprovalKind.CASE_PLAN)
    assert request.snapshot["items"][0]["action"] == "Refer to a shelter"
    approvals.decide(actor=principal(supervisor_a), approval=request, approve=True)
    page = client.get(reverse("cases:case-detail", args=[case.id]))
    assert page.context["approvals"]["plan_state"] == "approved"
    assert "Case plan approved on" in page.content.decode()
    plan(caseworker_a, case, action="Find a lawyer")
    page = client.get(reverse("cases:case-detail", args=[case.id]))
    assert page.context["approvals"]["plan_state"] == "changed"
    assert "it changed since that approval" in page.content.decode()


def test_progress_on_an_approved_plan_keeps_it_approved(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    item = plan(caseworker_a, case)
    request = approvals.submit_plan(actor=principal(caseworker_a), case=case)
    approvals.decide(actor=principal(supervisor_a), approval=request, approve=True)
    services.set_plan_item_status(actor=principal(caseworker_a), item=item, status="done")
    assert approval_queries.case_approvals(principal(caseworker_a), case)["plan_state"] == (
        "approved"
    )


def test_an_empty_plan_cannot_be_sent_for_approval(caseworker_a):
    with pytest.raises(ValidationError, match="no action yet"):
        approvals.submit_plan(actor=principal(caseworker_a), case=make_case(caseworker_a))


def test_a_returned_plan_needs_a_comment_and_reaches_the_caseworkers_home_page(
    caseworker_a, supervisor_a
):
    case = make_case(caseworker_a)
    plan(caseworker_a, case)
    request = approvals.submit_plan(actor=principal(caseworker_a), case=case)
    with pytest.raises(ValidationError, match="Say what the caseworker should change"):
        approvals.decide(actor=principal(supervisor_a), approval=request, approve=False)
    approvals.decide(
        actor=principal(supervisor_a),
        approval=request,
        approve=False,
        comment="Give each action a date.",
    )
    panel = approval_home.returned_for_changes(principal(caseworker_a))
    assert panel is not None
    assert [(r["reference"], r["comment"]) for r in panel["items"]] == [
        (case.reference, "Give each action a date.")
    ]
    home = verified_client(caseworker_a).get("/").content.decode()
    assert "Returned for changes" in home and "Give each action a date." in home
    # Sent again, it is no longer "returned".
    approvals.submit_plan(actor=principal(caseworker_a), case=case)
    assert approval_home.returned_for_changes(principal(caseworker_a)) is None


# The assessment -------------------------------------------------------------------------------------


def test_a_finalised_assessment_waits_for_approval_and_is_then_approved(caseworker_a, supervisor_a):
    from salama.screening import services as screening
    from salama.screening.tests.test_services import assess

    case = make_case(caseworker_a)
    assessment = assess(caseworker_a, case)
    screening.finalise_assessment(actor=principal(caseworker_a), assessment=assessment)
    request = pending(case, ApprovalKind.ASSESSMENT)
    assert request.snapshot["assessment"] == str(assessment.id)
    lines = approval_queries.describe(request)
    assert lines[0].url.endswith(f"{assessment.id}/")
    page = verified_client(caseworker_a).get(lines[0].url).content.decode()
    assert "Awaiting a supervisor" in page
    approvals.decide(actor=principal(supervisor_a), approval=request, approve=True)
    section = approval_queries.case_approvals(principal(caseworker_a), case)
    assert section["assessment"].status == ApprovalStatus.APPROVED
    page = verified_client(caseworker_a).get(lines[0].url).content.decode()
    assert "Approved on" in page and supervisor_a.full_name in page


# Reassignment in the same queue ---------------------------------------------------------------------


def test_a_reassignment_is_listed_and_decided_in_the_same_queue(
    caseworker_a, caseworker2_a, supervisor_a, ngo_a, login
):
    ngo_a.reassignment_needs_approval = True
    ngo_a.save()
    case = make_case(caseworker_a)
    asked = services.assign_case(actor=principal(caseworker_a), case=case, to_user=caseworker2_a)
    client = login(supervisor_a)
    queue = client.get(reverse("cases:approval-queue") + "?kind=reassignment")
    items = queue.context["items"]
    assert [(i.kind, i.id) for i in items] == [(ApprovalKind.REASSIGNMENT, asked.id)]
    assert "caseworker2" in queue.content.decode()
    client.post(reverse("cases:approval-decide", args=[asked.id]), {"decision": "approve"})
    assert Case.objects.get(pk=case.pk).assigned_to == caseworker2_a


# The home panel and the audit -------------------------------------------------------------------


def test_the_home_panel_counts_each_kind_and_links_to_the_filtered_queue(
    caseworker_a, caseworker2_a, supervisor_a, ngo_a
):
    ngo_a.reassignment_needs_approval = True
    ngo_a.save()
    one, two = make_case(caseworker_a), make_case(caseworker_a)
    ask_to_close(caseworker_a, one)
    ask_to_close(caseworker_a, two)
    plan(caseworker_a, one)
    approvals.submit_plan(actor=principal(caseworker_a), case=one)
    services.assign_case(actor=principal(caseworker_a), case=two, to_user=caseworker2_a)
    panel = approval_home.approvals_waiting(principal(supervisor_a))
    counts = {k["kind"]: k["count"] for k in panel["kinds"]}
    assert counts == {"assessment": 0, "case_plan": 1, "closure": 2, "reassignment": 1}
    closure_url = next(k["url"] for k in panel["kinds"] if k["kind"] == "closure")
    listed = verified_client(supervisor_a).get(closure_url).context["items"]
    assert len(listed) == 2 and {i.kind for i in listed} == {"closure"}


def test_requests_and_decisions_are_audited_without_the_snapshot_in_clear(
    caseworker_a, supervisor_a
):
    case = make_case(caseworker_a)
    ask_to_close(caseworker_a, case, note="Secret address 12")
    request = pending(case, ApprovalKind.CLOSURE)
    approvals.decide(actor=principal(supervisor_a), approval=request, approve=True)
    entries = AuditEntry.objects.filter(object_id=str(request.id)).order_by("id")
    assert [e.action for e in entries] == ["case.approval_request", "case.approval_decide"]
    decided = entries.last()
    assert decided.actor_id == supervisor_a.pk
    assert "snapshot_digest" in str(decided.changes)
    assert "Secret address" not in str(decided.changes)
    # The snapshot is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot FROM cases_approvalrequest")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 1 and stored[0].startswith("v1:") and "Secret" not in stored[0]
