"""The tracing pages: the request form, the case section, the match page, both sides' views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import principal, verified_client
from salama.cases.services import open_case
from salama.people import services as people
from salama.tracing import services
from salama.tracing.models import TracingMatch, TracingRequest
from salama.tracing.tests.helpers import consent, person, request_for, seeker_case

pytestmark = pytest.mark.django_db


def test_a_caseworker_opens_a_request_and_sees_the_consenting_person_only(caseworker_a):
    consenting = person(caseworker_a, "Mohammed", "Ali", age=12)
    consent(caseworker_a, consenting)
    person(caseworker_a, "Mohammed", "Ali", age=12)  # the same name, no tracing consent
    case = seeker_case(caseworker_a)
    client = verified_client(caseworker_a)
    response = client.post(
        reverse("tracing:request-new", args=[case.pk]),
        {
            "sought_given_name": "محمد",
            "sought_family_name": "علي",
            "relationship": "child",
            "sought_sex": "unknown",
            "sought_age": "12",
        },
    )
    tracing_request = TracingRequest.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == tracing_request.get_absolute_url()
    page = client.get(tracing_request.get_absolute_url()).content.decode()
    assert page.count("Mohammed Ali") == 1
    match = TracingMatch.objects.get(request=tracing_request)
    assert match.person == consenting
    assert reverse("tracing:match-detail", args=[match.pk]) in page
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="tracing"' in case_page and "Mohammed Ali" in case_page


def test_the_form_says_what_to_fix(caseworker_a):
    case = seeker_case(caseworker_a)
    response = verified_client(caseworker_a).post(
        reverse("tracing:request-new", args=[case.pk]),
        {"relationship": "child", "sought_sex": "unknown"},
    )
    assert response.status_code == 400
    assert "Write at least one name of the person sought." in response.content.decode()


def test_a_seeker_without_tracing_consent_is_asked_for_it(caseworker_a):
    seeker = person(caseworker_a, "Fatima", "Hassan", age=40)
    case = open_case(actor=principal(caseworker_a), person=seeker, case_type="vulnerable_migrant")
    response = verified_client(caseworker_a).post(
        reverse("tracing:request-new", args=[case.pk]),
        {"sought_given_name": "Ali", "relationship": "child", "sought_sex": "unknown"},
    )
    assert response.status_code == 400
    assert "Record the consent for “Family tracing” first." in response.content.decode()
    assert not TracingRequest.objects.exists()


def test_across_organisations_names_cross_only_after_both_sides_confirm(
    caseworker_a, caseworker_b, ngo_a, ngo_b, settings
):
    settings.SALAMA_TRACING_SHARING_ORGANISATIONS = [str(ngo_a.uuid), str(ngo_b.uuid)]
    son = person(caseworker_b, "Mohammed", "Ali", age=12)
    consent(caseworker_b, son)
    son_case = open_case(actor=principal(caseworker_b), person=son, case_type="unaccompanied_child")
    case = seeker_case(caseworker_a, "Fatima", "Hassan")
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    match = TracingMatch.objects.get(request=tracing_request)
    url = reverse("tracing:match-detail", args=[match.pk])
    seeker_side, other_side = verified_client(caseworker_a), verified_client(caseworker_b)

    page = seeker_side.get(url).content.decode()
    assert "Mohammed Ali" in page  # the name the seeker gave, on the request
    assert son_case.reference not in page
    other = other_side.get(url).content.decode()
    assert "Fatima Hassan" not in other
    assert "a person your organisation registered" in other
    assert son_case.get_absolute_url() in other

    seeker_side.post(reverse("tracing:match-confirm", args=[match.pk]))
    assert "Fatima Hassan" not in other_side.get(url).content.decode()
    other_side.post(reverse("tracing:match-confirm", args=[match.pk]))
    match.refresh_from_db()
    assert match.status == "confirmed"
    assert "Fatima Hassan" in other_side.get(url).content.decode()

    seeker_side.post(
        reverse("tracing:match-step", args=[match.pk]),
        {"step": "contact", "happened_on": "2026-01-02"},
    )
    for client, shown in ((seeker_side, case), (other_side, son_case)):
        section = client.get(shown.get_absolute_url()).content.decode()
        assert "Contact established" in section


def test_a_match_page_is_not_found_once_the_consent_is_withdrawn(caseworker_a):
    son = person(caseworker_a, "Mohammed", "Ali", age=12)
    given = consent(caseworker_a, son)
    tracing_request = request_for(
        caseworker_a, seeker_case(caseworker_a), "Mohammed", "Ali", sought_age=12
    )
    match = TracingMatch.objects.get(request=tracing_request)
    client = verified_client(caseworker_a)
    url = reverse("tracing:match-detail", args=[match.pk])
    assert client.get(url).status_code == 200
    people.withdraw_consent(actor=principal(caseworker_a), consent=given)
    assert client.get(url).status_code == 404
    assert url not in client.get(tracing_request.get_absolute_url()).content.decode()
    case_page = client.get(tracing_request.case.get_absolute_url()).content.decode()
    assert url not in case_page
    assert "Tracing match proposed" not in case_page  # nor in the case's timeline
    assert "Tracing request opened" in case_page


def test_the_tracing_list_shows_the_matches_waiting_for_my_side(caseworker_a):
    son = person(caseworker_a, "Mohammed", "Ali", age=12)
    consent(caseworker_a, son)
    tracing_request = request_for(
        caseworker_a, seeker_case(caseworker_a), "Mohammed", "Ali", sought_age=12
    )
    match = TracingMatch.objects.get(request=tracing_request)
    page = verified_client(caseworker_a).get(reverse("tracing:request-list")).content.decode()
    assert reverse("tracing:match-detail", args=[match.pk]) in page
    services.reject_match(actor=principal(caseworker_a), match=match)
    page = verified_client(caseworker_a).get(reverse("tracing:request-list")).content.decode()
    assert reverse("tracing:match-detail", args=[match.pk]) not in page
    assert tracing_request.get_absolute_url() in page
