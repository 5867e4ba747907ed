"""Risk assessments, the safety plan and the contact log over the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from salama.accounts.models import User
from salama.cases.models import Task
from salama.cases.safety_models import Contact, RiskAssessment, SafetyPlan
from salama.cases.tests.test_services import make_case

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"
PLAN = {
    "safe_contacts": "Sister Hana",
    "safe_places": "The shelter",
    "warning_signs": "Unknown callers",
    "actions": "Go to the shelter",
}


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def case(caseworker_a: User) -> Any:
    return make_case(caseworker_a)


def test_a_risk_assessment_round_trips_and_becomes_current(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    assert client.get(f"{BASE}/{case.id}/risk-assessments").json() == {
        "current": None,
        "history": [],
    }
    saved = send(
        client,
        "post",
        f"{BASE}/{case.id}/risk-assessments",
        {"level": "medium", "risks": ["legal", "traffickers"], "notes": "Visa ends in May"},
    )
    assert saved.status_code == 201, saved.content
    body = client.get(f"{BASE}/{case.id}/risk-assessments").json()
    assert body["current"] == saved.json()
    assert body["current"]["risks"] == ["traffickers", "legal"]
    assert body["current"]["review_days"] == 30
    assert (
        body["current"]["next_review_on"]
        == (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    )
    assert body["current"]["review_overdue"] is False


def test_an_unknown_level_is_a_422_naming_the_field(
    case: Any, caseworker_a: User, login: Any
) -> None:
    answer = send(login(caseworker_a), "post", f"{BASE}/{case.id}/risk-assessments", {"level": "x"})
    assert answer.status_code == 422
    assert any(e["field"] == "level" for e in answer.json()["errors"])
    assert not RiskAssessment.objects.exists()


def test_the_safety_plan_is_revised_with_the_revision_read_and_a_stale_one_is_409(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    assert client.get(f"{BASE}/{case.id}/safety-plan").json()["revision"] == 0
    first = send(client, "put", f"{BASE}/{case.id}/safety-plan", {"revision": 0, **PLAN})
    assert first.status_code == 200, first.content
    assert first.json()["revision"] == 1
    stale = send(client, "put", f"{BASE}/{case.id}/safety-plan", {"revision": 0, **PLAN})
    assert stale.status_code == 409
    read = client.get(f"{BASE}/{case.id}/safety-plan").json()
    assert read == first.json() and read["safe_places"] == "The shelter"
    assert SafetyPlan.objects.count() == 1


def test_a_contact_revising_the_plan_with_a_follow_up_round_trips(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    send(client, "put", f"{BASE}/{case.id}/safety-plan", {"revision": 0, **PLAN})
    saved = send(
        client,
        "post",
        f"{BASE}/{case.id}/contacts",
        {
            "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "mode": "in_person",
            "with_whom": "person",
            "place": "Office",
            "summary": "Went over the plan",
            "agreed": "New safe place",
            "plan_review": "revised",
            "plan": {**PLAN, "safe_places": "Her cousin's flat"},
            "revision": 1,
            "follow_up": "Visit the cousin's flat",
        },
    )
    assert saved.status_code == 201, saved.content
    listed = client.get(f"{BASE}/{case.id}/contacts").json()
    assert listed == [saved.json()]
    task = Task.objects.get(contact_id=saved.json()["id"])
    assert listed[0]["task_ids"] == [str(task.id)]
    plan = client.get(f"{BASE}/{case.id}/safety-plan").json()
    assert plan["revision"] == 2 and plan["contact_id"] == saved.json()["id"]


def test_another_organisation_gets_404_and_writes_nothing(
    case: Any, caseworker_b: User, login: Any
) -> None:
    client = login(caseworker_b)
    for url in ("risk-assessments", "safety-plan", "contacts"):
        assert client.get(f"{BASE}/{case.id}/{url}").status_code == 404
    answer = send(client, "post", f"{BASE}/{case.id}/risk-assessments", {"level": "low"})
    assert answer.status_code == 404
    answer = send(
        client,
        "post",
        f"{BASE}/{case.id}/contacts",
        {
            "occurred_at": timezone.now().isoformat(),
            "mode": "phone",
            "with_whom": "person",
            "summary": "x",
        },
    )
    assert answer.status_code == 404
    assert (
        send(client, "put", f"{BASE}/{case.id}/safety-plan", {"revision": 0, **PLAN}).status_code
        == 404
    )
    assert not (RiskAssessment.objects.exists() or Contact.objects.exists())
