"""Tasks and plan items pointed at the contact where they were agreed, from forms and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from salama.cases import safety, services
from salama.cases.models import PlanItem, Task
from salama.cases.tests.test_services import make_case, principal

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker_a):
    return make_case(caseworker_a)


def log(user, case, days_ago=1, mode="phone"):
    return safety.log_contact(
        actor=principal(user),
        case=case,
        data=safety.ContactInput(
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
            mode=mode,
            with_whom="person",
            summary="Talked about the week",
        ),
    )


def test_a_task_and_a_plan_item_point_at_a_contact_of_their_case(case, caseworker_a):
    contact = log(caseworker_a, case)
    actor = principal(caseworker_a)
    task = services.add_task(actor=actor, case=case, title="Call the lawyer", contact=contact)
    item = services.add_plan_item(
        actor=actor, case=case, goal="", action="Legal advice", contact=contact
    )
    assert Task.objects.get(pk=task.pk).contact == contact
    assert PlanItem.objects.get(pk=item.pk).contact == contact


def test_a_contact_of_another_case_is_refused(case, caseworker_a):
    elsewhere = log(caseworker_a, make_case(caseworker_a))
    actor = principal(caseworker_a)
    with pytest.raises(ValidationError) as refused:
        services.add_task(actor=actor, case=case, title="Call", contact=elsewhere)
    assert refused.value.message_dict["contact"] == ["Choose a contact of this case, or none."]
    with pytest.raises(ValidationError):
        services.add_plan_item(actor=actor, case=case, goal="", action="Act", contact=elsewhere)
    assert not Task.objects.exists()
    assert not PlanItem.objects.exists()


def test_the_forms_offer_the_cases_contacts_newest_first_and_save_the_choice(
    case, caseworker_a, login
):
    older = log(caseworker_a, case, days_ago=5, mode="phone")
    newer = log(caseworker_a, case, days_ago=1, mode="home_visit")
    elsewhere = log(caseworker_a, make_case(caseworker_a))
    client = login(caseworker_a)
    page = client.get(f"/cases/{case.id}/").content.decode()
    assert "Agreed at contact" in page
    assert page.index(f'value="{newer.id}"') < page.index(f'value="{older.id}"')
    assert "Home visit" in page
    assert str(elsewhere.id) not in page
    client.post(f"/cases/{case.id}/tasks/", {"title": "Book the clinic", "contact": older.id})
    assert Task.objects.get(contact=older).case == case
    refused = client.post(f"/cases/{case.id}/plan/", {"action": "X", "contact": elsewhere.id})
    assert refused.status_code == 400
    assert "Choose a contact of this case, or none." in refused.content.decode()
    client.post(f"/cases/{case.id}/plan/", {"action": "See a lawyer", "contact": newer.id})
    assert PlanItem.objects.get().contact == newer


def test_the_api_round_trips_the_contact(case, caseworker_a, login):
    contact = log(caseworker_a, case)
    elsewhere = log(caseworker_a, make_case(caseworker_a))
    client = login(caseworker_a)
    base = f"/api/v1/cases/{case.id}"
    task = client.post(
        f"{base}/tasks", {"title": "Call", "contact": str(contact.id)}, "application/json"
    )
    assert task.status_code == 201
    assert task.json()["contact_id"] == str(contact.id)
    item = client.post(
        f"{base}/plan", {"action": "Legal aid", "contact": str(contact.id)}, "application/json"
    )
    assert item.status_code == 201
    assert client.get(f"{base}/plan").json()[0]["contact_id"] == str(contact.id)
    refused = client.post(
        f"{base}/tasks", {"title": "Call", "contact": str(elsewhere.id)}, "application/json"
    )
    assert refused.status_code == 422
