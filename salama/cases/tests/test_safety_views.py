"""The risk and safety section of the case page: what it shows, and its three forms (refusals
keep what was typed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from salama.accounts.models import User
from salama.cases import safety
from salama.cases.models import Task
from salama.cases.safety_models import Contact, RiskAssessment, SafetyPlan
from salama.cases.tests.test_services import make_case, principal

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker_a: User) -> Any:
    return make_case(caseworker_a)


def test_the_page_gives_the_risk_level_and_next_review_to_the_summary_header(
    case: Any, caseworker_a: User, login: Any
) -> None:
    safety.record_risk_assessment(actor=principal(caseworker_a), case=case, level="high")
    response = login(caseworker_a).get(case.get_absolute_url())
    assert response.context["risk_level"] == "high"
    assert response.context["next_review_on"] == timezone.localdate() + dt.timedelta(days=7)
    assert "Risk: High" in response.content.decode()


def test_an_unassessed_case_says_so_and_offers_the_forms_only_when_asked(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    page = client.get(case.get_absolute_url())
    assert page.context["risk_level"] == "" and page.context["next_review_on"] is None
    body = page.content.decode()
    assert "risk not assessed yet" in body and 'id="risk-form"' not in body
    asked = client.get(case.get_absolute_url(), {"safety": "risk"}).content.decode()
    assert 'id="risk-form"' in asked


def test_the_risk_form_records_an_assessment_and_keeps_the_notes_on_refusal(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    url = reverse("cases:case-risk-assess", args=[case.id])
    refused = client.post(url, {"level": "", "notes": "Threats by phone on Tuesday"})
    assert refused.status_code == 400
    assert "Threats by phone on Tuesday" in refused.content.decode()
    assert not RiskAssessment.objects.exists()
    done = client.post(url, {"level": "medium", "risks": ["legal"], "notes": "Visa ends"})
    assert done.status_code == 302 and done["Location"].endswith("?open=safety#safety")
    assert RiskAssessment.objects.get().level == "medium"


def test_the_safety_plan_form_saves_revisions_and_keeps_typed_text_on_conflict(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    url = reverse("cases:case-safety-plan", args=[case.id])
    empty = client.post(url, {"revision": "0", "safe_places": ""})
    assert empty.status_code == 400
    assert client.post(url, {"revision": "0", "actions": "Call the hotline"}).status_code == 302
    stale = client.post(url, {"revision": "0", "actions": "Hide at the mosque"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Hide at the mosque" in body and "Someone else revised the safety plan" in body
    assert SafetyPlan.objects.get().actions == "Call the hotline"


def test_the_contact_form_logs_a_contact_with_a_follow_up_and_keeps_text_on_refusal(
    case: Any, caseworker_a: User, login: Any
) -> None:
    client = login(caseworker_a)
    url = reverse("cases:case-contact-log", args=[case.id])
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "revision": "0",
        "occurred_at": when,
        "mode": "phone",
        "with_whom": "person",
        "summary": "She moved to her aunt's",
        "plan_review": "confirmed",  # there is no plan yet: refused
        "follow_up": "Send the bus fare",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "She moved to her aunt" in body and "Send the bus fare" in body
    assert not Contact.objects.exists()
    done = client.post(url, {**form, "plan_review": "not_reviewed"})
    assert done.status_code == 302
    logged = Contact.objects.get()
    assert Task.objects.get(contact=logged).title == "Send the bus fare"
    page = client.get(case.get_absolute_url(), {"open": "safety"}).content.decode()
    assert "She moved to her aunt" in page and "Send the bus fare" in page
    # The task list says where the task was agreed.
    assert f'href="?open=safety#contact-{logged.id}"' in page
