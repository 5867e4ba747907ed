"""The matcher proposes consenting persons across scripts, and nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from conftest import principal
from salama.people import services as people
from salama.tracing import matcher
from salama.tracing.access import access_match, visible_matches
from salama.tracing.choices import MatchReason
from salama.tracing.models import TracingMatch, TracingRequest
from salama.tracing.tests.helpers import consent, person, request_for, seeker_case

pytestmark = pytest.mark.django_db


def proposed(user: Any, tracing_request: Any) -> list[Any]:
    return list(visible_matches(principal(user)).filter(request=tracing_request))


def test_a_latin_script_request_finds_a_consenting_person_registered_in_arabic(caseworker_a):
    son = person(caseworker_a, "محمد", "علي", age=12, sex="male")
    consent(caseworker_a, son)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    [match] = proposed(caseworker_a, tracing_request)
    assert match.person == son
    assert MatchReason.NAME_OTHER_SCRIPT in match.reasons
    assert MatchReason.AGE_AGREES in match.reasons


def test_an_arabic_script_request_finds_a_consenting_person_registered_in_latin(caseworker_a):
    daughter = person(caseworker_a, "Amina", "Yusuf", age=9, sex="female")
    consent(caseworker_a, daughter)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(
        caseworker_a, case, "أمينة", "يوسف", sought_age=9, sought_sex="female"
    )
    [match] = proposed(caseworker_a, tracing_request)
    assert match.person == daughter
    assert MatchReason.SEX_AGREES in match.reasons


def test_a_person_without_tracing_consent_is_never_proposed_nor_scored(caseworker_a, monkeypatch):
    silent = person(caseworker_a, "Mohammed", "Ali", age=12)
    consent(caseworker_a, silent, purpose="assistance")  # consent, but not to tracing
    scored: list[Any] = []
    real = matcher.score_person
    monkeypatch.setattr(matcher, "score_person", lambda r, p, d: scored.append(p) or real(r, p, d))
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    assert TracingMatch.objects.filter(request=tracing_request).count() == 0
    assert silent not in scored


def test_a_namesake_of_another_age_is_not_proposed(caseworker_a):
    elder = person(caseworker_a, "Mohammed", "Ali", age=55)
    consent(caseworker_a, elder)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    assert proposed(caseworker_a, tracing_request) == []


def test_a_name_alone_without_any_age_is_not_enough_to_propose(caseworker_a):
    namesake = person(caseworker_a, "Mohammed", "Ali")
    consent(caseworker_a, namesake)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali")
    assert proposed(caseworker_a, tracing_request) == []


def test_a_withdrawn_consent_makes_the_proposed_match_disappear_for_the_seeker(caseworker_a):
    son = person(caseworker_a, "Mohammed", "Ali", age=12)
    given = consent(caseworker_a, son)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    [match] = proposed(caseworker_a, tracing_request)
    people.withdraw_consent(actor=principal(caseworker_a), consent=given)
    assert proposed(caseworker_a, tracing_request) == []
    with pytest.raises(Http404):
        access_match(principal(caseworker_a), match.pk)


def test_a_consent_given_after_the_request_proposes_the_match(
    caseworker_a, django_capture_on_commit_callbacks
):
    son = person(caseworker_a, "Mohammed", "Ali", age=12)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    assert proposed(caseworker_a, tracing_request) == []
    with django_capture_on_commit_callbacks(execute=True):
        consent(caseworker_a, son)
    assert [m.person for m in proposed(caseworker_a, tracing_request)] == [son]


def test_two_requests_looking_for_each_other_are_matched(caseworker_a):
    mother = seeker_case(caseworker_a, "Halima", "Osman", age=38, sex="female")
    son = seeker_case(caseworker_a, "Abdi", "Osman", age=14, sex="male")
    first = request_for(
        caseworker_a, mother, "Abdi", "Osman", sought_age=14, separation_place="Agadez"
    )
    second = request_for(
        caseworker_a,
        son,
        "Halima",
        "Osman",
        relationship="parent",
        sought_age=40,
        separation_place="Agadez",
    )
    [match] = TracingMatch.objects.all()
    assert (match.request, match.other_request) == (second, first)
    assert MatchReason.LOOKING_FOR_EACH_OTHER in match.reasons
    assert MatchReason.PLACE_AGREES in match.reasons
    # Seen from both cases; the person match with the other seeker is not proposed twice.
    assert proposed(caseworker_a, second) == [match]
    assert list(visible_matches(principal(caseworker_a)).filter(other_request=first)) == [match]


def test_a_person_of_another_organisation_is_not_proposed_without_a_sharing_agreement(
    caseworker_a, caseworker_b
):
    son = person(caseworker_b, "Mohammed", "Ali", age=12)
    consent(caseworker_b, son)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    assert TracingMatch.objects.filter(request=tracing_request).count() == 0


def test_a_person_of_a_sharing_organisation_is_proposed(
    caseworker_a, caseworker_b, ngo_a, ngo_b, settings
):
    settings.SALAMA_TRACING_SHARING_ORGANISATIONS = [str(ngo_a.uuid), str(ngo_b.uuid)]
    son = person(caseworker_b, "Mohammed", "Ali", age=12)
    consent(caseworker_b, son)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    [match] = proposed(caseworker_a, tracing_request)
    assert match.person == son
    # The other organisation's caseworker sees it from the person's side.
    assert list(visible_matches(principal(caseworker_b))) == [match]


def test_relatives_looking_for_each_other_get_one_match_even_after_the_consent_events(
    caseworker_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        father = seeker_case(caseworker_a, "Yonas", "Tesfaye", age=45, sex="male")
        daughter = seeker_case(caseworker_a, "Selam", "Tesfaye", age=16, sex="female")
        request_for(caseworker_a, father, "Selam", "Tesfaye", sought_age=16)
        request_for(
            caseworker_a, daughter, "Yonas", "Tesfaye", relationship="parent", sought_age=45
        )
    [match] = TracingMatch.objects.all()
    assert match.other_request is not None


def test_erasing_the_seeker_removes_their_requests_and_erasing_the_found_person_their_matches(
    caseworker_a, supervisor_a
):
    son = person(caseworker_a, "Mohammed", "Ali", age=12)
    consent(caseworker_a, son)
    case = seeker_case(caseworker_a)
    tracing_request = request_for(caseworker_a, case, "Mohammed", "Ali", sought_age=12)
    assert TracingMatch.objects.filter(request=tracing_request).exists()
    people.erase_person(actor=principal(supervisor_a), person=son, reason="person_request")
    assert not TracingMatch.objects.exists()
    people.erase_person(actor=principal(supervisor_a), person=case.person, reason="person_request")
    assert not TracingRequest.objects.exists()


def test_a_confirmed_match_and_its_steps_stay_when_a_request_is_closed_as_reunited(caseworker_a):
    from salama.tracing import services

    father = seeker_case(caseworker_a, "Yonas", "Tesfaye", age=45, sex="male")
    daughter = seeker_case(caseworker_a, "Selam", "Tesfaye", age=16, sex="female")
    first = request_for(caseworker_a, father, "Selam", "Tesfaye", sought_age=16)
    request_for(caseworker_a, daughter, "Yonas", "Tesfaye", relationship="parent", sought_age=45)
    [match] = TracingMatch.objects.all()
    actor = principal(caseworker_a)
    services.confirm_match(actor=actor, match=match)
    services.add_reunification_step(
        actor=actor, match=match, step="reunited", happened_on=match.created_at.date()
    )
    first.refresh_from_db()
    services.close_request(
        actor=actor, tracing_request=first, reason="reunited", version=first.version
    )
    assert list(visible_matches(actor).filter(other_request=first)) == [match]
    assert [s.step for s in match.steps.all()] == ["reunited"]
