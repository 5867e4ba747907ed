"""The name-agreement floor: which names a search may show, and the reasons it gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from conftest import principal
from salama.accounts.models import Organisation, User
from salama.people import name_agreement, services
from salama.people.access import visible_people
from salama.people.name_agreement import FLOOR, agreement, best_agreement
from salama.people.search import search_people
from salama.people.search_reasons import describe
from salama.people.tests.test_search import found, make_person

# (query, given name, family name, shown?). True spellings of one name in other scripts and
# transliterations must stay shown; a stranger sharing letters, or noise, must not.
FLOOR_TABLE = [
    # the same name, other spellings and scripts
    ("Mohammed", "Muhammad", "Ali", True),
    ("محمد", "Mohammed", "Ali", True),
    ("Muhammad Ali", "محمد", "علي", True),
    ("Mamadou Diallo", "Mamadu", "Diallo", True),
    ("Mamadu Jallow", "Mamadou", "Diallo", True),
    ("Olena Kovalenko", "Елена", "Коваленко", True),
    ("Olena", "Олена", "Шевченко", True),
    ("Mohamad Alhasan", "Mohammed", "Al-Hassan", True),
    ("محمد الحسن", "Mohammed", "Al-Hassan", True),
    ("Yusuf Hadad", "يوسف", "حداد", True),
    ("Tesfaye Gebremichael", "ተስፋዬ", "ገብረሚካኤል", True),
    ("Gebremedhin", "Gebre", "Medhin", True),
    ("Abdulrahman", "Abd", "al-Rahman", True),
    ("Ousmane Sissé", "Ousmane", "Cissé", True),
    ("Hanna", "Ganna", "Petrova", True),
    ("Omar", "عمر", "", True),
    # part of the name: one word of a one-word query, two of three
    ("Petrov", "Aleksandr", "Petrov", True),
    ("Mohammed Ali Hassan", "Mohammed", "Hassan", True),
    # strangers and noise
    ("Wafaa Al-Hussein", "Weber", "Hesse", False),
    ("Ahmed Hassan", "Fatima", "Hassan", False),
    ("Mariam Osman", "Karim", "Osman", False),
    ("Khaled Al-Omar", "Amr", "Al-Ahmad", False),
    ("Uthman Sow", "عائشة", "عثمان", False),
    ("Sow", "عائشة", "", False),
    ("zzqx", "Zak", "Saks", False),
    ("qqqq wwww", "Kaya", "Wa", False),
    ("lfsb", "Elvis", "Gómez", False),
]


@pytest.mark.parametrize(("query", "given", "family", "shown"), FLOOR_TABLE)
def test_the_floor_shows_true_variants_and_hides_strangers(
    query: str, given: str, family: str, shown: bool
) -> None:
    result = agreement(query, given, family)
    assert result.shown is shown, (query, given, family, result)


def test_the_floor_is_pinned() -> None:
    # Changing these changes the table above: measure with bench/search.py --names-corpus.
    assert (FLOOR, name_agreement.EXACT, name_agreement.CLOSE) == (0.6, 1.0, 0.75)
    # Two words: both must agree; one exact and one close is enough.
    assert agreement("Mohamad Alhasan", "Mohammed", "Al-Hassan").score == 0.875


def test_reasons_say_which_parts_agreed_and_how() -> None:
    assert agreement("Muhammad Ali", "محمد", "علي").reasons == (
        "given_name_agrees",
        "family_name_agrees",
    )
    assert agreement("Mohamad Alhasan", "Mohammed", "Al-Hassan").reasons == (
        "given_name_agrees",
        "family_name_similar",
    )
    assert agreement("Petrov", "Aleksandr", "Petrov").reasons == ("family_name_agrees",)
    alias = best_agreement("Umm Khalid", "Amina", "Yusuf", ["Umm Khaled"])
    assert alias.shown and alias.reasons == ("other_name_agrees",)


def test_reasons_read_as_words_with_the_birth_year_only_as_an_addition() -> None:
    with translation.override("en"):
        assert describe(["given_name_agrees", "family_name_agrees", "birth_year"]) == [
            "given name and family name agree",
            "same year of birth",
        ]
        assert describe(["given_name_similar", "family_name_agrees"]) == [
            "family name agrees, given name similar"
        ]
        assert describe(["other_name_similar"]) == ["another name similar"]
        assert describe(["document"]) == ["same document number"]


# The floor inside the search and the duplicate warning ----------------------------------------


def test_noise_finds_nobody(ngo_a: Organisation, supervisor_a: User) -> None:
    for given, family in (("Zak", "Saks"), ("Kaya", "Wa"), ("Oscar", "Sánchez"), ("Ali", "Kurdi")):
        make_person(ngo_a, supervisor_a, given, family, dt.date(1990, 1, 1))
    visible = visible_people(principal(supervisor_a))
    for noise in ("zzqx", "qqqq wwww", "xkcd", "qwrt"):
        assert search_people(visible, noise) == [], noise
        assert search_people(visible, noise, birth_year=1990) == [], noise


def test_a_same_year_stranger_is_never_returned_for_a_name_that_shares_no_part(
    ngo_a: Organisation, supervisor_a: User
) -> None:
    make_person(ngo_a, supervisor_a, "Weber", "Hesse", dt.date(1987, 3, 1))
    make_person(ngo_a, supervisor_a, "Wolfgang", "Husar", dt.date(1987, 5, 1))
    visible = visible_people(principal(supervisor_a))
    assert search_people(visible, "Wafaa Al-Hussein", birth_year=1987) == []
    assert search_people(visible, "Wafaa Al-Hussein") == []


def test_full_agreement_ranks_above_partial_agreement_whatever_the_birth_year(
    ngo_a: Organisation, supervisor_a: User
) -> None:
    # Two of three words agree for the namesake born in the year asked; all three for the person.
    partial = make_person(ngo_a, supervisor_a, "Van Minh", "Pham", dt.date(2001, 1, 1))
    whole = make_person(ngo_a, supervisor_a, "Van Minh", "Hô", dt.date(1980, 1, 1))
    hits = search_people(visible_people(principal(supervisor_a)), "Van Minh Ho", birth_year=2001)
    assert found(hits) == [whole.pk, partial.pk]
    assert hits[0].reasons == ("given_name_agrees", "family_name_agrees")
    assert hits[1].reasons == ("given_name_agrees", "birth_year")


def test_the_duplicate_warning_ignores_a_same_year_stranger(
    ngo_a: Organisation, supervisor_a: User, caseworker_a: User
) -> None:
    make_person(ngo_a, supervisor_a, "Weber", "Hesse", dt.date(1987, 3, 1))
    same = make_person(ngo_a, supervisor_a, "وفاء", "الحسين", dt.date(1987, 3, 1))
    candidates = services.find_duplicates(
        actor=principal(supervisor_a),
        given_name="Wafaa",
        family_name="Al-Hussein",
        date_of_birth=dt.date(1987, 3, 1),
    )
    assert [c.person.pk for c in candidates] == [same.pk]
    assert candidates[0].reasons == ("given_name_agrees", "family_name_agrees", "birth_date")
    assert (
        services.find_duplicates(
            actor=principal(supervisor_a),
            given_name="Wilma",
            family_name="Hosseini-Becker",
            date_of_birth=dt.date(1987, 3, 1),
        )
        == []
    )
