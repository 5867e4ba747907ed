"""Duplicate look-up for a whole file at once (bulk import): ``find_duplicates`` for many rows.

``services.find_duplicates`` runs one search per person: a few statements each, which is most
of the cost of importing 100,000 rows. ``count_duplicates`` answers the same question for every
row of a file in a few statements in all: the keyed query tokens of every row are looked up in
``TokenFrequency`` together, each row chooses its tokens under the postings budget exactly as a
search does (``search._select_tokens``), the postings of all chosen tokens are read together,
each row's persons are scored in memory, the caller's visibility is checked for all scored
persons together, and each person is decrypted once however many rows name them. Each row's
best candidates are then ranked by ``search._rank`` with the same name-agreement floor and the
same minimum score as ``find_duplicates``.

A row whose name looks like a document number or phone number (which a search reads as an
identifier, not a name) is looked up by ``find_duplicates`` itself.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

from salama.core import crypto
from salama.core.policy import Principal
from salama.people import name_index, search
from salama.people.access import visible_people
from salama.people.models import NameToken, Person, TokenFrequency
from salama.people.name_index import year_salt
from salama.people.names import query_tokens

# Values per statement (one array or JSON parameter each).
CHUNK = 20_000


@dataclass(frozen=True)
class Wanted:
    """One row's person, as ``find_duplicates`` would be asked about them."""

    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    nationalities: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


def _in_source(alias: str, kind: str) -> str:
    if connections[alias].vendor == "postgresql":
        return f"SELECT unnest(%s::{kind}[])"
    return "SELECT value FROM json_each(%s)"


def _param(alias: str, values: Sequence[int]) -> Any:
    if connections[alias].vendor == "postgresql":
        return list(values)
    return json.dumps(list(values))


def _fetch(alias: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _frequencies(alias: str, tokens: Iterable[int]) -> dict[int, int]:
    table = name_index._quote(alias, TokenFrequency._meta.db_table)
    source = _in_source(alias, "bigint")
    result: dict[int, int] = {}
    for chunk in name_index._chunks(sorted(tokens), CHUNK):
        sql = f"SELECT token, count FROM {table} WHERE token IN ({source})"  # noqa: S608
        result.update(_fetch(alias, sql, [_param(alias, chunk)]))
    return result


def _postings(alias: str, tokens: Iterable[int]) -> dict[int, list[Any]]:
    table = name_index._quote(alias, NameToken._meta.db_table)
    column = name_index._quote(alias, getattr(NameToken._meta.get_field("person"), "column", None))
    source = _in_source(alias, "bigint")
    result: dict[int, list[Any]] = defaultdict(list)
    for chunk in name_index._chunks(sorted(tokens), CHUNK):
        sql = f"SELECT token, {column} FROM {table} WHERE token IN ({source})"  # noqa: S608
        for token, person_id in _fetch(alias, sql, [_param(alias, chunk)]):
            result[token].append(person_id)
    return result


def _visible_rows(
    alias: str, visible: QuerySet[Person], ids: Sequence[Any]
) -> dict[Any, tuple[Any, ...]]:
    rows: dict[Any, tuple[Any, ...]] = {}
    for chunk in name_index._chunks(list(ids), CHUNK):
        rows.update(search._visible_rows(alias, visible, chunk))
    return rows


def count_duplicates(
    actor: Principal,
    wanted: Sequence[Wanted],
    *,
    limit: int = 5,
    min_score: float = 0.55,
) -> list[int]:
    """How many likely existing records ``find_duplicates`` would return for each of ``wanted``."""
    counts = [0] * len(wanted)
    visible = visible_people(actor)
    if not wanted or visible.query.is_empty():
        return counts
    alias = visible.db
    # First the plain tokens of every row: a row none of whose plain tokens anybody carries
    # has no candidate (a year-bound token is only ever stored beside its plain one).
    hashes = TokenHashes()
    plain: dict[int, list[tuple[str, float]]] = {}
    for index, item in enumerate(wanted):
        query = item.query
        if not query:
            continue
        if search.looks_like_identifier(query):
            counts[index] = len(_one_by_one(actor, item, limit, min_score))
            continue
        plain[index] = query_tokens(query)
    frequencies = _frequencies(
        alias, {hashes(t) for tokens in plain.values() for t, _weight in tokens}
    )
    if not frequencies:
        return counts  # none of the file's names is in the index
    keyed: dict[int, search._QueryTokens] = {}
    for index, tokens in plain.items():
        if not any(hashes(t) in frequencies for t, _weight in tokens):
            continue
        item = wanted[index]
        year = item.date_of_birth.year if item.date_of_birth else None
        keyed[index] = _query_weights(tokens, year, hashes)
    if not keyed:
        return counts
    frequencies.update(
        _frequencies(alias, {t for q in keyed.values() for t in q.weights if t not in frequencies})
    )
    population = search._population(alias)
    chosen = {i: search._select_tokens(q, frequencies, population) for i, q in keyed.items()}
    postings = _postings(alias, {t for tokens in chosen.values() for t, _w in tokens})
    wanted_candidates = settings.SALAMA_SEARCH_CANDIDATES or search.CANDIDATES
    scores: dict[int, dict[Any, float]] = {}
    for index, chosen_tokens in chosen.items():
        row_scores: dict[Any, float] = defaultdict(float)
        for token, weight in chosen_tokens:
            for person_id in postings.get(token, []):
                row_scores[person_id] += weight
        scores[index] = row_scores
    everyone = {pid for row in scores.values() for pid in row}
    rows = _visible_rows(alias, visible, list(everyone))
    decrypted: dict[Any, search._Candidate | None] = {}
    for index, row_scores in scores.items():
        best = heapq.nsmallest(
            wanted_candidates,
            ((pid, s) for pid, s in row_scores.items() if pid in rows),
            key=lambda item: (-item[1], str(item[0])),
        )
        if not best:
            continue
        pending = [search._Scored(pid, s, rows[pid]) for pid, s in best if pid not in decrypted]
        for pid in (c.pk for c in pending):
            decrypted[pid] = None
        for candidate in search._decrypt_candidates(pending):
            decrypted[candidate.pk] = candidate
        item = wanted[index]
        year = item.date_of_birth.year if item.date_of_birth else None
        candidates = [decrypted[pid] for pid, _s in best if decrypted[pid] is not None]
        ranked = search._rank(
            item.query,
            [c for c in candidates if c is not None],
            dict(best),
            year,
            limit,
        )
        counts[index] = sum(1 for _pid, score, _why in ranked if score >= min_score)
    return counts


class TokenHashes:
    """``crypto.token_hash`` remembered for one file: names and their tokens repeat a lot."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], int] = {}

    def __call__(self, token: str, salt: str = "") -> int:
        value = self._known.get((token, salt))
        if value is None:
            value = self._known[(token, salt)] = crypto.token_hash(token, salt=salt)
        return value


def _query_weights(
    tokens: list[tuple[str, float]], birth_year: int | None, hashes: TokenHashes
) -> search._QueryTokens:
    """``search._query_weights`` from a query's tokens, with remembered hashes."""
    weights: dict[int, float] = {}
    priority: dict[int, float] = {}

    def add(token: int, weight: float, year_weight: float) -> None:
        if weights.get(token, 0.0) < weight:
            weights[token] = weight
            priority[token] = year_weight

    for token, kind_weight in tokens:
        add(hashes(token), kind_weight, 1.0)
        if birth_year is not None:
            add(
                hashes(token, year_salt(birth_year)),
                kind_weight * search.YEAR_WEIGHT,
                search.YEAR_WEIGHT,
            )
            for near in (birth_year - 1, birth_year + 1):
                add(
                    hashes(token, year_salt(near)),
                    kind_weight * search.NEIGHBOUR_YEAR_WEIGHT,
                    search.NEIGHBOUR_YEAR_WEIGHT,
                )
    return search._QueryTokens(weights, priority)


def _one_by_one(actor: Principal, item: Wanted, limit: int, min_score: float) -> list[Any]:
    from salama.people.duplicates import find_duplicates

    return find_duplicates(
        actor=actor,
        given_name=item.given_name,
        family_name=item.family_name,
        date_of_birth=item.date_of_birth,
        nationalities=list(item.nationalities),
        limit=limit,
        min_score=min_score,
    )
