"""Likely existing records of a person about to be registered: the duplicate warning.

Used at registration, on field-form review and (for many rows at once) by
``duplicates_batch``; an organisation's trained matching model re-scores the candidates through
``duplicate_scoring`` when the matching app registered one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from salama.core.policy import Principal
from salama.people import duplicate_scoring, search
from salama.people.access import visible_people
from salama.people.models import Person


@dataclass(frozen=True)
class DuplicateCandidate:
    person: Person
    score: float
    reasons: tuple[str, ...]


def find_duplicates(
    *,
    actor: Principal,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None = None,
    nationalities: Iterable[str] = (),
    document_numbers: Iterable[str] = (),
    limit: int = 5,
    min_score: float = 0.55,
) -> list[DuplicateCandidate]:
    """Likely existing records, among those the actor may see, with the reasons they match.

    Name matches pass the search's name-agreement floor (``name_agreement.FLOOR``): a person of
    the same birth year whose name does not agree is never offered. Their reasons say which
    name parts agreed ("given_name_agrees", "family_name_similar"...), then the birth date or
    year and the nationality when those agree too.
    """
    visible = visible_people(actor)
    found: dict[Any, DuplicateCandidate] = {}
    for number in document_numbers:
        if number.strip():
            for person in search.find_by_identifier(visible, number):
                found[person.pk] = DuplicateCandidate(person, 1.0, ("document",))
    query = f"{given_name} {family_name}".strip()
    if query:
        year = date_of_birth.year if date_of_birth else None
        for hit in search.search_people(visible, query, birth_year=year, limit=limit):
            if hit.score < min_score or hit.person.pk in found:
                continue
            reasons = [r for r in hit.reasons if r != "birth_year"]
            dob = hit.person.date_of_birth
            if date_of_birth and dob == date_of_birth:
                reasons.append("birth_date")
            elif date_of_birth and dob and dob.year == date_of_birth.year:
                reasons.append("birth_year")
            if set(nationalities) & set(hit.person.nationalities or []):
                reasons.append("nationality")
            found[hit.person.pk] = DuplicateCandidate(hit.person, hit.score, tuple(reasons))
    query_record: dict[str, Any] = {"given_name": given_name, "family_name": family_name}
    query_record |= {"date_of_birth": date_of_birth, "nationalities": list(nationalities)}
    ranked = duplicate_scoring.rescore(actor, query_record, list(found.values()))
    return sorted(ranked, key=lambda c: -c.score)[:limit]
