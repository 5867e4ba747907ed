"""The return journey's services: the steps in order, departure's conditions, consent withdrawal,
reception across borders through a referral, and the reintegration plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import principal, verified_client
from salama.assistance import services as assistance
from salama.core.models import AuditEntry
from salama.people import services as people
from salama.referrals import services as referrals
from salama.returns import services
from salama.returns.models import JourneyStep, ReturnJourney
from salama.returns.packet import summary_of
from salama.returns.tests.helpers import (
    TODAY,
    consent,
    ready_to_depart,
    reception_service,
    return_case,
    step,
)

pytestmark = pytest.mark.django_db


def test_a_journey_runs_from_counselling_to_reception_by_the_origin_organisation(
    caseworker_a, receiver_b, ngo_b, django_capture_on_commit_callbacks
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    consent(caseworker_a, case, "referral", recipient=ngo_b)
    referral = services.send_reception_referral(
        actor=principal(caseworker_a),
        journey=journey,
        service=reception_service(ngo_b),
        purpose_note="Receive her at the airport and plan her reintegration.",
        packet_fields=["name", "languages"],
    )
    step(caseworker_a, journey, "depart", on=TODAY - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        step(caseworker_a, journey, "arrive", on=TODAY - dt.timedelta(days=1))
    assert callbacks  # return.arrived is announced once the arrival commits
    referral.refresh_from_db()
    summary = summary_of(referral)
    assert summary["arrived_on"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert summary["itinerary"][0]["medical_needs"] == "Insulin in cabin luggage"
    services.record_reception(
        actor=principal(receiver_b), referral=referral, received_on=TODAY, place="JKIA arrivals"
    )
    journey.refresh_from_db()
    assert journey.status == "received"
    assert journey.received_by == receiver_b
    assert journey.received_by_organisation == ngo_b
    assert journey.reception_place == "JKIA arrivals"
    steps = list(journey.steps.values_list("step", flat=True))
    assert steps[0] == "open" and steps[-1] == "receive"
    assert all(s.actor_id for s in journey.steps.all())
    assert AuditEntry.objects.filter(action="return.receive").count() == 2


def test_the_arrival_announces_the_reception_referral(caseworker_a, ngo_b, monkeypatch) -> None:
    from salama.core import events

    seen = []
    monkeypatch.setattr(events, "emit", lambda name, **kw: seen.append((name, kw)))
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    step(caseworker_a, journey, "depart", on=TODAY - dt.timedelta(days=2))
    step(caseworker_a, journey, "arrive", on=TODAY - dt.timedelta(days=1))
    name, kw = seen[-1]
    assert name == "return.arrived"
    assert kw["record_id"] == str(case.pk)
    assert kw["data"]["arrived_on"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert kw["data"]["country"] == "KE"
    assert kw["data"]["reception_referral_id"] is None


def test_no_decision_to_return_without_a_return_consent(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    with pytest.raises(ValidationError, match="no return consent in force"):
        step(caseworker_a, journey, "decide_return")
    journey.refresh_from_db()
    assert journey.status == "counselling"


def test_a_step_out_of_order_is_refused_with_what_is_possible(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    with pytest.raises(ValidationError, match="Possible now"):
        step(caseworker_a, journey, "depart")


def test_no_departure_once_the_return_consent_is_withdrawn(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    given = case.person.consents.get(purpose="return")
    # Withdrawn without the subscriber running (no commit in this test): the service checks too.
    people.withdraw_consent(actor=principal(caseworker_a), consent=given)
    with pytest.raises(ValidationError) as exc:
        step(caseworker_a, journey, "depart")
    assert [e.code for e in exc.value.error_list] == ["no_return_consent"]


def test_no_departure_of_a_person_fit_only_with_an_escort_on_an_unescorted_leg(
    caseworker_a,
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    step(caseworker_a, journey, "add_leg", from_place="Nairobi", to_place="Nakuru", escort=False)
    with pytest.raises(ValidationError) as exc:
        step(caseworker_a, journey, "depart")
    assert [e.code for e in exc.value.error_list] == ["no_escort"]


def test_no_departure_of_a_person_not_fit_to_travel(caseworker_a) -> None:
    case = return_case(caseworker_a)
    consent(caseworker_a, case)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    step(caseworker_a, journey, "decide_return")
    step(caseworker_a, journey, "assess_risk", risk_level="medium", reasons="Debt to the recruiter")
    step(caseworker_a, journey, "assess_health", fitness="not_fit")
    step(caseworker_a, journey, "request_documents", document_type="passport", consulate="Kenya")
    step(caseworker_a, journey, "issue_documents", document_number="AK12345")
    step(caseworker_a, journey, "add_leg", from_place="Amman", to_place="Nairobi", escort=True)
    with pytest.raises(ValidationError) as exc:
        step(caseworker_a, journey, "depart")
    assert [e.code for e in exc.value.error_list] == ["not_fit"]


def test_withdrawing_the_return_consent_cancels_a_journey_not_yet_left(
    caseworker_a, django_capture_on_commit_callbacks
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    given = case.person.consents.get(purpose="return")
    with django_capture_on_commit_callbacks(execute=True):
        people.withdraw_consent(actor=principal(caseworker_a), consent=given)
    journey.refresh_from_db()
    assert journey.status == "cancelled"
    assert journey.end_reason == "consent_withdrawn"
    last = journey.steps.order_by("-recorded_at").first()
    assert last.step == "cancel" and last.details == {"reason": "consent_withdrawn"}
    assert AuditEntry.objects.filter(action="return.cancel", object_id=str(journey.pk)).exists()


def test_withdrawing_another_consent_leaves_the_journey_alone(
    caseworker_a, ngo_b, django_capture_on_commit_callbacks
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    other = consent(caseworker_a, case, "referral", recipient=ngo_b)
    with django_capture_on_commit_callbacks(execute=True):
        people.withdraw_consent(actor=principal(caseworker_a), consent=other)
    journey.refresh_from_db()
    assert journey.status == "itinerary_set"


def test_a_departed_journey_is_not_cancelled_by_a_withdrawal(
    caseworker_a, django_capture_on_commit_callbacks
) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    step(caseworker_a, journey, "depart", on=TODAY)
    given = case.person.consents.get(purpose="return")
    with django_capture_on_commit_callbacks(execute=True):
        people.withdraw_consent(actor=principal(caseworker_a), consent=given)
    journey.refresh_from_db()
    assert journey.status == "departed"


def test_a_case_has_one_open_journey_at_a_time(caseworker_a) -> None:
    case = return_case(caseworker_a)
    services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    with pytest.raises(ValidationError, match="already has an open return journey"):
        services.open_journey(actor=principal(caseworker_a), case=case, country="KE")


def test_a_cancelled_journey_records_its_reason_code_and_a_new_one_may_open(caseworker_a) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    with pytest.raises(ValidationError):
        step(caseworker_a, journey, "cancel", reason="bored")
    step(caseworker_a, journey, "cancel", reason="regularised_in_host_country")
    journey.refresh_from_db()
    assert (journey.status, journey.end_reason) == ("cancelled", "regularised_in_host_country")
    services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    assert ReturnJourney.objects.filter(case=case).count() == 2


def test_a_childs_risk_assessment_needs_a_best_interests_determination_for_return(
    caseworker_a,
) -> None:
    from salama.cases.services import open_case

    actor = principal(caseworker_a)
    child = people.register_person(
        actor=actor, given_name="Otieno", date_of_birth=dt.date(2015, 1, 1)
    )
    case = open_case(actor=actor, person=child, case_type="returnee")
    consent(caseworker_a, case, method="child_assent", guardian_name="Akinyi Otieno")
    journey = services.open_journey(actor=actor, case=case, country="KE")
    step(caseworker_a, journey, "decide_return")
    with pytest.raises(ValidationError, match="best-interests determination"):
        step(caseworker_a, journey, "assess_risk", risk_level="low", reasons="Grandmother")


def test_sensitive_texts_are_encrypted_at_rest(caseworker_a) -> None:
    from django.db import connection

    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    with connection.cursor() as cursor:
        cursor.execute("select document_number, risk_reasons from returns_returnjourney")
        row = cursor.fetchone()
        cursor.execute("select medical_needs from returns_itineraryleg")
        leg = cursor.fetchone()
    assert "ETD-55120" not in row[0] and "Nakuru" not in row[1]
    assert "Insulin" not in leg[0]
    assert journey.document_number == "ETD-55120"
    assert (
        JourneyStep.objects.filter(journey=journey, step="counsel")
        .get()
        .notes.startswith("Explained")
    )


def test_a_caseworker_of_another_organisation_cannot_take_a_step(
    caseworker_a, caseworker_b
) -> None:
    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    with pytest.raises(PermissionDenied):
        step(caseworker_b, journey, "counsel", notes="Nothing")


def test_reception_needs_an_organisation_in_the_country_of_return(caseworker_a, ngo_a) -> None:
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    with pytest.raises(ValidationError, match="country of return"):
        services.send_reception_referral(
            actor=principal(caseworker_a),
            journey=journey,
            service=reception_service(ngo_a),
            purpose_note="Receive her",
            packet_fields=["name"],
        )


def test_the_reception_referral_needs_a_referral_consent_like_any_referral(
    caseworker_a, ngo_b
) -> None:
    from salama.core.errors import ConsentMissing

    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    with pytest.raises(ConsentMissing):
        services.send_reception_referral(
            actor=principal(caseworker_a),
            journey=journey,
            service=reception_service(ngo_b),
            purpose_note="Receive her",
            packet_fields=["name"],
        )


def _handed_over(caseworker_a, ngo_b):
    case = return_case(caseworker_a)
    journey = ready_to_depart(caseworker_a, case)
    consent(caseworker_a, case, "referral", recipient=ngo_b)
    referral = services.send_reception_referral(
        actor=principal(caseworker_a),
        journey=journey,
        service=reception_service(ngo_b),
        purpose_note="Receive her at the airport.",
        packet_fields=["name"],
    )
    journey.refresh_from_db()
    return case, journey, referral


def test_the_origin_organisation_sees_only_the_packet_never_the_case(
    caseworker_a, receiver_b, supervisor_b, ngo_b
) -> None:
    case, journey, referral = _handed_over(caseworker_a, ngo_b)
    for user in (receiver_b, supervisor_b):
        client = verified_client(user)
        assert client.get(f"/cases/{case.pk}/").status_code == 404
        assert client.get(f"/api/v1/returns/journeys/{journey.pk}").status_code == 404
    page = verified_client(receiver_b).get(f"/referrals/inbox/{referral.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nairobi (NBO)" in text and "Insulin in cabin luggage" in text
    assert "ETD-55120" not in text and "Family in Nakuru" not in text
    assert "Explained AVRR options" not in text


def test_the_receiver_cannot_record_reception_before_arrival(
    caseworker_a, receiver_b, ngo_b
) -> None:
    case, journey, referral = _handed_over(caseworker_a, ngo_b)
    with pytest.raises(ValidationError, match="arrival"):
        services.record_reception(
            actor=principal(receiver_b), referral=referral, received_on=TODAY, place="Airport"
        )


def test_another_organisation_cannot_record_the_reception(caseworker_a, receiver_a, ngo_b) -> None:
    case, journey, referral = _handed_over(caseworker_a, ngo_b)
    step(caseworker_a, journey, "depart")
    step(caseworker_a, journey, "arrive")
    with pytest.raises(PermissionDenied):
        services.record_reception(
            actor=principal(receiver_a), referral=referral, received_on=TODAY, place="Airport"
        )


def test_reintegration_actions_draw_on_funds_through_approval_and_reach_the_packet(
    caseworker_a, supervisor_a, org_admin_a, ngo_b
) -> None:
    case, journey, referral = _handed_over(caseworker_a, ngo_b)
    fund = assistance.create_fund(
        actor=principal(org_admin_a),
        name="AVRR reintegration",
        kind="project_budget",
        currency="USD",
        approval_threshold=Decimal("1000"),
    )
    assistance.deposit(
        actor=principal(org_admin_a), fund=fund, amount=Decimal("5000"), note="Donor"
    )
    action = services.add_reintegration_action(
        actor=principal(caseworker_a),
        journey=journey,
        dimension="economic",
        level="individual",
        kind="business_grant",
        description="Start-up grant for a tailoring stall in Nakuru",
        unit_cost=Decimal("800"),
        fund=fund,
    )
    item = action.assistance_item
    assert (item.status, item.service_type, item.amount) == (
        "requested",
        "livelihood",
        Decimal("800"),
    )
    assert item.provider_organisation == ngo_b
    assistance.approve_item(actor=principal(supervisor_a), item=item)
    referral.refresh_from_db()
    plan = summary_of(referral)["reintegration_plan"]
    assert plan[0]["kind"] == "business_grant"
    assert plan[0]["description"] == "Start-up grant for a tailoring stall in Nakuru"
    with pytest.raises(ValidationError):
        services.add_reintegration_action(
            actor=principal(caseworker_a),
            journey=journey,
            dimension="spiritual",
            level="individual",
            kind="business_grant",
            description="x",
            unit_cost=Decimal("1"),
            currency="USD",
        )


def test_a_receiver_cannot_take_the_host_organisations_steps(
    caseworker_a, receiver_b, ngo_b
) -> None:
    case, journey, referral = _handed_over(caseworker_a, ngo_b)
    with pytest.raises(PermissionDenied):
        step(receiver_b, journey, "depart")
    assert referrals.side_of(principal(receiver_b), referral) == "recipient"


def test_a_step_taken_on_a_stale_version_is_refused_as_a_conflict(caseworker_a) -> None:
    from salama.core.errors import ConflictError

    case = return_case(caseworker_a)
    journey = services.open_journey(actor=principal(caseworker_a), case=case, country="KE")
    step(caseworker_a, journey, "counsel", notes="First session")
    with pytest.raises(ConflictError):
        services.take_step(
            actor=principal(caseworker_a),
            journey=ReturnJourney.objects.get(pk=journey.pk),
            step="counsel",
            data=services.StepInput(on=TODAY, notes="Second session"),
            expected_version=1,
        )
    assert journey.steps.filter(step="counsel").count() == 1
