"""The name index: keyed tokens of every person's names, rewritten whenever they change.

Names are stored only as ciphertexts. To find a person again the index keeps *keyed tokens*:
``salama.people.names.name_tokens`` turns every name of a person into cross-script skeleton
tokens, and ``salama.core.crypto.token_hash`` turns each token into a signed 64-bit HMAC under
the index key (kept apart from the data keys). Each token is stored twice in ``NameToken``:

* plain, ``token_hash(t)``;
* bound to the birth year, ``token_hash(t, salt="y1990")``, when the birth year is known.

``TokenFrequency`` holds how many persons carry each token (its document frequency, df).
``salama.people.search`` reads both to answer a query.

What the token tables reveal to someone holding the database without the keys is written down
in docs/threat-model.md ("What each index reveals").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, router

from salama.core import crypto
from salama.people.models import NameToken, Person, TokenFrequency
from salama.people.names import name_tokens

__all__ = [
    "index_new_people",
    "index_people",
    "index_person",
    "person_token_hashes",
    "unindex_person",
    "year_salt",
]


def year_salt(year: int) -> str:
    return f"y{year}"


def person_token_hashes(names: Iterable[str], birth_year: int | None) -> set[int]:
    """The keyed tokens of a person known by ``names``: plain and, if known, year-bound."""
    tokens: set[str] = set()
    for name in names:
        tokens |= name_tokens([name])
    hashes = {crypto.token_hash(t) for t in tokens}
    if birth_year is not None:
        salt = year_salt(birth_year)
        hashes |= {crypto.token_hash(t, salt=salt) for t in tokens}
    return hashes


def _birth_year(person: Person) -> int | None:
    dob = person.date_of_birth
    return dob.year if dob is not None else None


def _db_for(model: type[Any]) -> str:
    return router.db_for_write(model)


def _quote(alias: str, name: str | None) -> str:
    return str(connections[alias].ops.quote_name(str(name)))


# Rows per set-based statement when indexing: SQLite binds two parameters per row (its limit
# is 32,766 per statement); PostgreSQL takes the chunk as two arrays.
_SET_CHUNK = 10_000


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _pairs_source(alias: str, pairs: Sequence[tuple[int, Any]], kind: str) -> tuple[str, list[Any]]:
    """``pairs`` as a row source of two columns, the second of SQL type ``kind``.

    PostgreSQL takes two array parameters (the statement's text stays the same whatever the
    count); SQLite a VALUES list.
    """
    if connections[alias].vendor == "postgresql":
        source = f"SELECT * FROM unnest(%s::bigint[], %s::{kind}[])"  # noqa: S608 (kind: ours)
        return source, [[a for a, _ in pairs], [b for _, b in pairs]]
    return "VALUES " + ", ".join(["(%s, %s)"] * len(pairs)), [v for pair in pairs for v in pair]


def _adjust_frequencies(alias: str, added: Counter[int], removed: Counter[int]) -> None:
    """Add ``added[t]`` to the count of each token t and take ``removed[t]`` from it.

    One upsert and one update per chunk of tokens (deltas summed over a batch), so two
    transactions adding the same new token never lose a count; tokens go in sorted, so
    concurrent writers on PostgreSQL mostly take row locks in one order (the server aborts the
    rare deadlock; the save or re-index batch then fails whole and can be run again). A count
    that reaches zero is deleted.
    """
    connection = connections[alias]
    table = _quote(alias, TokenFrequency._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(added.items()), _SET_CHUNK):
            source, params = _pairs_source(alias, chunk, "integer")
            # "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT.
            cursor.execute(
                f"WITH d(t, n) AS ({source}) "  # noqa: S608 (no user input)
                f"INSERT INTO {table} (token, count) SELECT t, n FROM d WHERE true "
                f"ON CONFLICT (token) DO UPDATE SET count = {table}.count + excluded.count",
                params,
            )
        for chunk in _chunks(sorted(removed.items()), _SET_CHUNK):
            source, params = _pairs_source(alias, chunk, "integer")
            cursor.execute(
                f"WITH d(t, n) AS ({source}) "  # noqa: S608
                f"UPDATE {table} SET count = {greatest}({table}.count - d.n, 0) "
                f"FROM d WHERE {table}.token = d.t",
                params,
            )
            cursor.execute(
                f"WITH d(t, n) AS ({source}) "  # noqa: S608
                f"DELETE FROM {table} WHERE token IN (SELECT t FROM d) AND count <= 0",
                params,
            )


def _insert_postings(alias: str, rows: Sequence[tuple[int, Any]]) -> None:
    """Insert (token, person id) postings of weight 1: one statement per chunk on PostgreSQL
    (two arrays), one prepared statement run per row on SQLite."""
    connection = connections[alias]
    field = NameToken._meta.get_field("person")
    table = _quote(alias, NameToken._meta.db_table)
    person = _quote(alias, getattr(field, "column", None))
    prepared = [(token, field.get_db_prep_save(pk, connection)) for token, pk in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for chunk in _chunks(prepared, _SET_CHUNK):
                source, params = _pairs_source(alias, chunk, "uuid")
                cursor.execute(
                    f"INSERT INTO {table} (token, {person}, weight) "  # noqa: S608
                    f"SELECT r.t, r.p, 1.0 FROM ({source}) AS r(t, p)",
                    params,
                )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (token, {person}, weight) VALUES (%s, %s, 1.0)",  # noqa: S608
                prepared,
            )


def index_person(person: Person) -> None:
    """Replace ``person``'s name tokens with those of their current names and birth year.

    Call it inside the transaction that saves the person, after every change of a name,
    another name or the date of birth. Decrypts the names (the caller holds the person).
    """
    index_people([person])


def index_people(people: Sequence[Person]) -> None:
    """``index_person`` for many persons at once, as ``salama reindex`` does.

    The batch costs one read of its postings, one delete for the persons whose tokens all
    changed (a new index key), one insert and one frequency adjustment, instead of six
    statements per person. The caller holds the persons (locked) inside a transaction.
    """
    _replace_tokens(
        {
            person.pk: person_token_hashes(person.all_names(), _birth_year(person))
            for person in people
        }
    )


def unindex_person(person: Person) -> None:
    """Remove ``person`` from the name index (erasure); needs no decryption."""
    _replace_tokens({person.pk: set()})


def _replace_tokens(new_by_person: dict[Any, set[int]]) -> None:
    if not new_by_person:
        return
    alias = _db_for(NameToken)
    old_by_person: dict[Any, set[int]] = {pk: set() for pk in new_by_person}
    for chunk in _chunks(list(new_by_person)):
        postings = NameToken.objects.using(alias).filter(person_id__in=chunk)
        for person_id, token in postings.values_list("person_id", "token"):
            old_by_person[person_id].add(token)
    added: Counter[int] = Counter()
    removed: Counter[int] = Counter()
    cleared: list[Any] = []  # persons none of whose old tokens stay
    partly: dict[Any, list[int]] = {}  # persons who keep some of them
    inserts: list[tuple[int, Any]] = []
    for pk, new in new_by_person.items():
        old = old_by_person[pk]
        gone, fresh = old - new, new - old
        if gone:
            if gone == old:
                cleared.append(pk)
            else:
                partly[pk] = sorted(gone)
        removed.update(gone)
        added.update(fresh)
        inserts.extend((token, pk) for token in sorted(fresh))
    for chunk in _chunks(cleared):
        NameToken.objects.using(alias).filter(person_id__in=chunk).delete()
    for pk, tokens in partly.items():
        for chunk in _chunks(tokens):
            NameToken.objects.using(alias).filter(person_id=pk, token__in=chunk).delete()
    if inserts:
        _insert_postings(alias, inserts)
    if added or removed:
        _adjust_frequencies(alias, added, removed)


def index_new_people(
    people: Sequence[Person], token_hash: Callable[[str, str], int] | None = None
) -> None:
    """``index_people`` for persons just created (a bulk import): nobody has postings yet, so
    none are read or deleted, and the postings go in sorted by token, as the index orders them.
    ``token_hash(token, salt)`` may remember hashes across the batch (names repeat)."""
    if not people:
        return

    def keyed(token: str, salt: str = "") -> int:
        return crypto.token_hash(token, salt=salt)

    hashes = token_hash or keyed
    added: Counter[int] = Counter()
    inserts: list[tuple[int, Any]] = []
    for person in people:
        tokens: set[str] = set()
        for name in person.all_names():
            tokens |= name_tokens([name])
        own = {hashes(t, "") for t in tokens}
        year = _birth_year(person)
        if year is not None:
            own |= {hashes(t, year_salt(year)) for t in tokens}
        added.update(own)
        inserts.extend((token, person.pk) for token in own)
    inserts.sort(key=lambda row: (row[0], str(row[1])))
    alias = _db_for(NameToken)
    _insert_postings(alias, inserts)
    _adjust_frequencies(alias, added, Counter())
