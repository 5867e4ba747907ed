"""Search over encrypted names, documents and phones (salama.people.search, .name_index)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import principal
from salama.accounts.models import Organisation, User
from salama.core import crypto
from salama.core.models import DataKey
from salama.people import search
from salama.people.access import visible_people
from salama.people.models import Contact, IdentityDocument, NameToken, Person, TokenFrequency
from salama.people.name_index import index_people, index_person, person_token_hashes, unindex_person
from salama.people.search import (
    SearchHit,
    find_by_identifier,
    looks_like_identifier,
    normalise_phone,
    search_people,
)

pytestmark = pytest.mark.django_db


def make_person(
    org: Organisation,
    user: User,
    given: str,
    family: str,
    born: dt.date | None = None,
    other_names: list[dict[str, str]] | None = None,
) -> Person:
    key = DataKey.new()
    key.save()
    person = Person.objects.create(
        data_key=key,
        registered_by=org,
        created_by=user,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        other_names=other_names or [],
    )
    index_person(person)
    return person


def found(hits: list[SearchHit]) -> list[Any]:
    return [hit.person.pk for hit in hits]


@pytest.fixture
def people_a(ngo_a: Organisation, supervisor_a: User) -> dict[str, Person]:
    """A small registry of NGO A in several scripts, with noise around each name."""
    cast = {
        "mohammed": ("Mohammed", "Al-Hassan", dt.date(1990, 5, 1)),
        "ahmed": ("Ahmed", "Hassan", dt.date(1985, 1, 1)),
        "aleksandr": ("Aleksandr", "Petrov", dt.date(1979, 3, 3)),
        "olena": ("Олена", "Коваленко", dt.date(1992, 7, 9)),
        "tesfaye": ("ተስፋዬ", "ገብረሚካኤል", dt.date(1995, 2, 2)),
        "youssef": ("يوسف", "حداد", dt.date(2001, 8, 8)),
        "fatima": ("Fatima", "Zahra", dt.date(1999, 9, 9)),
        "mamadou": ("Mamadou", "Diallo", dt.date(1988, 4, 4)),
        "ivan": ("Ivan", "Sidorov", None),
        "halima": ("Halima", "Abdi", dt.date(2003, 1, 1)),
    }
    return {
        key: make_person(ngo_a, supervisor_a, given, family, born)
        for key, (given, family, born) in cast.items()
    }


def test_misspelt_variant_finds_the_person(supervisor_a: User, people_a: dict[str, Person]) -> None:
    visible = visible_people(principal(supervisor_a))
    hits = search_people(visible, "Mohamad Alhasan")
    assert found(hits)[0] == people_a["mohammed"].pk
    assert hits[0].reasons == ("given_name_agrees", "family_name_similar")
    hits = search_people(visible, "Mamadu Dialo")
    assert found(hits)[0] == people_a["mamadou"].pk


def test_arabic_query_finds_latin_record(supervisor_a: User, people_a: dict[str, Person]) -> None:
    hits = search_people(visible_people(principal(supervisor_a)), "محمد الحسن")
    assert found(hits)[0] == people_a["mohammed"].pk


def test_cyrillic_query_finds_latin_record(supervisor_a: User, people_a: dict[str, Person]) -> None:
    hits = search_people(visible_people(principal(supervisor_a)), "Александр Петров")
    assert found(hits)[0] == people_a["aleksandr"].pk


def test_latin_query_finds_other_script_records(
    supervisor_a: User, people_a: dict[str, Person]
) -> None:
    visible = visible_people(principal(supervisor_a))
    assert found(search_people(visible, "Olena Kovalenko"))[0] == people_a["olena"].pk
    assert found(search_people(visible, "Youssef Haddad"))[0] == people_a["youssef"].pk
    assert found(search_people(visible, "Yusuf Hadad"))[0] == people_a["youssef"].pk


def test_ethiopic_both_ways(supervisor_a: User, people_a: dict[str, Person]) -> None:
    visible = visible_people(principal(supervisor_a))
    assert found(search_people(visible, "Tesfaye Gebremichael"))[0] == people_a["tesfaye"].pk
    assert found(search_people(visible, "ተስፋዬ"))[0] == people_a["tesfaye"].pk


def test_part_of_a_name_and_other_names(
    ngo_a: Organisation, supervisor_a: User, people_a: dict[str, Person]
) -> None:
    visible = visible_people(principal(supervisor_a))
    assert people_a["aleksandr"].pk in found(search_people(visible, "Petrov"))
    alias = make_person(
        ngo_a,
        supervisor_a,
        "Amina",
        "Yusuf",
        other_names=[{"name": "Umm Khaled", "script": "latin", "kind": "alias"}],
    )
    assert found(search_people(visible, "Umm Khalid"))[0] == alias.pk


def test_birth_year_ranks_the_right_namesake_first(ngo_a: Organisation, supervisor_a: User) -> None:
    namesakes = [
        make_person(ngo_a, supervisor_a, "Mohammed", "Ali", dt.date(1970 + i, 6, 1))
        for i in range(15)
    ]
    visible = visible_people(principal(supervisor_a))
    target = namesakes[9]  # born 1979
    hits = search_people(visible, "Muhammad Ali", birth_year=1979)
    assert found(hits)[0] == target.pk
    assert hits[0].reasons == ("given_name_agrees", "family_name_agrees", "birth_year")
    # The years either side come next, ahead of the other namesakes.
    assert set(found(hits)[1:3]) == {namesakes[8].pk, namesakes[10].pk}
    assert len(hits) == 10
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_another_organisations_person_never_appears(
    ngo_a: Organisation,
    ngo_b: Organisation,
    supervisor_a: User,
    caseworker_b: User,
    supervisor_b: User,
) -> None:
    ours = make_person(ngo_a, supervisor_a, "Mohammed", "Al-Hassan", dt.date(1990, 5, 1))
    theirs = make_person(ngo_b, supervisor_b, "Mohammed", "Al-Hassan", dt.date(1990, 5, 1))
    crypto_doc = "P7654321"
    IdentityDocument.objects.create(
        person=theirs,
        doc_type="passport",
        number=crypto_doc,
        number_index=crypto.blind_index(crypto_doc, "document"),
    )
    in_a = visible_people(principal(supervisor_a))
    for query in ("Mohammed Al-Hassan", "محمد الحسن", crypto_doc):
        assert theirs.pk not in found(search_people(in_a, query, birth_year=1990))
    assert found(search_people(in_a, "Mohammed Al-Hassan")) == [ours.pk]
    assert find_by_identifier(in_a, crypto_doc) == []
    # A caseworker of B sees neither: B's supervisor registered theirs, not them.
    in_b = visible_people(principal(caseworker_b))
    assert search_people(in_b, "Mohammed Al-Hassan") == []
    in_b_sup = visible_people(principal(supervisor_b))
    assert found(search_people(in_b_sup, "Mohammed Al-Hassan")) == [theirs.pk]


@pytest.mark.parametrize("candidates", [100, 5])
def test_restricted_principal_gets_own_person_past_many_others(
    ngo_a: Organisation,
    supervisor_a: User,
    caseworker_a: User,
    candidates: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Many better matches the caseworker may not see must not crowd out the one they may. With
    # 5 candidates the 10 best-scoring persons are all invisible to the caseworker, so the
    # search falls back to walking every scored person in score order, visibility checked in SQL.
    monkeypatch.setattr(search, "CANDIDATES", candidates)
    statements: list[tuple[int, bool]] = []
    checked: list[int] = []
    real_score, real_rows = search._score_sql, search._visible_rows

    def score_spy(alias: str, tokens: Any, limit: int, *, visible: Any = None) -> Any:
        statements.append((limit, visible is not None))
        return real_score(alias, tokens, limit, visible=visible)

    def rows_spy(alias: str, visible: Any, ids: Any) -> Any:
        checked.append(len(ids))
        return real_rows(alias, visible, ids)

    monkeypatch.setattr(search, "_score_sql", score_spy)
    monkeypatch.setattr(search, "_visible_rows", rows_spy)
    for i in range(30):
        make_person(ngo_a, supervisor_a, "Ahmed", "Hassan", dt.date(1980 + i % 5, 1, 1))
    own = make_person(ngo_a, caseworker_a, "Ahmad", "Hasan", dt.date(1984, 1, 1))
    hits = search_people(visible_people(principal(caseworker_a)), "Ahmed Hassan")
    assert found(hits) == [own.pk]
    if candidates == 100:
        # All 31 scored fit in the first 200: one look at them, no walk.
        assert statements == [(200, False)]
        assert checked == [31]
    else:
        # The best 5, then the next 5, none visible; then the walk finds the caseworker's own.
        assert statements == [(10, False), (5, True)]
        assert checked == [5, 5, 1]
    # The supervisor sees all 31: the best of them are checked once, no walk.
    checked.clear()
    statements.clear()
    hits = search_people(visible_people(principal(supervisor_a)), "Ahmed Hassan")
    assert len(hits) == min(10, candidates)
    assert statements == [(2 * candidates, False)]
    assert checked == [min(31, candidates)]


def test_search_reads_four_statements_and_returns_whole_persons_with_their_keys(
    ngo_a: Organisation, supervisor_a: User
) -> None:
    for i in range(12):
        make_person(ngo_a, supervisor_a, "Ahmed", "Hassan", dt.date(1980 + i % 5, 1, 1))
    visible = visible_people(principal(supervisor_a))
    search_people(visible, "Ahmed")  # reads (and keeps for a while) the population count
    with CaptureQueriesContext(connection) as queries:
        hits = search_people(visible, "Ahmed Hassan", birth_year=1981)
    # Frequencies, scores, the candidates' sealed columns, the chosen persons.
    assert len(queries) == 4, [q["sql"][:80] for q in queries]
    assert len(hits) == 10
    assert hits[0].reasons == ("given_name_agrees", "family_name_agrees", "birth_year")
    with CaptureQueriesContext(connection) as more:
        shown = [(h.person.full_name, h.person.date_of_birth, h.person.age_band) for h in hits]
    assert len(more) == 0  # data keys came with the persons
    assert shown[0][0] == "Ahmed Hassan" and shown[0][1].year == 1981
    assert {type(h.person) for h in hits} == {Person}
    assert all(not h.person._state.adding and h.person._state.db == visible.db for h in hits)


def test_a_person_erased_while_a_search_runs_is_left_out(
    ngo_a: Organisation, supervisor_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salama.people import services

    gone = make_person(ngo_a, supervisor_a, "Ahmed", "Hassan", dt.date(1981, 1, 1))
    kept = make_person(ngo_a, supervisor_a, "Ahmed", "Hassan", dt.date(1982, 1, 1))
    real = search._decrypt_candidates

    def erase_meanwhile(candidates: Any, **kwargs: Any) -> Any:
        decrypted = real(candidates, **kwargs)  # the candidates were read before the erasure
        services.erase_person(actor=principal(supervisor_a), person=gone, reason="person_request")
        return decrypted

    monkeypatch.setattr(search, "_decrypt_candidates", erase_meanwhile)
    hits = search_people(visible_people(principal(supervisor_a)), "Ahmed Hassan")
    assert found(hits) == [kept.pk]
    assert hits[0].person.full_name == "Ahmed Hassan"


def test_no_permission_finds_nothing(
    supervisor_a: User, people_a: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[int] = []
    real = search._score_sql

    def spy(*args: Any, **kwargs: Any) -> Any:
        scored.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "_score_sql", spy)
    assert search_people(Person.objects.none(), "Mohammed") == []
    assert search_people(visible_people(None), "Mohammed") == []
    assert search_people(visible_people(principal(supervisor_a)), "   ") == []
    # Nobody's postings are even summed for a caller who may see nobody.
    assert scored == []


def test_document_and_phone_exact_lookup(
    ngo_a: Organisation, supervisor_a: User, people_a: dict[str, Person]
) -> None:
    person = people_a["halima"]
    IdentityDocument.objects.create(
        person=person,
        doc_type="passport",
        number="AB 123 456",
        number_index=crypto.blind_index("AB 123 456", "document"),
    )
    Contact.objects.create(
        person=people_a["ivan"],
        kind="phone",
        value="+962 79 123 4567",
        value_index=crypto.blind_index(normalise_phone("+962 79 123 4567"), "phone"),
    )
    Contact.objects.create(
        person=people_a["fatima"],
        kind="email",
        value="Fatima@Example.org",
        value_index=crypto.blind_index("fatima@example.org", "email"),
    )
    visible = visible_people(principal(supervisor_a))
    assert find_by_identifier(visible, "ab123456") == [person]
    assert find_by_identifier(visible, "AB-123-456") == [person]
    assert find_by_identifier(visible, "AB123457") == []
    assert find_by_identifier(visible, "962791234567") == [people_a["ivan"]]
    assert find_by_identifier(visible, " fatima@example.ORG ") == [people_a["fatima"]]

    hits = search_people(visible, "AB123456")
    assert hits[0].person == person and hits[0].reasons == ("document",)
    hits = search_people(visible, "+962 79 123 4567")
    assert hits[0].person == people_a["ivan"] and hits[0].reasons == ("phone",)


def test_identifier_detection() -> None:
    assert looks_like_identifier("P1234567")
    assert looks_like_identifier("+962 79 123 4567")
    assert looks_like_identifier("someone@example.org")
    assert not looks_like_identifier("Mohammed Ali")
    assert not looks_like_identifier("محمد")
    assert normalise_phone("0791 234-567") == "791234567"


def test_reindex_after_name_change_drops_old_tokens(
    ngo_a: Organisation, supervisor_a: User
) -> None:
    first = make_person(ngo_a, supervisor_a, "Ivan", "Sidorov", dt.date(1980, 1, 1))
    second = make_person(ngo_a, supervisor_a, "Ivan", "Petrenko", dt.date(1975, 1, 1))
    visible = visible_people(principal(supervisor_a))
    assert found(search_people(visible, "Sidorov")) == [first.pk]

    first.family_name = "Melnyk"
    first.save()
    index_person(first)
    expected = person_token_hashes(["Ivan Melnyk"], 1980)
    assert set(NameToken.objects.filter(person=first).values_list("token", flat=True)) == expected
    assert search_people(visible, "Sidorov") == []
    assert found(search_people(visible, "Melnyk")) == [first.pk]
    # Shared tokens ("Ivan") still count both persons; the dropped ones are gone.
    assert_frequencies_match_postings()
    ivan = crypto.token_hash("f:fn")
    assert TokenFrequency.objects.get(token=ivan).count == 2
    sidorov = crypto.token_hash("f:sdrf")
    assert not TokenFrequency.objects.filter(token=sidorov).exists()
    assert second.pk in found(search_people(visible, "Ivan"))


def test_index_is_idempotent_and_keeps_year_bound_tokens(
    ngo_a: Organisation, supervisor_a: User
) -> None:
    person = make_person(ngo_a, supervisor_a, "Fatima", "Zahra", dt.date(1999, 9, 9))
    before = NameToken.objects.filter(person=person).count()
    index_person(person)
    assert NameToken.objects.filter(person=person).count() == before
    year_bound = crypto.token_hash("f:ftm", salt="y1999")
    assert NameToken.objects.filter(person=person, token=year_bound).exists()
    assert_frequencies_match_postings()
    unknown_year = make_person(ngo_a, supervisor_a, "Fatima", "Zahra")
    assert NameToken.objects.filter(person=unknown_year).count() * 2 == before


def test_unindex_removes_everything(ngo_a: Organisation, supervisor_a: User) -> None:
    keep = make_person(ngo_a, supervisor_a, "Halima", "Abdi", dt.date(2003, 1, 1))
    gone = make_person(ngo_a, supervisor_a, "Halima", "Warsame", dt.date(2004, 1, 1))
    unindex_person(gone)
    assert not NameToken.objects.filter(person=gone).exists()
    assert_frequencies_match_postings()
    visible = visible_people(principal(supervisor_a))
    assert found(search_people(visible, "Halima")) == [keep.pk]
    unindex_person(gone)  # twice is harmless
    assert_frequencies_match_postings()


def tokens_of(person: Person) -> set[int]:
    return set(NameToken.objects.filter(person=person).values_list("token", flat=True))


def test_index_people_writes_what_index_person_writes(
    ngo_a: Organisation, supervisor_a: User
) -> None:
    # One batch: a person whose name changed (keeps "Ivan"), one unchanged, one never indexed,
    # one with no birth year, and two sharing every token (the counts must move by two).
    renamed = make_person(ngo_a, supervisor_a, "Ivan", "Sidorov", dt.date(1980, 1, 1))
    same = make_person(ngo_a, supervisor_a, "Fatima", "Zahra", dt.date(1999, 9, 9))
    twin_a = make_person(ngo_a, supervisor_a, "Amina", "Yusuf", dt.date(2000, 2, 2))
    twin_b = make_person(ngo_a, supervisor_a, "Amina", "Yusuf", dt.date(2000, 2, 2))
    fresh = make_person(ngo_a, supervisor_a, "Olena", "Koval")
    unindex_person(fresh)
    renamed.family_name = "Melnyk"
    renamed.save()
    twin_a.given_name = twin_b.given_name = "Aminata"
    twin_a.save()
    twin_b.save()

    index_people([renamed, same, twin_a, twin_b, fresh])

    assert tokens_of(renamed) == person_token_hashes(["Ivan Melnyk"], 1980)
    assert tokens_of(same) == person_token_hashes(["Fatima Zahra"], 1999)
    assert tokens_of(twin_a) == tokens_of(twin_b) == person_token_hashes(["Aminata Yusuf"], 2000)
    assert tokens_of(fresh) == person_token_hashes(["Olena Koval"], None)
    assert_frequencies_match_postings()
    assert not TokenFrequency.objects.filter(token=crypto.token_hash("f:sdrf")).exists()
    assert TokenFrequency.objects.get(token=crypto.token_hash("f:fn")).count == 1
    index_people([])  # nothing to do, nothing written


def test_reindex_rewrites_every_token_under_a_new_index_key(
    ngo_a: Organisation, supervisor_a: User, settings: Any
) -> None:
    people = [
        make_person(ngo_a, supervisor_a, "Mohammed", "Hassan", dt.date(1990, 5, 1)),
        make_person(ngo_a, supervisor_a, "Mohamed", "Hassan", dt.date(1990, 5, 1)),
        make_person(ngo_a, supervisor_a, "يوسف", "حداد", dt.date(2001, 8, 8)),
        make_person(ngo_a, supervisor_a, "Олена", "Коваленко"),
        make_person(ngo_a, supervisor_a, "ተስፋዬ", "ገብረሚካኤል", dt.date(1995, 2, 2)),
    ]
    erased = make_person(ngo_a, supervisor_a, "Halima", "Abdi", dt.date(2003, 1, 1))
    unindex_person(erased)
    Person.objects.filter(pk=erased.pk).update(erased_at=dt.datetime.now(dt.UTC))
    old = {p.pk: tokens_of(p) for p in people}
    IdentityDocument.objects.create(
        person=people[2],
        doc_type="passport",
        number="N 0012345",
        number_index=crypto.blind_index("N 0012345", "document"),
    )
    for kind, value, index in (
        (
            "phone",
            "+962 79 555 0101",
            crypto.blind_index(normalise_phone("+962 79 555 0101"), "phone"),
        ),
        ("email", "Olena@Example.org", crypto.blind_index("olena@example.org", "email")),
        ("address", "Amman, Jabal al-Weibdeh", ""),
    ):
        Contact.objects.create(person=people[3], kind=kind, value=value, value_index=index)

    settings.SALAMA_INDEX_KEY = crypto.generate_key_text()
    out = StringIO()
    call_command("reindex", "--batch-size", "2", stdout=out)

    # Every index keyed by the index key follows it: the document, the phone and the email.
    assert "Done: 5 persons re-indexed; 3 document and contact indexes rewritten." in (
        out.getvalue()
    )
    visible = visible_people(principal(supervisor_a))
    assert find_by_identifier(visible, "n0012345") == [people[2]]
    assert find_by_identifier(visible, "+962 795 550 101") == [people[3]]
    assert find_by_identifier(visible, "olena@example.org") == [people[3]]
    for person in people:
        person.refresh_from_db()
        expected = person_token_hashes(person.all_names(), _year(person))
        assert tokens_of(person) == expected
        assert not tokens_of(person) & old[person.pk]  # nothing left under the old key
    assert tokens_of(erased) == set()
    assert_frequencies_match_postings()
    assert set(found(search_people(visible, "Muhammad Hasan", birth_year=1990))[:2]) == {
        people[0].pk,
        people[1].pk,
    }
    assert found(search_people(visible, "Yusuf Haddad"))[0] == people[2].pk
    # Again: nothing changes, nothing drifts.
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "; 0 document and contact indexes rewritten." in out.getvalue()
    assert all(tokens_of(p) == person_token_hashes(p.all_names(), _year(p)) for p in people)
    assert_frequencies_match_postings()


def test_reindex_refuses_a_batch_size_below_one() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("reindex", "--batch-size", "0", stdout=StringIO())


def _year(person: Person) -> int | None:
    return person.date_of_birth.year if person.date_of_birth else None


def assert_frequencies_match_postings() -> None:
    from django.db.models import Count

    postings = dict(
        NameToken.objects.values("token").annotate(n=Count("person")).values_list("token", "n")
    )
    frequencies = dict(TokenFrequency.objects.values_list("token", "count"))
    assert frequencies == postings


def test_deployment_settings_bound_the_work_of_a_search(
    ngo_a: Organisation, supervisor_a: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(12):
        make_person(ngo_a, supervisor_a, "Ahmed", "Hassan", dt.date(1980 + i, 1, 1))
    visible = visible_people(principal(supervisor_a))
    limits: list[int] = []
    real = search._candidates

    def spy(alias: str, visible: Any, tokens: Any, limit: int) -> Any:
        limits.append(limit)
        return real(alias, visible, tokens, limit)

    monkeypatch.setattr(search, "_candidates", spy)
    assert len(search_people(visible, "Ahmed Hassan")) == 10
    settings.SALAMA_SEARCH_CANDIDATES = 3
    assert len(search_people(visible, "Ahmed Hassan")) == 3
    assert limits == [search.CANDIDATES, 3]
    # A budget smaller than any token's postings still reads the rarest token.
    settings.SALAMA_SEARCH_POSTINGS_BUDGET = 1
    assert len(search_people(visible, "Ahmed Hassan")) == 3


def test_compact_index_orders_postings_by_token(ngo_a: Organisation, supervisor_a: User) -> None:
    make_person(ngo_a, supervisor_a, "Ahmed", "Hassan", dt.date(1980, 1, 1))
    out = StringIO()
    call_command("compact_index", stdout=out)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT x.indisclustered FROM pg_index x "
                "WHERE x.indrelid = 'people_nametoken'::regclass AND x.indisprimary"
            )
            assert cursor.fetchone()[0] is True
        assert "token order" in out.getvalue()
    else:
        assert "Nothing to do" in out.getvalue()
    # The index still answers.
    hits = search_people(visible_people(principal(supervisor_a)), "Ahmad Hasan")
    assert len(hits) == 1


def test_compact_index_names_an_unknown_database() -> None:
    with pytest.raises(CommandError, match="No database 'nowhere' in DATABASES"):
        call_command("compact_index", "--database", "nowhere", stdout=StringIO())
