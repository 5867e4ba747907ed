"""Which parts of a query name agree with which parts of a person's name, and how closely.

The search ranks candidates by ``names.name_similarity``, a blend of fuzzy scores over whole
names. A blend is a good order but a poor gate: two short unrelated names (Wafaa Al-Hussein,
Weber Hesse) still score half-way, and a birth-year bonus then lifted such a stranger to the top
of a search that found nobody. This module decides instead, word by word, whether the names
*agree*:

* Each query word is paired with at most one word of the person's name (or with two neighbouring
  words written as one: Gebre Medhin and Gebremedhin). A pair agrees **exactly** when the two
  words share a consonant skeleton under some reading (Mohammed, Muhammad and محمد are ``mhmd``;
  Olena and Елена are ``ln``), and **closely** when the skeletons are one edit apart (a letter
  more or less from three consonants on: Alhasan and Hassan; a letter changed from four on) or
  their coarse skeletons are equal (Hanna and Ganna), each with spellings at least half alike
  ("lfsb" is not Elvis), or when two spellings comparable letter for letter are at least
  ``CLOSE_RATIO`` alike (Sissé, Cissé). A skeleton of one or two consonants says little (Omar,
  Amir and Maria are all ``mr``; Sow and عائشة are both ``s``), and neither do the same
  consonants spelt with nothing alike ("zzqx", Saks): those agree only if the spellings are
  alike too.
* The agreement of a name is the mean over the query's words of 1 for an exact word,
  ``CLOSE`` for a close one, 0 for a word that found no partner. A person is shown only at or
  above ``FLOOR``: every word of a one- or two-word query must agree at least closely, and of a
  longer query at least two words in three exactly. Noise ("zzqx") agrees with nobody.
* Which of the person's fields the agreeing words fell in (given name, family name, another
  name) becomes the reasons a search gives: ``given_name_agrees``, ``family_name_similar``...

Nothing here touches the database or Django; the word analysis is ``names``' own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from salama.people.names import (
    _ARABIC_LETTER,
    MAX_WORDS,
    _coarse_from_fine,
    _collapse,
    _merge_bound_words,
    _Word,
    _words,
)

__all__ = [
    "CLOSE",
    "CLOSE_RATIO",
    "EXACT",
    "FLOOR",
    "NAME_REASONS",
    "Agreement",
    "agreement",
    "best_agreement",
]

# Credit of a query word by how its partner agreed.
EXACT = 1.0
CLOSE = 0.75
# A person is shown at or above this mean credit over the query's words. With two words both
# must agree (1 + 0.75 = 0.875, 1 + 0 = 0.5); with three, two exactly (0.67) but not one exact
# and one close (0.58). Pinned by the table in salama/people/tests/test_name_agreement.py.
FLOOR = 0.6
# Two spellings that both write their vowels (or both do not) are close at this rapidfuzz
# ratio (0..100): Sissé and Cissé 80, Hava and Hawa 75; Hesse and Hussein 67.
CLOSE_RATIO = 75.0
# A skeleton this short (or shorter) agrees only with a spelling at least SHORT_EXACT_RATIO alike
# (exactly) or SHORT_CLOSE_RATIO alike (closely), when both write their vowels.
SHORT_SKELETON = 2
SHORT_EXACT_RATIO = 75.0
SHORT_CLOSE_RATIO = 55.0
# ... and between a spelling in Arabic script and one in another script, this alike (exactly).
SHORT_CROSS_RATIO = 50.0
# Skeletons one edit apart, or equal coarse skeletons, agree closely only with spellings at least
# this alike (the second between Arabic script and another).
EDIT_RATIO = 50.0
EDIT_CROSS_RATIO = 40.0
# A longer skeleton agrees between two vowelled spellings at least this alike (Mohammed,
# Muhammad: 75; "zzqx", Saks: 0).
LONG_EXACT_RATIO = 30.0

# The reason codes a name match can give, in the order they are listed.
NAME_REASONS = (
    "given_name_agrees",
    "given_name_similar",
    "family_name_agrees",
    "family_name_similar",
    "other_name_agrees",
    "other_name_similar",
)


class _Unit(NamedTuple):
    """One word of a name, or two neighbouring words read as one."""

    romanised: str
    fines: tuple[str, ...]  # the fine skeleton and its other readings
    coarse: str
    parts: tuple[str, ...]  # fine skeletons of the words a bound prefix was merged from
    vowelled: bool
    span: tuple[int, ...]  # indices of the words it covers


def _unit(word: _Word, vowelled: bool, index: int) -> _Unit:
    return _Unit(
        word.romanised,
        (word.fine, *word.alternatives),
        word.coarse,
        word.parts,
        vowelled,
        (index,),
    )


def _joined(first: _Unit, second: _Unit, article: str) -> _Unit:
    """Two neighbouring words written as one (Gebre Medhin, Gebremedhin; Abd al-Rahman,
    Abdulrahman: with the dropped article's consonant and without)."""
    fine = _collapse(first.fines[0] + second.fines[0])
    fines = (fine, _collapse(first.fines[0] + article + second.fines[0])) if article else (fine,)
    return _Unit(
        first.romanised + second.romanised,
        fines,
        _coarse_from_fine(fine),
        (),
        first.vowelled and second.vowelled,
        first.span + second.span,
    )


@lru_cache(maxsize=65536)
def _name_words(text: str) -> tuple[tuple[_Word, ...], bool]:
    """The words of one name as the search index reads them, and whether it writes vowels."""
    words = tuple(_merge_bound_words(_words(text))[:MAX_WORDS])
    return words, text.isascii() or _ARABIC_LETTER.search(text) is None


class _Units:
    """The words of a name (of its fields in order) as units; their joined pairs on demand."""

    def __init__(self, fields: Sequence[tuple[str, str]]) -> None:
        self.singles: list[_Unit] = []
        self.articles: list[str] = []
        # The field of each single word: "given", "family", "other", "" (a query).
        self.fields: list[str] = []
        for field, text in fields:
            words, vowelled = _name_words(text)
            for word in words:
                self.singles.append(_unit(word, vowelled, len(self.singles)))
                self.articles.append(word.article)
                self.fields.append(field)

    @cached_property
    def pairs(self) -> list[_Unit]:
        """Each two neighbouring words joined, across fields too (only needed when single
        words left some query word without a partner)."""
        s, a = self.singles, self.articles
        return [_joined(s[i], s[i + 1], a[i + 1]) for i in range(len(s) - 1)]


@lru_cache(maxsize=16384)
def _units(fields: tuple[tuple[str, str], ...]) -> _Units:
    return _Units(fields)


def _ratio(a: _Unit, b: _Unit) -> float:
    return fuzz.ratio(a.romanised, b.romanised)


def _one_edit(a: str, b: str) -> bool:
    """Skeletons one edit apart, long enough for that to mean something: a letter more or less
    from three consonants on (Alhasan, Hassan), a letter changed or two swapped from four
    (Gebremichael, ገብረሚካኤል). Mariam and Karim (``mrm``, ``krm``) are not."""
    shorter = min(len(a), len(b))
    if shorter < 3 or (shorter == 3 and len(a) == len(b)) or abs(len(a) - len(b)) > 1:
        return False
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _near(query: _Unit, record: _Unit) -> bool:
    """Whether two words' skeletons are one edit apart or their coarse skeletons equal, or
    the record word was merged from the query word (all cheap, no spelling comparison)."""
    if query.coarse and query.coarse == record.coarse:
        return True
    if record.parts and any(f in record.parts for f in query.fines):
        return True
    return any(_one_edit(a, b) for a in query.fines for b in record.fines)


def word_level(query: _Unit, record: _Unit) -> float:
    """How two words agree: ``EXACT``, ``CLOSE`` or 0."""
    both_vowelled = query.vowelled and record.vowelled
    alike = query.vowelled == record.vowelled  # spellings comparable (both Arabic or neither)
    same = [f for f in query.fines if f and f in record.fines]
    if not same and not _near(query, record):
        # Most pairs: no shared or near skeleton; only a close spelling can still agree.
        close = alike and fuzz.ratio(query.romanised, record.romanised, score_cutoff=CLOSE_RATIO)
        return CLOSE if close else 0.0
    ratio = _ratio(query, record)
    if same:
        if not alike:
            # Arabic script writes only long vowels: its spelling still tells Omar (عمر, 57)
            # from Aisha (عائشة) for Sow (22), when the skeleton alone cannot.
            if len(same[0]) > SHORT_SKELETON or ratio >= SHORT_CROSS_RATIO:
                return EXACT
            return 0.0
        if not both_vowelled:
            return EXACT
        if len(same[0]) > SHORT_SKELETON:
            # The same consonants spelt with nothing alike ("zzqx", Saks) is chance.
            return EXACT if ratio >= LONG_EXACT_RATIO else 0.0
        if ratio >= SHORT_EXACT_RATIO:
            return EXACT
        return CLOSE if ratio >= SHORT_CLOSE_RATIO else 0.0
    # Near skeletons count only with spellings not wholly unlike ("lfsb" is not Elvis).
    if ratio >= (EDIT_RATIO if alike else EDIT_CROSS_RATIO):
        if any(_one_edit(a, b) for a in query.fines for b in record.fines):
            return CLOSE
        if query.coarse and query.coarse == record.coarse:
            if len(query.coarse) > SHORT_SKELETON or ratio >= SHORT_CLOSE_RATIO:
                return CLOSE
    if alike and ratio >= CLOSE_RATIO:
        return CLOSE
    if record.parts and any(f in record.parts for f in query.fines if len(f) >= 3):
        return CLOSE  # Rahman for Abd al-Rahman
    return 0.0


@dataclass(frozen=True)
class Agreement:
    """How a query agrees with one name: its credit and which fields agreed how."""

    score: float  # mean credit over the query's words, 0..1
    complete: bool  # every query word found a partner
    fields: tuple[tuple[str, float], ...]  # (field, best level) of the fields that agreed

    @property
    def shown(self) -> bool:
        return self.score >= FLOOR

    @property
    def reasons(self) -> tuple[str, ...]:
        """Reason codes in ``NAME_REASONS`` order ("given_name_agrees", ...)."""
        levels = dict(self.fields)
        codes = []
        for field in ("given", "family", "other"):
            if field in levels:
                word = "agrees" if levels[field] >= EXACT else "similar"
                codes.append(f"{field}_name_{word}")
        return tuple(codes)


NO_AGREEMENT = Agreement(0.0, False, ())


def _match(query: _Units, record: _Units) -> Agreement:
    q_singles, r_singles = query.singles, record.singles
    if not q_singles or not r_singles:
        return NO_AGREEMENT
    credit: dict[int, float] = {}
    used: set[int] = set()
    fields: dict[str, float] = {}

    def pair_off(options: list[tuple[float, _Unit, _Unit]]) -> None:
        # Best agreement first, each word used once.
        options.sort(key=lambda o: -o[0])
        for level, q, r in options:
            if any(i in credit for i in q.span) or any(j in used for j in r.span):
                continue
            for i in q.span:
                credit[i] = level
            used.update(r.span)
            for j in r.span:
                field = record.fields[j]
                # A field agrees only as well as the least of its words that agreed.
                fields[field] = min(fields.get(field, EXACT), level)

    # Word with word first; then two neighbouring words written as one, among those left.
    pair_off([(lvl, q, r) for q in q_singles for r in r_singles if (lvl := word_level(q, r))])
    if len(credit) < len(q_singles):
        free_q = [q for q in q_singles if q.span[0] not in credit]
        free_r = [r for r in r_singles if r.span[0] not in used]
        joined = [(q, r) for q in free_q for r in record.pairs if used.isdisjoint(r.span)]
        joined += [(q, r) for q in query.pairs for r in free_r if credit.keys().isdisjoint(q.span)]
        pair_off([(lvl, q, r) for q, r in joined if (lvl := word_level(q, r))])
    score = sum(credit.values()) / len(q_singles)
    return Agreement(
        round(score, 6),
        len(credit) == len(q_singles),
        tuple(sorted(fields.items(), key=lambda f: ("given", "family", "other").index(f[0]))),
    )


def _query_units(query: str) -> _Units:
    return _units((("", query),))


def agreement(query: str, given_name: str = "", family_name: str = "") -> Agreement:
    """How ``query`` agrees with the name made of ``given_name`` and ``family_name``."""
    return _match(_query_units(query), _units((("given", given_name), ("family", family_name))))


def best_agreement(
    query: str, given_name: str, family_name: str, other_names: Iterable[str] = ()
) -> Agreement:
    """The best agreement of ``query`` with a person's name or any of their other names."""
    best = agreement(query, given_name, family_name)
    for other in other_names:
        if best.complete and best.score >= EXACT:
            break
        candidate = _match(_query_units(query), _units((("other", other),)))
        if (candidate.score, candidate.complete) > (best.score, best.complete):
            best = candidate
    return best
