"""Why a person was found, in words: the reason codes of a search or duplicate hit, translated.

A name hit says which name parts agreed ("given name and family name agree", "family name
agrees, given name similar"); the birth date or year, the nationality, a document number or a
phone number follow as additions. Codes: ``name_agreement.NAME_REASONS`` and those of
``search.SearchHit`` and ``services.DuplicateCandidate``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.people.search import SearchHit, looks_like_identifier

__all__ = [
    "EMPTY_MESSAGES",
    "IDENTIFIER_GROUPS",
    "OTHER_LABELS",
    "describe",
    "empty_code",
    "group_hits",
]

# Reasons that are not about the name parts, in the order they are listed after them.
OTHER_LABELS = {
    "name": gettext_lazy("name similarity"),
    "birth_date": gettext_lazy("same date of birth"),
    "birth_year": gettext_lazy("same year of birth"),
    "nationality": gettext_lazy("same nationality"),
    "document": gettext_lazy("same document number"),
    "phone": gettext_lazy("same phone number"),
    "email": gettext_lazy("same email address"),
    "match_model": gettext_lazy("scored by your organisation's trained matching model"),
}


def _name_phrase(given: str, family: str, other: str) -> str:
    """One phrase for how the given and family names (or another name) agreed."""
    if given == "agrees" and family == "agrees":
        return _("given name and family name agree")
    if given == "similar" and family == "similar":
        return _("given name and family name similar")
    if given == "agrees" and family == "similar":
        return _("given name agrees, family name similar")
    if family == "agrees" and given == "similar":
        return _("family name agrees, given name similar")
    if given == "agrees":
        return _("given name agrees")
    if given == "similar":
        return _("given name similar")
    if family == "agrees":
        return _("family name agrees")
    if family == "similar":
        return _("family name similar")
    if other == "agrees":
        return _("another name agrees")
    if other == "similar":
        return _("another name similar")
    return ""


def describe(reasons: Iterable[str]) -> list[str]:
    """The reasons as phrases in the active language, the name parts first."""
    codes = list(reasons)
    parts = {"given": "", "family": "", "other": ""}
    rest: list[str] = []
    for code in codes:
        field, _sep, level = code.partition("_name_")
        if field in parts and level in ("agrees", "similar"):
            parts[field] = level
        else:
            rest.append(code)
    phrases = []
    name = _name_phrase(parts["given"], parts["family"], parts["other"])
    if name:
        phrases.append(name)
    if parts["other"] and (parts["given"] or parts["family"]):
        phrases.append(_name_phrase("", "", parts["other"]))
    phrases += [str(OTHER_LABELS.get(code, code)) for code in rest]
    return phrases


# What an empty search says, by what the query was read as: a code for API clients, and words.
EMPTY_MESSAGES = {
    "no_close_name": gettext_lazy(
        "No one you may see matches this name closely enough. Check the spelling, try another "
        "script or the birth year, or register the person."
    ),
    "no_identifier_match": gettext_lazy(
        "No one you may see has this document number, phone number or email address."
    ),
}

# The heading of each group of exact identifier matches.
IDENTIFIER_GROUPS = {
    "document": gettext_lazy("Same document number"),
    "phone": gettext_lazy("Same phone number"),
    "email": gettext_lazy("Same email address"),
}


def empty_code(query: str) -> str:
    """The ``EMPTY_MESSAGES`` code for a query that found nobody."""
    return "no_identifier_match" if looks_like_identifier(query) else "no_close_name"


def group_hits(hits: Iterable[SearchHit]) -> tuple[list[SearchHit], list[SearchHit]]:
    """(exact identifier matches, name matches), each in the search's order."""
    by_identifier: list[SearchHit] = []
    by_name: list[SearchHit] = []
    for hit in hits:
        (by_identifier if hit.by_identifier else by_name).append(hit)
    return by_identifier, by_name
