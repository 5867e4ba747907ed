"""Search over encrypted names, documents and phones (DESIGN.md, "Search over encrypted names").

Names are stored only as ciphertexts. To find a person again the index keeps *keyed tokens*:
``salama.people.names.name_tokens`` turns every name of a person into cross-script skeleton
tokens, and ``salama.core.crypto.token_hash`` turns each token into a signed 64-bit HMAC under
the index key (kept apart from the data keys). Each token is stored twice in ``NameToken``:

* plain, ``token_hash(t)``;
* bound to the birth year, ``token_hash(t, salt="y1990")``, when the birth year is known.

``TokenFrequency`` holds how many persons carry each token (its document frequency, df).

A query is tokenised the same way. Its tokens are looked up in ``TokenFrequency``; the rarest are
kept first under a postings budget (``POSTINGS_BUDGET``), each weighted by ln(N/df) times the
weight of its kind. With a birth year the query also uses the tokens bound to that year (full
weight) and to the years either side (lower weight), so that the candidates of a common name are
the namesakes of the right age and not an arbitrary slice of them. One SQL statement then picks
the ``CANDIDATES`` best-scoring persons among those the caller may see; only those are decrypted
and ranked by ``name_similarity`` and birth-year agreement. Counting postings, not decryption,
is the cost.

A query that looks like a document number or phone number is also looked up exactly through the
blind indexes (``IdentityDocument.number_index``, ``Contact.value_index``); those hits come first.

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
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from salama.core import crypto
from salama.core.models import DataKey
from salama.people.models import Contact, IdentityDocument, NameToken, Person, TokenFrequency
from salama.people.names import name_similarity, name_tokens, query_tokens

__all__ = [
    "CANDIDATES",
    "POSTINGS_BUDGET",
    "TOP_FACTOR",
    "SearchHit",
    "find_by_identifier",
    "index_person",
    "looks_like_identifier",
    "normalise_phone",
    "person_token_hashes",
    "search_people",
    "unindex_person",
    "year_salt",
]

# How many postings (token, person rows) one query may read at most, rarest tokens first.
# DESIGN.md's prototype used 25,000 and 200 candidates; at 1,000,000 persons 10,000 and 100
# gave the same recall at well under half the latency (docs/performance.md, "Search").
POSTINGS_BUDGET = 10_000
# How many persons are decrypted and ranked per query. Both can be set per deployment
# (SALAMA_SEARCH_POSTINGS_BUDGET, SALAMA_SEARCH_CANDIDATES): 70 candidates cost about 15% less
# CPU and, at a million persons, 0.950-0.954 instead of 0.956-0.964 recall with the birth year.
CANDIDATES = 100
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


@dataclass(frozen=True)
class SearchHit:
    """One person found, with a score (higher is better) and why they were found."""

    person: Person
    score: float
    reasons: tuple[str, ...]


# Indexing --------------------------------------------------------------------------------------


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


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _adjust_frequencies(alias: str, added: Sequence[int], removed: Sequence[int]) -> None:
    """Add one to the count of each token in ``added`` and take one from each in ``removed``.

    Upserts in one statement per chunk, so two transactions adding the same new token never
    lose a count; tokens are sorted so concurrent writers on PostgreSQL lock rows in one order.
    """
    table = connections[alias].ops.quote_name(TokenFrequency._meta.db_table)
    with connections[alias].cursor() as cursor:
        for chunk in _chunks(sorted(added)):
            rows = ", ".join(["(%s, 1)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (token, count) VALUES {rows} "  # noqa: S608 (no user input)
                f"ON CONFLICT (token) DO UPDATE SET count = {table}.count + 1",
                list(chunk),
            )
        for chunk in _chunks(sorted(removed)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET count = count - 1 "  # noqa: S608
                f"WHERE token IN ({marks}) AND count > 0",
                list(chunk),
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE token IN ({marks}) AND count <= 0",  # noqa: S608
                list(chunk),
            )


def index_person(person: Person) -> None:
    """Replace ``person``'s name tokens with those of their current names and birth year.

    Call it inside the transaction that saves the person, after every change of a name,
    another name or the date of birth. Decrypts the names (the caller holds the person).
    """
    new = person_token_hashes(person.all_names(), _birth_year(person))
    _replace_tokens(person, new)


def unindex_person(person: Person) -> None:
    """Remove ``person`` from the name index (erasure); needs no decryption."""
    _replace_tokens(person, set())


def _replace_tokens(person: Person, new: set[int]) -> None:
    alias = _db_for(NameToken)
    old = set(
        NameToken.objects.using(alias).filter(person_id=person.pk).values_list("token", flat=True)
    )
    removed = sorted(old - new)
    added = sorted(new - old)
    if removed:
        if not new:
            NameToken.objects.using(alias).filter(person_id=person.pk).delete()
        else:
            for chunk in _chunks(removed):
                NameToken.objects.using(alias).filter(
                    person_id=person.pk, token__in=list(chunk)
                ).delete()
    if added:
        NameToken.objects.using(alias).bulk_create(
            [NameToken(token=t, person_id=person.pk, weight=1.0) for t in added],
            batch_size=500,
        )
    if added or removed:
        _adjust_frequencies(alias, added, removed)


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
    result: dict[int, int] = {}
    for chunk in _chunks(list(tokens), 900):
        rows = TokenFrequency.objects.using(alias).filter(token__in=list(chunk))
        result.update(rows.values_list("token", "count"))
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
# The common case, an organisation-wide principal: sum the postings per person, keep the
# ``TOP_FACTOR * limit`` best, check the caller's visibility of those only, and add one row
# (NULL, number kept) so that the caller knows whether more persons scored.
_TOP_SQL = (
    "WITH q(t, w) AS ({source}), "
    "g AS (SELECT nt.{person} AS person_id, SUM(q.w) AS score "
    "FROM q JOIN {table} nt ON nt.{token} = q.t "
    "GROUP BY nt.{person} ORDER BY score DESC LIMIT %s) "
    "SELECT g.person_id, g.score FROM g WHERE EXISTS ({visible}) "
    "UNION ALL SELECT NULL, COUNT(*) FROM g"
)
# When fewer than ``limit`` of those are visible (a caseworker who sees only their own cases):
# every scored person in score order, checked one by one until ``limit`` visible are found.
_ALL_SQL = (
    "WITH q(t, w) AS ({source}) "
    "SELECT g.person_id, g.score FROM ("
    "SELECT nt.{person} AS person_id, SUM(q.w) AS score "
    "FROM q JOIN {table} nt ON nt.{token} = q.t "
    "GROUP BY nt.{person} ORDER BY score DESC {fence}"
    ") g WHERE EXISTS ({visible}) LIMIT %s"
)
# How many of the best-scoring persons the first statement keeps, per candidate wanted.
TOP_FACTOR = 2


def _candidate_sql(
    alias: str,
    visible: QuerySet[Person],
    tokens: Sequence[tuple[int, float]],
    limit: int,
    *,
    top: int | None,
) -> tuple[str, list[Any]]:
    """One statement scoring persons by their matching postings, keeping the visible best.

    With ``top``: the ``top`` best-scoring persons, those of them the caller may see, and a last
    row (NULL, how many were kept). Without: the ``limit`` best-scoring visible persons, the
    visibility checked per person in score order (a correlated EXISTS on the primary key). A
    person the caller may not see never comes out of either.
    """
    connection = connections[alias]
    token_table = connection.ops.quote_name(NameToken._meta.db_table)
    person_column = connection.ops.quote_name(NameToken._meta.get_field("person").column)
    token_column = connection.ops.quote_name("token")
    restricted = visible.using(alias).order_by().filter(pk=RawSQL("g.person_id", ()))
    visible_sql, visible_params = restricted.values("pk").query.sql_with_params()
    params: list[Any]
    if connection.vendor == "postgresql":
        source = "SELECT * FROM unnest(%s::bigint[], %s::double precision[]) AS q(t, w)"
        params = [[t for t, _ in tokens], [w for _, w in tokens]]
        fence = "OFFSET 0"  # keeps the visibility check out of the aggregate
    else:
        source = "VALUES " + ", ".join(["(%s, %s)"] * len(tokens))
        params = [v for pair in tokens for v in pair]
        fence = "LIMIT -1"  # keeps SQLite from pushing the check below GROUP BY
    parts = {
        "source": source,
        "person": person_column,
        "token": token_column,
        "table": token_table,
        "visible": visible_sql,
    }
    if top is not None:
        return _TOP_SQL.format(**parts), [*params, top, *visible_params]
    return _ALL_SQL.format(fence=fence, **parts), [*params, *visible_params, limit]


def _candidates(
    alias: str, visible: QuerySet[Person], tokens: Sequence[tuple[int, float]], limit: int
) -> list[tuple[Any, float]]:
    """The ``limit`` best-scoring persons in ``visible``, as (id, postings score), best first."""
    if not tokens:
        return []
    # SQLite sorts every scored person a third slower than it keeps the best few hundred; on
    # PostgreSQL checking twice as many persons costs more than the sort saves (measured at
    # 1,000,000 persons, docs/performance.md), so it runs the second statement directly.
    top: int | None = TOP_FACTOR * limit if connections[alias].vendor == "sqlite" else None
    try:
        sql, params = _candidate_sql(alias, visible, tokens, limit, top=top)
    except EmptyResultSet:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if top is not None:
        kept = int(rows[-1][1])
        found = sorted(((row[0], float(row[1])) for row in rows[:-1]), key=lambda r: -r[1])
        if len(found) >= limit or kept < top:
            return found[:limit]
        sql, params = _candidate_sql(alias, visible, tokens, limit, top=None)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    return [(row[0], float(row[1])) for row in rows]


@dataclass(frozen=True)
class _Candidate:
    """A candidate decrypted for ranking only: its names and birth year, nothing else."""

    pk: Any
    names: list[str]
    birth_year: int | None


_DECRYPT_SQL = (
    "SELECT p.{id}, p.{given}, p.{family}, p.{other}, p.{dob}, k.{key_id}, k.{kek}, k.{wrapped} "
    "FROM {person} p JOIN {datakey} k ON k.{key_id} = p.{data_key} WHERE p.{id} IN ({marks})"
)


def _decrypt_candidates(
    alias: str, ids: Sequence[Any], *, with_year: bool = True
) -> list[_Candidate]:
    """Decrypt the names (and birth year if ``with_year``) of the persons ``ids`` in one query.

    ``ids`` are primary keys as the database returns them (see ``_candidates``), and so are the
    candidates' ``pk``. Reads the ciphertexts directly rather than through model instances:
    building 100 model instances costs more than decrypting them. Persons whose key is gone are
    left out.
    """
    if not ids:
        return []
    connection = connections[alias]
    meta = Person._meta
    key_meta = DataKey._meta

    def quote(name: str | None) -> str:
        return str(connection.ops.quote_name(str(name)))

    sql = _DECRYPT_SQL.format(
        id=quote(meta.pk.column),
        given=quote(meta.get_field("given_name").column),
        family=quote(meta.get_field("family_name").column),
        other=quote(meta.get_field("other_names").column),
        dob=quote(meta.get_field("date_of_birth").column),
        data_key=quote(meta.get_field("data_key").column),
        person=quote(meta.db_table),
        datakey=quote(key_meta.db_table),
        key_id=quote(key_meta.pk.column),
        kek=quote(key_meta.get_field("kek_id").column),
        wrapped=quote(key_meta.get_field("wrapped").column),
        marks=", ".join(["%s"] * len(ids)),
    )
    params = list(ids)
    label = meta.label_lower
    ring = crypto.keyring()
    result: list[_Candidate] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for pid, given, family, other, dob, key_id, kek_id, wrapped in rows:
        if wrapped is None:
            continue
        subject = _uuid_text(pid)
        try:
            cipher = crypto.field_cipher(
                crypto.unwrap_data_key(kek_id, bytes(wrapped), _uuid_text(key_id), ring)
            )

            def plain(
                token: str | None, field: str, cipher: Any = cipher, subject: str = subject
            ) -> str:
                if token is None:
                    return ""
                return crypto.decrypt_text(cipher, token, crypto.field_aad(label, subject, field))

            full = " ".join(
                n for n in (plain(given, "given_name"), plain(family, "family_name")) if n
            )
            names = [full] if full else []
            if other is not None:
                extra = json.loads(plain(other, "other_names")) or []
                names += [n["name"] for n in extra if isinstance(n, dict) and n.get("name")]
            born = plain(dob, "date_of_birth") if with_year else ""
        except crypto.CryptoError:
            continue  # erased meanwhile, or a key this server does not hold
        year = int(born[:4]) if born else None
        result.append(_Candidate(pk=pid, names=names, birth_year=year))
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
) -> list[tuple[Any, float, tuple[str, ...]]]:
    top = max(postings_score.values(), default=1.0) or 1.0
    ranked: list[tuple[Any, float, tuple[str, ...]]] = []
    for candidate in candidates:
        similarity = name_similarity(query, candidate.names)
        if similarity < MIN_SIMILARITY:
            continue
        bonus, year_agrees = _year_adjustment(candidate.birth_year, birth_year)
        # The postings score only breaks ties between equally similar names.
        score = similarity + bonus + 0.01 * postings_score.get(candidate.pk, 0.0) / top
        reasons = ("name", "birth_year") if year_agrees else ("name",)
        ranked.append((candidate.pk, round(score, 6), reasons))
    ranked.sort(key=lambda item: (-item[1], str(item[0])))
    return ranked


def search_people(
    visible: QuerySet[Person],
    query: str,
    *,
    birth_year: int | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """The persons in ``visible`` best matching ``query``, best first, at most ``limit``.

    ``visible`` is the caller's ``policy.visible_people(principal)``: nobody outside it is
    ever scored, decrypted or returned. ``query`` is any part of any name in any script, or a
    document number, phone number or e-mail address; ``birth_year`` narrows namesakes.
    """
    query = query.strip()
    if not query or limit <= 0:
        return []
    alias = visible.db
    hits: list[SearchHit] = []
    seen: set[Any] = set()
    if looks_like_identifier(query):
        for person, reason in _identifier_hits(visible, query):
            hits.append(SearchHit(person=person, score=2.0, reasons=(reason,)))
            seen.add(person.pk)
    keyed = _query_weights(query, birth_year)
    if keyed.weights:
        frequencies = _frequencies(alias, list(keyed.weights))
        tokens = _select_tokens(keyed, frequencies, _population(alias))
        # Primary keys stay as the database returns them until the final few are fetched.
        limit_candidates = settings.SALAMA_SEARCH_CANDIDATES or CANDIDATES
        scores = dict(_candidates(alias, visible, tokens, limit_candidates))
        pk_field = Person._meta.pk
        for pk in seen:
            scores.pop(pk_field.get_db_prep_value(pk, connections[alias]), None)
        if scores:
            ranked = _rank(
                query,
                _decrypt_candidates(alias, list(scores), with_year=birth_year is not None),
                scores,
                birth_year,
            )[: limit - len(hits)]
            ranked = [(pk_field.to_python(raw), score, why) for raw, score, why in ranked]
            people = (
                Person.objects.using(alias)
                .select_related("data_key")
                .in_bulk([pk for pk, _score, _reasons in ranked])
            )
            hits.extend(
                SearchHit(person=people[pk], score=score, reasons=reasons)
                for pk, score, reasons in ranked
                if pk in people
            )
    return hits[:limit]
