"""Plan items linked to the referrals and assistance items that deliver them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conftest import principal
from salama.assistance.models import AssistanceItem
from salama.assistance.tests.factories import ask
from salama.cases.models import PlanItem
from salama.cases.services import add_plan_item
from salama.referrals import services as referral_services
from salama.referrals.models import Referral
from salama.referrals.tests.helpers import consent_to, make_case, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker_a):
    return make_case(caseworker_a)


@pytest.fixture
def shelter_a(ngo_a, receiver_a):
    return make_service(ngo_a, name="Our own shelter")


def plan_item(user, case, action="Find a safe place to stay"):
    return add_plan_item(
        actor=principal(user), case=case, goal="Safety", action=action, service_type="accommodation"
    )


def refer(user, case, service, **kw):
    return referral_services.send_referral(
        actor=principal(user),
        case=case,
        service=service,
        packet_fields=["name"],
        purpose_note="Please take her in tonight.",
        **kw,
    )


def test_a_referral_records_the_plan_item_it_delivers(case, shelter_a, caseworker_a):
    item = plan_item(caseworker_a, case)
    consent_to(caseworker_a, case.person, shelter_a.provider.organisation)
    referral = refer(caseworker_a, case, shelter_a, plan_item=item)
    assert Referral.objects.get(pk=referral.pk).plan_item == item


def test_a_referral_refuses_a_plan_item_of_another_case(case, shelter_a, caseworker_a):
    other = plan_item(caseworker_a, make_case(caseworker_a))
    consent_to(caseworker_a, case.person, shelter_a.provider.organisation)
    with pytest.raises(ValidationError) as refused:
        refer(caseworker_a, case, shelter_a, plan_item=other)
    assert refused.value.message_dict["plan_item"] == ["Choose a plan item of this case, or none."]
    assert not Referral.objects.exists()


def test_assistance_refuses_a_plan_item_of_another_case(case, caseworker_a):
    other = plan_item(caseworker_a, make_case(caseworker_a))
    with pytest.raises(ValidationError) as refused:
        ask(caseworker_a, case, None, "10.00", plan_item=other)
    assert "plan_item" in refused.value.message_dict
    assert not AssistanceItem.objects.exists()


def test_deleting_a_plan_item_keeps_what_delivered_it(case, caseworker_a):
    item = plan_item(caseworker_a, case)
    assistance = ask(caseworker_a, case, None, "10.00", plan_item=item)
    PlanItem.objects.filter(pk=item.pk).delete()
    assistance.refresh_from_db()
    assert assistance.plan_item is None


def test_the_case_page_shows_what_delivers_each_plan_item(case, shelter_a, caseworker_a, login):
    delivered = plan_item(caseworker_a, case, "Find a safe place to stay")
    plan_item(caseworker_a, case, "See a doctor")
    consent_to(caseworker_a, case.person, shelter_a.provider.organisation)
    referral = refer(caseworker_a, case, shelter_a, plan_item=delivered)
    ask(caseworker_a, case, None, "10.00", plan_item=delivered)
    page = login(caseworker_a).get(f"/cases/{case.id}/").content.decode()
    assert page.count("Our own shelter") == 1
    assert f"/referrals/{referral.id}/" in page
    first_row = page.split("See a doctor")[0].split("Find a safe place to stay")[1]
    assert "Our own shelter" in first_row and "Assistance" in first_row
    assert "Create a referral for this" in page and "Request assistance for this" in page
    assert f"plan_item={delivered.id}" in page


def test_a_delivering_referral_is_not_shown_to_who_may_not_see_it(
    case, shelter_a, caseworker_a, supervisor_a, ngo_b, supervisor_b, caseworker_b, login
):
    item = plan_item(caseworker_a, case)
    consent_to(caseworker_a, case.person, shelter_a.provider.organisation)
    referral = refer(caseworker_a, case, shelter_a, plan_item=item)
    # A closed referral stays with the organisation that sent it when the case moves.
    referral_services.withdraw_referral(
        actor=principal(caseworker_a),
        referral=referral,
        reason="She found a place herself",
        expected_version=referral.version,
    )
    assert "Our own shelter" in login(caseworker_a).get(f"/cases/{case.id}/").content.decode()
    consent_to(caseworker_a, case.person, ngo_b)
    transfer = referral_services.request_transfer(
        actor=principal(supervisor_a),
        case=case,
        to_org=ngo_b,
        packet_fields=["name"],
        reason="Moved",
    )
    referral_services.accept_transfer(
        actor=principal(supervisor_b), transfer=transfer, assign_to=caseworker_b
    )
    page = login(caseworker_b).get(f"/cases/{case.id}/")
    assert page.status_code == 200
    assert "Find a safe place to stay" in page.content.decode()
    assert "Our own shelter" not in page.content.decode()


def test_the_referral_form_preselects_the_plan_item_from_its_link(
    case, shelter_a, caseworker_a, login
):
    item = plan_item(caseworker_a, case)
    other = plan_item(caseworker_a, make_case(caseworker_a), "Not this case")
    # The form past its first step: the person consented to this organisation (consent first).
    consent_to(caseworker_a, case.person, shelter_a.provider.organisation)
    client = login(caseworker_a)
    page = client.get(
        f"/referrals/new/?case={case.id}&service={shelter_a.uuid}&plan_item={item.id}"
    ).content.decode()
    assert f'<option value="{item.id}" selected>' in page
    assert "Not this case" not in page
    assert str(other.id) not in page


def test_the_assistance_form_sends_the_plan_item(case, caseworker_a, login):
    item = plan_item(caseworker_a, case)
    client = login(caseworker_a)
    page = client.get(f"/assistance/case/{case.id}/?plan_item={item.id}").content.decode()
    assert f'<option value="{item.id}" selected>' in page
    response = client.post(
        f"/assistance/case/{case.id}/",
        {
            "service_type": "accommodation",
            "description": "Two nights",
            "quantity": "1",
            "unit_cost": "20.00",
            "currency": "USD",
            "service_date": "2026-03-01",
            "plan_item": str(item.id),
        },
    )
    assert response.status_code == 302
    assert AssistanceItem.objects.get().plan_item == item


def test_the_api_round_trips_the_plan_item(case, shelter_a, caseworker_a, login):
    item = plan_item(caseworker_a, case)
    other = plan_item(caseworker_a, make_case(caseworker_a))
    consent_to(caseworker_a, case.person, shelter_a.provider.organisation)
    client = login(caseworker_a)
    body = {
        "case_id": str(case.id),
        "service_id": str(shelter_a.uuid),
        "packet_fields": ["name"],
        "purpose_note": "Shelter please",
    }
    refused = client.post(
        "/api/v1/referrals/", {**body, "plan_item": str(other.id)}, "application/json"
    )
    assert refused.status_code == 422
    assert "plan item of this case" in refused.json()["detail"] + str(refused.json()["errors"])
    sent = client.post(
        "/api/v1/referrals/", {**body, "plan_item": str(item.id)}, "application/json"
    )
    assert sent.status_code == 201
    assert sent.json()["plan_item_id"] == str(item.id)
    listed = client.get(f"/api/v1/referrals/sent?case_id={case.id}").json()
    assert [r["plan_item_id"] for r in listed] == [str(item.id)]

    assistance = {
        "service_type": "accommodation",
        "description": "Two nights",
        "unit_cost": str(Decimal("20.00")),
        "currency": "USD",
        "service_date": "2026-03-01",
    }
    url = f"/api/v1/assistance/cases/{case.id}/items"
    unknown = client.post(url, {**assistance, "plan_item": str(other.id)}, "application/json")
    assert unknown.status_code == 422
    created = client.post(url, {**assistance, "plan_item": str(item.id)}, "application/json")
    assert created.status_code == 201
    assert created.json()["plan_item_id"] == str(item.id)


def test_the_directory_carries_the_plan_item_to_the_referral_form(
    case, shelter_a, caseworker_a, login
):
    item = plan_item(caseworker_a, case)
    page = login(caseworker_a).get(
        f"/referrals/directory/?case={case.id}&plan_item={item.id}&service_type=accommodation"
    )
    assert f"service={shelter_a.uuid}&amp;plan_item={item.id}" in page.content.decode()
