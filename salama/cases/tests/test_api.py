"""The cases API: the same policy and services, with HTTP status codes for refusals."""

from __future__ import annotations

import pytest

from salama.cases.models import ApprovalSettings, Case
from salama.cases.tests.test_services import make_case, make_person

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_lists_only_visible_cases(caseworker_a, caseworker_b, login):
    mine = make_case(caseworker_a)
    make_case(caseworker_b)
    data = login(caseworker_a).get(f"{BASE}/").json()
    assert [c["reference"] for c in data["items"]] == [mine.reference]
    assert data["has_next"] is False


def test_opens_and_reads_a_case(caseworker_a, login):
    person = make_person(caseworker_a)
    client = login(caseworker_a)
    response = post(
        client,
        f"{BASE}/",
        {"person_id": str(person.id), "case_type": "returnee", "summary": "Came back"},
    )
    assert response.status_code == 201
    case_id = response.json()["id"]
    detail = client.get(f"{BASE}/{case_id}").json()
    assert detail["summary"] == "Came back"
    assert detail["stage"] == "registered"
    assert detail["allowed_targets"] == ["screened", "assistance_plan"]


def test_another_organisation_gets_404(caseworker_a, caseworker_b, login):
    case = make_case(caseworker_a)
    client = login(caseworker_b)
    assert client.get(f"{BASE}/{case.id}").status_code == 404
    assert (
        post(
            client, f"{BASE}/{case.id}/move", {"target": "assistance_plan", "version": 1}
        ).status_code
        == 404
    )
    assert client.get(f"{BASE}/{case.id}/notes").status_code == 404
    assert client.get(f"{BASE}/{case.id}/attachments").status_code == 404


def test_move_with_a_stale_version_is_409(caseworker_a, login):
    case = make_case(caseworker_a)
    client = login(caseworker_a)
    ok = post(client, f"{BASE}/{case.id}/move", {"target": "screened", "version": 1})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = post(client, f"{BASE}/{case.id}/move", {"target": "assistance_plan", "version": 1})
    assert stale.status_code == 409
    assert "Someone else changed this case" in stale.json()["detail"]
    assert Case.objects.get(pk=case.pk).stage == "screened"


def test_an_illegal_move_is_422_with_the_message(caseworker_a, login):
    case = make_case(caseworker_a)
    response = post(
        login(caseworker_a), f"{BASE}/{case.id}/move", {"target": "follow_up", "version": 1}
    )
    assert response.status_code == 422
    assert "cannot move from" in response.json()["detail"]


def test_close_reopen_notes_and_tasks(caseworker_a, login):
    case = make_case(caseworker_a)
    # Where the organisation does not ask for a supervisor's approval, the caseworker closes.
    ApprovalSettings.objects.create(organisation=case.organisation, closure=False)
    client = login(caseworker_a)
    assert post(client, f"{BASE}/{case.id}/notes", {"body": "Needs a lawyer"}).status_code == 201
    assert client.get(f"{BASE}/{case.id}/notes").json()[0]["body"] == "Needs a lawyer"
    task = post(client, f"{BASE}/{case.id}/tasks", {"title": "Call", "due_on": "2020-01-01"}).json()
    assert task["overdue"] is True
    done = post(client, f"{BASE}/{case.id}/tasks/{task['id']}/complete", {})
    assert done.json()["status"] == "done"
    item = post(client, f"{BASE}/{case.id}/plan", {"goal": "Safety", "action": "Shelter"})
    assert item.status_code == 201
    closed = post(client, f"{BASE}/{case.id}/close", {"reason": "other", "version": 1})
    assert closed.json()["stage"] == "closed"
    assert post(client, f"{BASE}/{case.id}/notes", {"body": "late"}).status_code == 422
    assert post(client, f"{BASE}/{case.id}/reopen", {"version": 2}).json()["stage"] == "registered"


def test_data_officer_is_forbidden_the_list(data_officer_a, login):
    assert login(data_officer_a).get(f"{BASE}/").status_code == 403


def test_anonymous_caller_is_refused(client):
    assert client.get(f"{BASE}/").status_code == 401
