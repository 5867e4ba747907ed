"""What a merge moves, and what makes undoing it unsafe: pure functions over ids and plain values.

The services (salama.matching.review_services) fetch the rows, call these to decide, and then
move them; nothing here touches the database, so the rules are tested on their own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# The most other names a person may carry (salama.people.services.MAX_OTHER_NAMES is 20 for a
# form; a merge keeps every variant, so it may go beyond, up to this bound).
MAX_MERGED_NAMES = 60


def _fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def names_to_add(
    kept_names: Iterable[str],
    merged_full_name: str,
    merged_other_names: Sequence[Mapping[str, str]],
    detect_script: Any,
) -> list[dict[str, str]]:
    """The merged person's names that the kept person does not carry yet, as other names.

    The merged person's own name becomes an "other spelling" of the kept person's; their other
    names keep their kind. Each keeps its script. Nothing the kept person has is repeated.
    """
    seen = {_fold(n) for n in kept_names if n}
    added: list[dict[str, str]] = []
    candidates = [{"name": merged_full_name, "kind": "spelling"}] + [
        {"name": str(n.get("name") or ""), "kind": str(n.get("kind") or "spelling")}
        for n in merged_other_names
    ]
    for item in candidates:
        name = item["name"].strip()
        if not name or _fold(name) in seen:
            continue
        seen.add(_fold(name))
        added.append({"name": name, "script": detect_script(name), "kind": item["kind"]})
    return added[:MAX_MERGED_NAMES]


def without_added(
    other_names: Sequence[Mapping[str, str]], added: Sequence[Mapping[str, str]]
) -> list[dict[str, str]]:
    """The kept person's other names with exactly the merge's added names taken out (once each)."""
    remaining = [dict(n) for n in added]
    kept: list[dict[str, str]] = []
    for item in other_names:
        match = next(
            (
                r
                for r in remaining
                if r.get("name") == item.get("name") and r.get("kind") == item.get("kind")
            ),
            None,
        )
        if match is not None:
            remaining.remove(match)
            continue
        kept.append(dict(item))
    return kept


@dataclass(frozen=True)
class Link:
    """A household link: its id and its two persons."""

    id: Any
    person: Any
    other: Any


@dataclass
class LinkMoves:
    as_person: list[str] = field(default_factory=list)
    as_other: list[str] = field(default_factory=list)
    # Links that cannot move (between the two persons, or one the kept person already has):
    # they stay with the merged person, visible again after an undo.
    stay: list[str] = field(default_factory=list)


def plan_links(links: Iterable[Link], *, kept: Any, merged: Any) -> LinkMoves:
    """Which household links of the merged person move to the kept person, and on which side."""
    links = list(links)
    partners_of_kept = {
        (ln.other if ln.person == kept else ln.person)
        for ln in links
        if kept in (ln.person, ln.other)
    }
    moves = LinkMoves()
    for ln in links:
        if merged not in (ln.person, ln.other):
            continue
        partner = ln.other if ln.person == merged else ln.person
        if partner == kept or partner in partners_of_kept:
            moves.stay.append(str(ln.id))
        elif ln.person == merged:
            moves.as_person.append(str(ln.id))
        else:
            moves.as_other.append(str(ln.id))
        partners_of_kept.add(partner)
    return moves


@dataclass(frozen=True)
class CaseState:
    """What undo needs to know of a moved case, then (at the merge) and now."""

    id: str
    reference: str
    organisation_then: str
    organisation_now: str
    open_then: bool
    open_now: bool
    person_now: str


def undo_blockers(cases: Iterable[CaseState], *, kept: str) -> list[tuple[str, str]]:
    """(reason code, case reference) for every moved case that changed so undo would be unsafe.

    Codes: "transferred" (now with another organisation), "closed" (closed since the merge),
    "reopened" (reopened since), "moved" (no longer the kept person's case).
    """
    found: list[tuple[str, str]] = []
    for case in cases:
        if case.person_now != kept:
            found.append(("moved", case.reference))
        elif case.organisation_now != case.organisation_then:
            found.append(("transferred", case.reference))
        elif case.open_then and not case.open_now:
            found.append(("closed", case.reference))
        elif not case.open_then and case.open_now:
            found.append(("reopened", case.reference))
    return found


def probability_band(probability: float) -> str:
    """A coarse band of a match probability: all the other side learns before disclosure."""
    if probability >= 0.99:
        return "very_high"
    if probability >= 0.9:
        return "high"
    return "possible"
