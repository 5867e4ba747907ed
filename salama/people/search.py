"""Search over encrypted names, documents and phones: the query side of the name index.

Names are stored only as ciphertexts. ``salama.people.name_index`` keeps their keyed tokens in
``NameToken`` (plain and bound to the birth year) and how many persons carry each token in
``TokenFrequency`` (its document frequency, df).

A query is tokenised the same way. Its tokens are looked up in ``TokenFrequency``; the rarest are
kept first under a postings budget (``POSTINGS_BUDGET``), each weighted by ln(N/df) times the
weight of its kind. With a birth year the query also uses the tokens bound to that year (full
weight) and to the years either side (lower weight), so that the candidates of a common name are
the namesakes of the right age and not an arbitrary slice of them. One SQL statement then picks
the ``CANDIDATES`` best-scoring persons among those the caller may see; only those are decrypted.
A candidate is kept only if its name *agrees* with the query beyond the floor of
``name_agreement`` (which query words agreed with which of its name parts, and how closely);
the kept ones are ranked by ``name_similarity`` and birth-year agreement, every person whose
name agrees in all the query's words before those that agree in most. The birth year orders
names that agree; it never lets in one that does not. Counting postings, not decryption, is the
cost.

A query that looks like a document number, phone number or e-mail address is looked up exactly
through the blind indexes (``IdentityDocument.number_index``, ``Contact.value_index``) instead:
those hits are a group of their own (``SearchHit.by_identifier``), and such a query is not read
as a name.

What the token tables and blind indexes reveal to someone holding the database without the keys
is written down in docs/threat-model.md ("What each index reveals").
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from salama.core import crypto, keystore
from salama.core.models import DataKey
from salama.people.models import Contact, IdentityDocument, NameToken, Person, TokenFrequency
from salama.people.name_agreement import best_agreement
from salama.people.name_index import (
    _chunks,
    _pairs_source,
    _quote,
    year_salt,
)
from salama.people.names import name_similarity, query_tokens

__all__ = [
    "CANDIDATES",
    "IDENTIFIER_REASONS",
    "POSTINGS_BUDGET",
    "TOP_FACTOR",
    "SearchHit",
    "find_by_identifier",
    "looks_like_identifier",
    "normalise_phone",
    "search_people",
]

# How many postings (token, person rows) one query may read at most, rarest tokens first.
# The design's prototype (docs/design.md#search-over-encrypted-names) used 25,000 and 200
# candidates. At 1,000,000 persons, once the given
# birth year's tokens are read before the neighbouring years', recall@10 is the same from
# 10,000 postings down to 6,000 (0.952-0.958 with the year on either database, the spread
# being which of a common name's tied namesakes make the cut), and scoring costs in proportion
# to the postings read (docs/performance.md, "Search").
POSTINGS_BUDGET = 6_000
# How many persons are decrypted and ranked per query. Both can be set per deployment
# (SALAMA_SEARCH_POSTINGS_BUDGET, SALAMA_SEARCH_CANDIDATES). At a million persons on PostgreSQL
# (docs/performance.md, fifth round) 80 instead of 100 gave recall@10 with the birth year 0.964
# instead of 0.968, across scripts 0.9775 instead of 0.975, and about 9% more searches per
# second for eight clients on two cores; 70 gave 0.962 and 0.975.
CANDIDATES = 80
# Query weight of tokens bound to the given birth year and to the years either side of it.
YEAR_WEIGHT = 1.0
NEIGHBOUR_YEAR_WEIGHT = 0.4
# Ranking: birth-year agreement added to the name similarity (0..1).
YEAR_EXACT_BONUS = 0.25
YEAR_NEAR_BONUS = 0.08
YEAR_FAR_PENALTY = 0.1
# Name hits below this similarity are noise (a shared coarse skeleton, one deletion variant).
MIN_SIMILARITY = 0.3
# The person count used for ln(N/df) is cached this long (seconds); it need not be exact.
_COUNT_TTL = 300.0

_IDENTIFIER_SEPARATORS = re.compile(r"[\s\-./()+]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Reasons of a hit found by an exact identifier rather than by name.
IDENTIFIER_REASONS = frozenset({"document", "phone", "email"})


@dataclass(frozen=True)
class SearchHit:
    """One person found, with a score (higher is better) and why they were found.

    ``reasons`` are codes: for an identifier "document", "phone" or "email"; for a name the
    name parts that agreed (``name_agreement.NAME_REASONS``: "given_name_agrees",
    "family_name_similar"...), then "birth_year" when the year agrees too.
    """

    person: Person
    score: float
    reasons: tuple[str, ...]

    @property
    def by_identifier(self) -> bool:
        """Found by an exact document number, phone number or e-mail address."""
        return bool(self.reasons) and self.reasons[0] in IDENTIFIER_REASONS


# Exact look-ups through blind indexes ----------------------------------------------------------


def normalise_phone(value: str) -> str:
    """Digits of a phone number without a leading + or trunk zeros ("079 123" -> "79123").

    The value a "phone" blind index is computed from, on writing and on searching alike.
    """
    digits = re.sub(r"[^\d+]", "", value)
    return digits.lstrip("+").lstrip("0") if digits else ""


def looks_like_identifier(query: str) -> bool:
    """Whether a query may be a document number, phone number or e-mail address."""
    text = query.strip()
    if not text:
        return False
    if _EMAIL.match(text):
        return True
    compact = _IDENTIFIER_SEPARATORS.sub("", text)
    if not compact or " " in compact:
        return False
    digits = sum(ch.isdigit() for ch in compact)
    # Mostly digits (a phone, a national number), or a short letter prefix and digits
    # (passports such as P1234567 or AB123456).
    return digits >= 4 and (digits * 2 >= len(compact) or (digits >= 5 and compact.isalnum()))


def _identifier_hits(visible: QuerySet[Person], value: str) -> list[tuple[Person, str]]:
    document = crypto.blind_index(value, "document")
    if not document:
        return []
    reasons: dict[Any, str] = {}
    for person_id in IdentityDocument.objects.filter(number_index=document).values_list(
        "person_id", flat=True
    ):
        reasons.setdefault(person_id, "document")
    contact_indexes: dict[str, str] = {}
    if "@" in value:
        contact_indexes[crypto.blind_index(value, "email")] = "email"
    else:
        phone = crypto.blind_index(normalise_phone(value), "phone")
        if phone:
            contact_indexes[phone] = "phone"
    for person_id, index in Contact.objects.filter(
        value_index__in=list(contact_indexes)
    ).values_list("person_id", "value_index"):
        reasons.setdefault(person_id, contact_indexes[index])
    if not reasons:
        return []
    people = visible.filter(pk__in=list(reasons)).select_related("data_key").order_by("pk")
    return [(p, reasons[p.pk]) for p in people]


def find_by_identifier(visible: QuerySet[Person], value: str) -> list[Person]:
    """Persons in ``visible`` with a document number, phone or e-mail exactly equal to ``value``.

    Equality is decided on the normalised value (``crypto.normalise_exact``: case, spaces and
    punctuation do not count) through the blind indexes written with purposes "document",
    "phone" and "email".
    """
    return [person for person, _reason in _identifier_hits(visible, value)]


# Name search -----------------------------------------------------------------------------------

_person_count: dict[str, tuple[float, int]] = {}


def _population(alias: str) -> int:
    """Number of persons, cached for a few minutes: only ln(N/df) needs it."""
    now = time.monotonic()
    cached = _person_count.get(alias)
    if cached is not None and now - cached[0] < _COUNT_TTL:
        return cached[1]
    count = Person.objects.using(alias).count()
    _person_count[alias] = (now, count)
    return count


class _QueryTokens(NamedTuple):
    # Keyed token -> its kind weight times its year weight; ln(1 + N/df) comes later.
    weights: dict[int, float]
    # Keyed token -> how early it is read under the budget (see _select_tokens): the year
    # weight, so that the tokens of the neighbouring years are read after those of the year.
    priority: dict[int, float]


def _query_weights(query: str, birth_year: int | None) -> _QueryTokens:
    """The keyed tokens of a query, plain and, with a birth year, bound to it and its neighbours."""
    weights: dict[int, float] = {}
    priority: dict[int, float] = {}

    def add(token: int, weight: float, year_weight: float) -> None:
        if weights.get(token, 0.0) < weight:
            weights[token] = weight
            priority[token] = year_weight

    for token, kind_weight in query_tokens(query):
        add(crypto.token_hash(token), kind_weight, 1.0)
        if birth_year is not None:
            add(
                crypto.token_hash(token, salt=year_salt(birth_year)),
                kind_weight * YEAR_WEIGHT,
                YEAR_WEIGHT,
            )
            for near in (birth_year - 1, birth_year + 1):
                add(
                    crypto.token_hash(token, salt=year_salt(near)),
                    kind_weight * NEIGHBOUR_YEAR_WEIGHT,
                    NEIGHBOUR_YEAR_WEIGHT,
                )
    return _QueryTokens(weights, priority)


def _frequencies(alias: str, tokens: Sequence[int]) -> dict[int, int]:
    """How many persons carry each of ``tokens`` (those nobody carries are left out).

    Plain SQL: a query has a hundred or more tokens, and compiling the ORM's statement for
    them cost more than running it.
    """
    table = _quote(alias, TokenFrequency._meta.db_table)
    result: dict[int, int] = {}
    for chunk in _chunks(list(tokens), 900):
        marks = ", ".join(["%s"] * len(chunk))
        sql = f"SELECT token, count FROM {table} WHERE token IN ({marks})"  # noqa: S608
        result.update(_fetch(alias, sql, chunk))
    return result


def _select_tokens(
    query: _QueryTokens, frequencies: dict[int, int], population: int
) -> list[tuple[int, float]]:
    """Tokens in order of df / priority while their postings fit the budget.

    The rarest first (a rare token is cheap to read and says much), except that a token of a
    neighbouring birth year counts as 1 / NEIGHBOUR_YEAR_WEIGHT times commoner than it is: the
    budget goes to the given year's tokens first, and a common word's exact-year postings are
    not crowded out by the rarer ones of the years either side (measured at 1,000,000 persons:
    recall@10 with the birth year 0.944 -> 0.950, docs/performance.md). Each chosen token scores
    its weight times ln(1 + N/df).
    """
    weights, priority = query.weights, query.priority
    present = sorted(
        (t for t in weights if frequencies.get(t, 0) > 0),
        key=lambda t: frequencies[t] / priority[t],
    )
    chosen: list[tuple[int, float]] = []
    postings = 0
    n = max(population, 1)
    budget = settings.SALAMA_SEARCH_POSTINGS_BUDGET or POSTINGS_BUDGET
    for token in present:
        df = frequencies[token]
        if chosen and postings + df > budget:
            continue  # a rarer token may still fit after a common one was skipped
        postings += df
        idf = math.log(1.0 + n / df)
        chosen.append((token, weights[token] * idf))
    return chosen


# Only quoted identifiers and the ORM's own SQL are interpolated; every value is a parameter.
#
# The best-scoring persons by their matching postings, whoever they are: the sum runs over the
# postings only (``people_nametoken`` holds no visibility), and nothing but ids and sums leaves
# the database. Nobody is decrypted before ``_visible_rows`` has checked the caller may see them.
_SCORE_SQL = (
    "WITH q(t, w) AS ({source}) "
    "SELECT nt.{person} AS person_id, SUM(q.w) AS score "
    "FROM q JOIN {table} nt ON nt.{token} = q.t "
    "GROUP BY nt.{person} ORDER BY score DESC LIMIT %s"
)
# When fewer than ``limit`` of the ``TOP_FACTOR * limit`` best are visible (a caseworker who
# sees only their own cases): every scored person in score order, checked one by one until
# ``limit`` visible are found.
_WALK_SQL = (
    "WITH q(t, w) AS ({source}) "
    "SELECT g.person_id, g.score FROM ("
    "SELECT nt.{person} AS person_id, SUM(q.w) AS score "
    "FROM q JOIN {table} nt ON nt.{token} = q.t "
    "GROUP BY nt.{person} ORDER BY score DESC {fence}"
    ") g WHERE EXISTS ({visible}) LIMIT %s"
)
# How many of the best-scoring persons are read before falling back to the walk, per
# candidate wanted.
TOP_FACTOR = 2


def _visible_sql(alias: str, visible: QuerySet[Person], outer: str) -> tuple[str, Sequence[Any]]:
    """``visible`` as a correlated sub-query that holds for the person whose id is ``outer``.

    Raises EmptyResultSet when nobody is visible.
    """
    # ``outer`` is a quoted column reference written in this module, never user input.
    restricted = visible.using(alias).order_by().filter(pk=RawSQL(outer, ()))  # noqa: S611
    sql, params = restricted.values("pk").query.sql_with_params()
    return sql, params


def _score_sql(
    alias: str,
    tokens: Sequence[tuple[int, float]],
    limit: int,
    *,
    visible: QuerySet[Person] | None = None,
) -> tuple[str, list[Any]]:
    """One statement scoring persons by their matching postings, best first.

    Without ``visible``: the ``limit`` best-scoring persons (``_SCORE_SQL``). With it: the
    ``limit`` best-scoring persons in ``visible``, the visibility checked per person in score
    order by a correlated EXISTS on the primary key (``_WALK_SQL``).
    """
    connection = connections[alias]
    # The query's (token, weight) pairs, named q(t, w) by the statement.
    source, params = _pairs_source(alias, tokens, "double precision")
    parts = {
        "source": source,
        "person": _quote(alias, getattr(NameToken._meta.get_field("person"), "column", None)),
        "token": _quote(alias, "token"),
        "table": _quote(alias, NameToken._meta.db_table),
    }
    if visible is None:
        return _SCORE_SQL.format(**parts), [*params, limit]
    visible_sql, visible_params = _visible_sql(alias, visible, "g.person_id")
    # The fence keeps the visibility check out of the aggregate (PostgreSQL) and stops SQLite
    # from pushing it below the GROUP BY.
    fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1"
    return (
        _WALK_SQL.format(fence=fence, visible=visible_sql, **parts),
        [*params, *visible_params, limit],
    )


def _fetch(alias: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _ids_source(alias: str) -> str:
    """A sub-query listing the primary keys passed as its one parameter (``_ids_param``).

    One parameter rather than one per id: the statement's text then does not change from one
    search to the next (SQLite reuses its prepared statement) and nobody handles a hundred values.
    """
    if connections[alias].vendor == "postgresql":
        return "SELECT unnest(%s::uuid[])"
    return "SELECT value FROM json_each(%s)"


def _ids_param(alias: str, ids: Sequence[Any]) -> Any:
    """Primary keys as the database returns them, as the parameter of ``_ids_source``."""
    if connections[alias].vendor == "postgresql":
        return list(ids)
    return json.dumps(list(ids))


# What ranking reads of a candidate: the sealed names and birth date, and its data key's id and
# whether it was shredded (the wrapped key itself is in the key store, fetched for all at once).
_SEALED_COLUMNS = (
    "pk",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "data_key_id",
    "data_key__kek_id",
    "data_key__shredded_at",
)


def _visible_rows(
    alias: str, visible: QuerySet[Person], ids: Sequence[Any]
) -> dict[Any, tuple[Any, ...]]:
    """The sealed columns (``_SEALED_COLUMNS``) of those persons ``ids`` in ``visible``, by id.

    ``ids`` are primary keys as the database returns them, and so are the keys of the result.
    The statement is the caller's ``visible`` query narrowed to ``ids``, compiled by the ORM and
    read raw: converting a hundred rows' values costs more than the statement.
    """
    if not ids:
        return {}
    # The text is one of two constants (_ids_source); the ids are its parameter.
    wanted = RawSQL(_ids_source(alias), (_ids_param(alias, ids),))  # noqa: S611
    rows = visible.using(alias).order_by().filter(pk__in=wanted).values_list(*_SEALED_COLUMNS)
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return {}
    return {row[0]: row for row in _fetch(alias, sql, params)}


class _Scored(NamedTuple):
    """A visible candidate before decryption: its id, postings score and sealed columns."""

    pk: Any
    score: float
    row: tuple[Any, ...]


def _candidates(
    alias: str, visible: QuerySet[Person], tokens: Sequence[tuple[int, float]], limit: int
) -> list[_Scored]:
    """The ``limit`` best-scoring persons in ``visible``, best first, with their sealed columns.

    First the ``TOP_FACTOR * limit`` best-scoring persons regardless of visibility (ids and sums
    only), then the caller's visibility of the best ``limit`` of them checked in the statement
    that reads their sealed columns, and of the next ones only if some were not visible. For an
    organisation-wide principal that is two short statements; measured at 1,000,000 persons
    this costs less than checking visibility inside the scoring statement, on both databases
    (docs/performance.md). When fewer than ``limit`` of the best are visible (a caseworker who
    sees only their own cases) the scoring statement walks every scored person instead.
    """
    if not tokens:
        return []
    top = TOP_FACTOR * limit
    scored = [(pid, float(score)) for pid, score in _fetch(alias, *_score_sql(alias, tokens, top))]
    found: list[_Scored] = []
    for window in (scored[:limit], scored[limit:]):
        if not window or len(found) >= limit:
            break
        rows = _visible_rows(alias, visible, [pid for pid, _ in window])
        found += [_Scored(pid, score, rows[pid]) for pid, score in window if pid in rows]
    if len(found) >= limit or len(scored) < top:
        return found[:limit]
    try:
        walk_sql, walk_params = _score_sql(alias, tokens, limit, visible=visible)
    except EmptyResultSet:
        return []
    walked = [(pid, float(score)) for pid, score in _fetch(alias, walk_sql, walk_params)]
    rows = _visible_rows(alias, visible, [pid for pid, _ in walked])
    return [_Scored(pid, score, rows[pid]) for pid, score in walked if pid in rows]


@dataclass(frozen=True)
class _Candidate:
    """A candidate decrypted for ranking only: its names and birth year, nothing else."""

    pk: Any
    names: list[str]  # the full name (given and family), then the other names
    birth_year: int | None
    given: str = ""
    family: str = ""


def _decrypt_candidates(
    candidates: Iterable[_Scored], *, with_year: bool = True
) -> list[_Candidate]:
    """Decrypt the names (and birth year if ``with_year``) of ``candidates``.

    Works on the sealed columns ``_candidates`` read rather than on model instances: building
    100 model instances costs more than decrypting them. Persons whose key is gone are left out.
    """
    label = Person._meta.label_lower
    candidates = [c for c in candidates if c.row[7] is None]  # shredded keys are left out
    try:  # one query to the key store for the uncached keys of all candidates
        deks = keystore.data_keys(_uuid_text(c.row[5]) for c in candidates)
    except crypto.CryptoError:
        deks = {}  # a key this server does not hold: every candidate is left out below
    result: list[_Candidate] = []
    for candidate in candidates:
        pid, given, family, other, dob, key_id, _kek_id, _shredded = candidate.row
        dek = deks.get(_uuid_text(key_id))
        if dek is None:
            continue  # destroyed in the key store
        subject = _uuid_text(pid)
        try:
            cipher = crypto.field_cipher(dek)

            def plain(
                token: str | None, field: str, cipher: Any = cipher, subject: str = subject
            ) -> str:
                if token is None:
                    return ""
                return crypto.decrypt_text(cipher, token, crypto.field_aad(label, subject, field))

            given_text = plain(given, "given_name")
            family_text = plain(family, "family_name")
            full = " ".join(n for n in (given_text, family_text) if n)
            names = [full] if full else []
            if other is not None:
                extra = json.loads(plain(other, "other_names")) or []
                names += [n["name"] for n in extra if isinstance(n, dict) and n.get("name")]
            born = plain(dob, "date_of_birth") if with_year else ""
        except crypto.CryptoError:
            continue  # erased meanwhile, or a key this server does not hold
        year = int(born[:4]) if born else None
        result.append(
            _Candidate(pk=pid, names=names, birth_year=year, given=given_text, family=family_text)
        )
    return result


def _uuid_text(value: Any) -> str:
    """The canonical text of a UUID as the database returns it (a UUID, or 32 hex digits on
    SQLite), without building a UUID object: a search does this for a couple of hundred ids."""
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}".lower()
    return str(uuid.UUID(text))


def _year_adjustment(year: int | None, birth_year: int | None) -> tuple[float, bool]:
    if birth_year is None or year is None:
        return 0.0, False
    gap = abs(year - birth_year)
    if gap == 0:
        return YEAR_EXACT_BONUS, True
    if gap == 1:
        return YEAR_NEAR_BONUS, True
    return -YEAR_FAR_PENALTY, False


def _rank(
    query: str,
    candidates: Iterable[_Candidate],
    postings_score: dict[Any, float],
    birth_year: int | None,
    limit: int,
) -> list[tuple[Any, float, tuple[str, ...]]]:
    """The ``limit`` best candidates whose names agree with the query (``name_agreement.FLOOR``).

    Those agreeing in every query word come before those agreeing in most, whatever their
    birth year; within each, name similarity plus the birth-year adjustment orders them.
    Agreement is worked out in score order and stops once ``limit`` candidates agree in every
    word: nobody after them could rank higher.
    """
    top = max(postings_score.values(), default=1.0) or 1.0
    scored: list[tuple[float, str, _Candidate, bool]] = []
    for candidate in candidates:
        similarity = name_similarity(query, candidate.names)
        if similarity < MIN_SIMILARITY:
            continue
        bonus, year_agrees = _year_adjustment(candidate.birth_year, birth_year)
        # The postings score only breaks ties between equally similar names.
        score = similarity + bonus + 0.01 * postings_score.get(candidate.pk, 0.0) / top
        scored.append((round(score, 6), str(candidate.pk), candidate, year_agrees))
    scored.sort(key=lambda item: (-item[0], item[1]))
    complete: list[tuple[Any, float, tuple[str, ...]]] = []
    partial: list[tuple[Any, float, tuple[str, ...]]] = []
    for score, _key, candidate, year_agrees in scored:
        # ``names`` starts with the full name when there is one.
        others = candidate.names[1:] if candidate.given or candidate.family else candidate.names
        agreed = best_agreement(query, candidate.given, candidate.family, others)
        if not agreed.shown:
            continue
        reasons = agreed.reasons + (("birth_year",) if year_agrees else ())
        (complete if agreed.complete else partial).append((candidate.pk, score, reasons))
        if len(complete) >= limit:
            break
    return (complete + partial)[:limit]


def _people_sql(alias: str) -> str:
    """The statement that reads whole persons by a list of ids (one parameter), built once per
    database from the model: the ids come from ``_candidates``, which checked visibility."""
    if alias not in _PEOPLE_SQL:
        qn = connections[alias].ops.quote_name
        meta = Person._meta
        columns = ", ".join(qn(str(f.column)) for f in meta.concrete_fields)
        # Only names from the model's metadata, quoted, go into the text; the ids are a parameter.
        _PEOPLE_SQL[alias] = (
            f"SELECT {columns} FROM {qn(meta.db_table)} "  # noqa: S608
            f"WHERE {qn(str(meta.pk.column))} IN ({_ids_source(alias)})"
        )
    return _PEOPLE_SQL[alias]


_PEOPLE_SQL: dict[str, str] = {}


def _load_people(
    alias: str, ids: Sequence[Any], candidates: Iterable[_Scored]
) -> dict[Any, Person]:
    """The persons ``ids`` (primary keys as the database returns them), by those ids, each with
    its data key attached from the candidate row already read (no second join, no ORM compile:
    both cost more than the statement for ten persons).

    A person erased since the candidates were read is left out, as the candidates' statement
    would have left them out: the key read before the erasure must not outlive it.
    """
    if not ids:
        return {}
    rows = {c.pk: c.row for c in candidates}
    key_pk = DataKey._meta.pk
    pk_field = Person._meta.pk
    by_id = {pk_field.to_python(raw): raw for raw in ids}
    people: dict[Any, Person] = {}
    for person in Person.objects.db_manager(alias).raw(
        _people_sql(alias), [_ids_param(alias, ids)]
    ):
        raw = by_id.get(person.pk)
        if raw is None:
            continue
        _pid, _given, _family, _other, _dob, key_id, kek_id, shredded = rows[raw]
        key_id = key_pk.to_python(key_id)
        if person.erased_at is not None or person.data_key_id != key_id or shredded is not None:
            continue
        key = DataKey.from_db(alias, ["id", "kek_id", "shredded_at"], [key_id, kek_id, None])
        Person.data_key.field.set_cached_value(person, key)
        people[raw] = person
    return people


def search_people(
    visible: QuerySet[Person],
    query: str,
    *,
    birth_year: int | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """The persons in ``visible`` best matching ``query``, best first, at most ``limit``.

    ``visible`` is the caller's ``access.visible_people(principal)``: nobody outside it is
    ever scored, decrypted or returned. ``query`` is any part of any name in any script, or a
    document number, phone number or e-mail address; ``birth_year`` narrows namesakes.
    """
    query = query.strip()
    if not query or limit <= 0 or visible.query.is_empty():
        return []  # is_empty: a caller without the permission gets none(); nothing is scored
    alias = visible.db
    hits: list[SearchHit] = []
    if looks_like_identifier(query):
        # A document number, phone number or e-mail address is not a name: only exact matches.
        for person, reason in _identifier_hits(visible, query):
            hits.append(SearchHit(person=person, score=2.0, reasons=(reason,)))
        return hits[:limit]
    keyed = _query_weights(query, birth_year)
    if keyed.weights:
        frequencies = _frequencies(alias, list(keyed.weights))
        tokens = _select_tokens(keyed, frequencies, _population(alias))
        # Primary keys stay as the database returns them until the final few are fetched.
        limit_candidates = settings.SALAMA_SEARCH_CANDIDATES or CANDIDATES
        candidates = _candidates(alias, visible, tokens, limit_candidates)
        if candidates:
            ranked = _rank(
                query,
                _decrypt_candidates(candidates, with_year=birth_year is not None),
                {c.pk: c.score for c in candidates},
                birth_year,
                limit,
            )
            people = _load_people(alias, [raw for raw, _score, _why in ranked], candidates)
            hits.extend(
                SearchHit(person=people[raw], score=score, reasons=reasons)
                for raw, score, reasons in ranked
                if raw in people
            )
    return hits[:limit]
