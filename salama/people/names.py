"""Cross-script name normalisation and search tokens.

Implements the normalisation described in docs/design.md#search-over-encrypted-names:

* Latin (with diacritics), Ethiopic and other scripts are romanised through ``anyascii``;
  Arabic and Cyrillic are transliterated letter by letter with the small tables of
  ``name_tables``, so that two letters which happen to spell a Latin digraph (Arabic ز+ه,
  "z"+"h") are never read as one sound.
* Articles (al-, el-, ال) are dropped.  "Abd" is glued to the word after it and "Allah" to
  the word before it (Abdul Rahman = Abdulrahman = عبد الرحمن, Najib Ullah = Najibullah), since
  registrations write these names as one word or two.  An apostrophe does not split a word
  (Sa'id, N'Diaye, Дар'я) but keeps the letters on either side from forming a digraph (Is'haq).
* Each word becomes a *fine consonant skeleton* (``mhmd`` for Mohammed, Muhammad and محمد)
  and a *coarse skeleton* that also merges g/h/k, d/t and b/p (Hanna/Ganna, Serhii/Sergei).
* A name becomes a set of string tokens (see ``name_tokens``).  The search layer turns them
  into keyed HMACs; nothing here is secret and nothing here touches Django.

Token kinds (prefix before the colon):

``f:``  fine skeleton of one word.
``c:``  coarse skeleton of one word.
``d:``  the fine skeleton itself and its single-deletion variants (skeletons of length >= 3;
        the skeleton itself from length 2).  Two words whose skeletons are one insertion,
        deletion, substitution or adjacent swap apart share a ``d:`` token, the symmetric
        deletion trick, so the same function serves records and queries.
``j:``  neighbouring words' skeletons joined (Gebre+Medhin -> ``gbrmdhn``) and, so that a
        name written as one word meets the same name written as two, every word's own fine
        skeleton (length >= 2).  When an article was dropped between two words the join is
        also emitted with the article's consonant (Nasr al-Din -> ``nsrldn`` and ``nsrdn``).
``p:``  the two fine skeletons of a pair of words, sorted and joined with ``|`` (order-free).
        Pairs are taken within a window of two words, so a query that leaves out a middle
        name still meets the full record.
``i:``  for the same pairs, one word's fine skeleton and the first letter of the other's,
        both ways round (Khady Sow -> ``kd|s`` and ``s|k``).  A typo inside one word of a
        common name (Khady Slw, Aminata Sesat, محم سعيد) breaks its ``p:`` token but keeps one
        ``i:`` token, which is far rarer than the exact word alone.

Some words have several readings, all indexed (``f:`` and ``d:`` tokens of the others):
a Cyrillic word with г and no letter marking it Ukrainian or Russian (Галина: ``gln`` and
``hln``), an Arabic-script word read the Arabic or the Persian/Urdu way (رضا: ``rd`` and
``rs``; فرزانه: ``frsnh`` and ``frsn``), and a Latin word beginning with "di" and a vowel,
which French-based West African spelling uses for j (Diallo: ``dl`` and ``gl``, as Jallow).

Size: a word with a fine skeleton of length k gives at most k + 4 tokens (f, c, j, d:self and
k deletions), plus two per other reading; each neighbouring pair adds one or two ``j:`` tokens
and each pair within the window one ``p:`` token (more when a word has several readings) and
two ``i:`` tokens. Measured on synthetic persons: 16 tokens on average for two words, 28 for
three, 39 for four, at most 49; names are cut at ``MAX_WORDS`` words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import islice, product
from typing import NamedTuple

from anyascii import anyascii
from rapidfuzz import fuzz

from salama.people.name_scripts import UNVOWELLED_LETTER, primary_units, split_cjk
from salama.people.name_scripts import readings as script_readings
from salama.people.name_tables import (
    ARABIC,
    ARABIC_ARTICLE,
    ARABIC_NOT_ARTICLE,
    ARABIC_VOWEL_LETTERS,
    ARABIC_WAW,
    ARABIC_YEH,
    BOUND_PREFIXES,
    BOUND_SUFFIXES,
    CYRILLIC,
    PERSIAN_READING,
    PREFIX_ARTICLES,
    RUSSIAN_MARKERS,
    SCRIPT_RANGES,
    STANDALONE_ARTICLES,
    UKRAINIAN_MARKERS,
)

__all__ = [
    "CLOSE_SPELLING",
    "MAX_WORDS",
    "TOKEN_WEIGHTS",
    "coarse_skeleton",
    "detect_script",
    "name_similarity",
    "name_tokens",
    "query_tokens",
    "romanise_word",
    "skeleton",
    "split_name",
]

# Longer inputs are cut: a name rarely has more words, and a query pasted with extra text
# should not explode into hundreds of postings.
MAX_WORDS = 8
# Deletion variants are skipped for skeletons longer than this (garbage or run-together text).
_MAX_DELETION_LENGTH = 16

# Query weight multipliers by token kind.  A pair match (two words agreeing) is more specific
# than a single word; the coarse and deletion tokens exist for recall and are weighted down so
# that exact skeleton agreement ranks first.  A word's own ``j:`` token duplicates its ``f:``
# token, so it only carries half weight on the query side; joined neighbours carry full weight.
TOKEN_WEIGHTS: dict[str, float] = {
    "f": 1.0,
    "j": 1.0,
    "p": 1.2,
    "i": 0.8,
    "c": 0.6,
    "d": 0.4,
}
_SELF_JOIN_WEIGHT = 0.5

# --------------------------------------------------------------------------------------------
# Script detection
# --------------------------------------------------------------------------------------------

# Any letter of the Arabic script, for a quick "is any of it Arabic?" (see _forms).
_ARABIC_LETTER = re.compile(
    "[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi, sc in SCRIPT_RANGES if sc == "arabic") + "]"
)


def _char_script(ch: str) -> str:
    cp = ord(ch)
    for low, high, script in SCRIPT_RANGES:
        if low <= cp <= high:
            return script
    return "other"


def detect_script(text: str) -> str:
    """Return the script most of the letters of ``text`` are written in.

    One of "latin", "arabic", "cyrillic", "ethiopic" or "other"; text without letters is
    "other".  Ties go to the script met first.
    """
    counts: dict[str, int] = {}
    for ch in text:
        if not unicodedata.category(ch).startswith("L"):
            continue
        script = _char_script(ch)
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "other"
    return max(counts, key=lambda s: counts[s])


# --------------------------------------------------------------------------------------------
# Letter-by-letter transliteration (the letter tables are in name_tables.py)
# --------------------------------------------------------------------------------------------

# Harakat, Quranic marks and tatweel carry no consonant.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def _ethiopic_unit(ch: str) -> str:
    return _ascii_letters(anyascii(ch))


_ASCII_KEEP = re.compile(r"[^a-z]+")


def _ascii_letters(text: str) -> str:
    return _ASCII_KEEP.sub("", text.lower())


def _arabic_units(word: str, persian: str = "") -> list[str]:
    """Letter-by-letter units; ``persian`` is "" for the Arabic reading, else the letter
    a consonantal و is read as in the Persian/Urdu reading ("w" or "v")."""
    letters = _ARABIC_MARKS.sub("", word)
    units: list[str] = []
    last = len(letters) - 1
    for i, ch in enumerate(letters):
        prev = letters[i - 1] if i > 0 else ""
        nxt = letters[i + 1] if i < last else ""
        if ch == ARABIC_WAW:
            consonant = persian or "w"
            units.append(consonant if i == 0 or nxt in "اىيی" else "u")
        elif persian and ch in PERSIAN_READING:
            units.append(PERSIAN_READING[ch])
        elif persian and ch == "ه" and i == last and i > 0 and prev not in "اآ":
            units.append("a")
        elif ch in ARABIC_YEH:
            consonantal = i == 0 or prev in "اأإآ" or nxt in ARABIC_VOWEL_LETTERS
            units.append("y" if consonantal else "i")
        elif ch in ARABIC:
            units.append(ARABIC[ch])
        else:
            units.append(_ascii_letters(anyascii(ch)))
    return units


def _cyrillic_unit(ch: str, ukrainian: bool) -> str:
    if ukrainian:
        if ch == "г":
            return "h"
        if ch == "и":
            return "y"
    mapped = CYRILLIC.get(ch)
    if mapped is not None:
        return mapped
    return _ascii_letters(anyascii(ch))


def _units(word: str, persian: str = "") -> list[str]:
    """Romanise ``word`` (lower case) into units.

    A unit is the transliteration of one Arabic, Cyrillic or Ethiopic letter, or a whole run of
    Latin (or other-script) text.  Digraphs are folded inside a unit only: the letters of a
    Latin run really do spell "sh" together, two Arabic letters do not.
    """
    if word.isascii():
        if "'" in word:
            return [u for u in (_ascii_letters(part) for part in word.split("'")) if u]
        return [_ascii_letters(word)]
    special = primary_units(word)
    if special is not None:
        return special
    units: list[str] = []
    run: list[str] = []
    ukrainian = not UKRAINIAN_MARKERS.isdisjoint(word)
    arabic_start = -1
    for i, ch in enumerate(word):
        script = _char_script(ch) if not ch.isascii() else "latin"
        if script == "arabic":
            if arabic_start < 0:
                if run:
                    units.append(_ascii_letters(anyascii("".join(run))))
                    run = []
                arabic_start = i
            continue
        if arabic_start >= 0:
            units.extend(_arabic_units(word[arabic_start:i], persian))
            arabic_start = -1
        if script == "cyrillic":
            if run:
                units.append(_ascii_letters(anyascii("".join(run))))
                run = []
            if ch == "ж" and i > 0 and word[i - 1] == "д":
                # дж is one sound, written "dzh" in Latin (Джамал, Dzhamal).
                units[-1] = "dzh"
            else:
                units.append(_cyrillic_unit(ch, ukrainian))
        elif script == "ethiopic":
            if run:
                units.append(_ascii_letters(anyascii("".join(run))))
                run = []
            units.append(_ethiopic_unit(ch))
        elif ch == "'":
            if run:
                units.append(_ascii_letters(anyascii("".join(run))))
                run = []
        else:
            run.append(ch)
    if arabic_start >= 0:
        units.extend(_arabic_units(word[arabic_start:], persian))
    if run:
        units.append(_ascii_letters(anyascii("".join(run))))
    return [u for u in units if u]


# --------------------------------------------------------------------------------------------
# Skeletons
# --------------------------------------------------------------------------------------------

# One left-to-right pass; longer digraphs are listed first so "tsch" is not read as "ts"+"ch"
# and "dzh" not as "d"+"zh".  Folding happens before the single-letter map on purpose: the
# j that dzh/dj/zh become is then mapped to g like every other j, so Jamal, Djamal, Dzhamal
# (Джамал), Gamal and جمال all give "gml".  Yusuf, Youssef, Юсуф and يوسف meet at "sf"
# because y and vowels drop.
_DIGRAPHS = re.compile("tsch|dzh|sh|ch|kh|gh|ph|dj|zh|x")
_DIGRAPH_FOLD = {
    "tsch": "s",
    "dzh": "j",
    "sh": "s",
    "ch": "s",
    "kh": "h",
    "gh": "g",
    "ph": "f",
    "dj": "j",
    "zh": "j",
    "x": "ks",
}
_FINE_MAP = str.maketrans("qczvj", "kksfg", "aeiouwy")
_COARSE_MAP = str.maketrans("ghdb", "kktp")
_DOUBLES = re.compile(r"(.)\1+")


def _fold_digraph(match: re.Match[str]) -> str:
    return _DIGRAPH_FOLD[match.group()]


@lru_cache(maxsize=4096)
def _fold_unit(unit: str) -> str:
    return _DIGRAPHS.sub(_fold_digraph, unit).translate(_FINE_MAP)


def _collapse(text: str) -> str:
    return _DOUBLES.sub(r"\1", text)


def _fine_from_units(units: Sequence[str]) -> str:
    folded = "".join(_fold_unit(u) for u in units)
    if folded:
        return _collapse(folded)
    # Words with no consonant (Aya, Ia) would otherwise vanish from the index.
    return "".join(units)


def _coarse_from_fine(fine: str) -> str:
    return _collapse(fine.translate(_COARSE_MAP))


class _Word(NamedTuple):
    romanised: str
    fine: str
    coarse: str
    # Other fine skeletons of a word with more than one plausible reading.
    alternatives: tuple[str, ...]
    # Consonant skeleton of an article dropped just before this word ("l" for al-/ال).
    article: str
    # Fine skeletons of the words a bound prefix was merged from (see _merge_bound_words).
    parts: tuple[str, ...] = ()


def _ambiguous_cyrillic_g(piece: str) -> bool:
    # Ukrainian reads г as "h" (Halyna, Bohdan), Russian as "g" (Galina, Igor); without a
    # letter that only one language uses, both readings are indexed.
    return (
        "г" in piece and UKRAINIAN_MARKERS.isdisjoint(piece) and RUSSIAN_MARKERS.isdisjoint(piece)
    )


def _join_units(units: Sequence[str]) -> str:
    """Concatenate units, with an apostrophe where two letters would spell a digraph.

    زهير is "z'hir", not "zhir": the apostrophe keeps the romanised form readable the same
    way again (skeleton("z'hir") == skeleton("زهير")), as Is'haq is written for إسحاق.
    """
    if len(units) <= 1:
        return units[0] if units else ""
    out = units[0]
    for unit in units[1:]:
        if out and _crosses(out, unit):
            out += "'"
        out += unit
    return out


def _crosses(left: str, right: str) -> bool:
    # A digraph spans the boundary when folding the whole differs from folding the halves.
    tail, head = left[-3:], right[:3]
    return _fold_unit(tail + head) != _fold_unit(tail) + _fold_unit(head)


@lru_cache(maxsize=65536)
def _analyse(piece: str) -> tuple[str, str, str, tuple[str, ...]]:
    """(romanised, fine, coarse, other fine readings) of one lower-case, article-free word."""
    units = _units(piece)
    romanised = _join_units(units)
    if not romanised:
        return "", "", "", ()
    fine = _fine_from_units(units)
    readings: set[str] = set()
    first = units[0]
    if first.startswith("di") and len(first) > 2 and first[2] in "aeou" and piece.isascii():
        # French-based West African spelling writes j as "di" before a vowel: Diallo is the
        # Jallow and Jalloh of English-speaking Gambia and Sierra Leone, Diarra is Jarra.
        readings.add(_fine_from_units(["j" + first[2:], *units[1:]]))
    if _ambiguous_cyrillic_g(piece):
        readings.add(_fine_from_units(_units(piece.replace("г", "h"))))
    elif any("\u0600" <= ch <= "\u06ff" for ch in piece):
        # Afghan spellings write a consonantal و as w (Parwana), Pakistani ones as v (Javed).
        readings.add(_fine_from_units(_units(piece, persian="w")))
        if ARABIC_WAW in piece:
            readings.add(_fine_from_units(_units(piece, persian="v")))
    # Other scripts and Latin orthographies (name_scripts): Crnkovic as Tsrnkovich, פוטר as Potter.
    readings.update(_fine_from_units(_units(spelling)) for spelling in script_readings(piece))
    readings.discard(fine)
    readings.discard("")
    return romanised, fine, _coarse_from_fine(fine), tuple(sorted(readings))


# --------------------------------------------------------------------------------------------
# Splitting into words
# --------------------------------------------------------------------------------------------

_HYPHENS = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u058a\u05be\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_DOTS = ".\u00b7\u2022\u06d4\u3002\uff0e"
_APOSTROPHES = "'\u2018\u2019\u02bc\u02bb\u02bf\u02be`\u00b4\u2032\u055a\ua78c"
# Everything that separates whole words: spaces, digits, punctuation, Arabic and Ethiopic
# punctuation (Ethiopic writes a word space as ፡).
_WORD_SEPARATORS = re.compile(
    r"[\s\d_,;:/\\|()\[\]{}<>\"!?&+*=#@~^%$\u060c\u061b\u061f\u066a-\u066d"
    r"\u00ab\u00bb\u201c\u201d\u201e\u1361-\u1368\u3001\u300c\u300d]+"
)
_SIMPLE_NAME = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")
_PIECE_SEPARATORS = re.compile(f"[{_HYPHENS}{_DOTS}]+")
_APOSTROPHE = re.compile(f"[{_APOSTROPHES}]")


def _apostrophe_pieces(piece: str) -> list[str]:
    """Split at an apostrophe only after the article al/el (Al'Amin).

    Elsewhere the apostrophe stays inside the word as a boundary between letters: it writes an
    ayn or a hamza (Sa'id, Ja'far), a soft sign (Дар'я), an elision (N'Diaye, O'Brien), or keeps
    two letters from reading as one (Is'haq).  N'Diaye then meets Ndiaye, and Is'haq keeps its
    "s" and "h" apart.
    """
    parts = _APOSTROPHE.split(piece)
    if len(parts) == 1:
        return parts
    out: list[str] = []
    acc = parts[0]
    for nxt in parts[1:]:
        if acc in STANDALONE_ARTICLES:
            out.append(acc)
            acc = nxt
        else:
            acc = acc + "'" + nxt if acc and nxt else acc + nxt
    out.append(acc)
    return out


def _raw_pieces(text: str) -> list[tuple[str, str]]:
    """Split into lower-case word pieces, each with the article dropped before it ("" if none)."""
    if not text.isascii():
        text = split_cjk(unicodedata.normalize("NFKC", text))
    text = text.lower()
    # Most names are letters and single spaces; they skip the separator handling.
    simple = _SIMPLE_NAME.fullmatch(text) is not None
    chunks = text.split() if simple else [c for c in _WORD_SEPARATORS.split(text) if c]
    result: list[tuple[str, str]] = []
    pending_article = ""
    last_chunk = len(chunks) - 1
    for index, chunk in enumerate(chunks):
        pieces: list[str] = []
        if simple:
            pieces.append(chunk)
        else:
            for part in _PIECE_SEPARATORS.split(chunk):
                if part:
                    pieces.extend(p for p in _apostrophe_pieces(part) if p)
        if not pieces:
            continue
        if len(pieces) == 1 and pieces[0] in STANDALONE_ARTICLES and index < last_chunk:
            pending_article = "l"
            continue
        if len(pieces) > 1 and _ascii_letters(anyascii(pieces[0])) in PREFIX_ARTICLES:
            pending_article = _article_consonant(pieces[0])
            pieces = pieces[1:]
        for piece in pieces:
            article = pending_article
            pending_article = ""
            if (
                piece.startswith(ARABIC_ARTICLE)
                and len(piece) > 3
                and piece not in ARABIC_NOT_ARTICLE
            ):
                piece = piece[2:]
                article = "l"
            result.append((piece, article))
    return result


def _article_consonant(article: str) -> str:
    return _fine_from_units([_ascii_letters(anyascii(article))])


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for piece, article in _raw_pieces(text):
        romanised, fine, coarse, alternatives = _analyse(piece)
        if romanised:
            words.append(_Word(romanised, fine, coarse, alternatives, article))
    return words


# --------------------------------------------------------------------------------------------
# Public normalisation API
# --------------------------------------------------------------------------------------------


def romanise_word(word: str) -> str:
    """Lower-case ASCII spelling of one word, article dropped ("Al-Hassan" -> "hassan")."""
    return "".join(w.romanised for w in _words(word))


def split_name(text: str) -> list[str]:
    """Romanised words of a name, split on spaces, hyphens, apostrophes and dots.

    Articles are dropped: "Abd al-Rahman" -> ["abd", "rahman"].
    """
    return [w.romanised for w in _words(text)]


def skeleton(word: str) -> str:
    """Fine consonant skeleton: Mohammed, Muhammad, Mohamed and محمد all give "mhmd"."""
    words = _words(word)
    if not words:
        return ""
    if len(words) == 1:
        return words[0].fine
    return _collapse("".join(w.fine for w in words))


def coarse_skeleton(word: str) -> str:
    """Fine skeleton with g/h/k, d/t and b/p merged: Hanna and Ganna both give "kn"."""
    fine = skeleton(word)
    return _coarse_from_fine(fine) if fine else ""


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------


def _deletions(fine: str) -> Iterable[str]:
    if len(fine) >= 2:
        yield fine
    if 3 <= len(fine) <= _MAX_DELETION_LENGTH:
        for i in range(len(fine)):
            yield fine[:i] + fine[i + 1 :]


def _glue(first: _Word, second: _Word) -> _Word:
    """One word from two, keeping the article between them; without it is a second reading.

    Abd al-Rahman gives bdlrhmn, as the fused Latin spellings Abdelrahman and Abdulrahman
    write it; bdrhmn (Abdirahman, Abderrahmane) is kept as another reading.
    """
    fine = _collapse(first.fine + second.article + second.fine)
    readings = {_collapse(first.fine + second.fine)}
    readings.update(_collapse(first.fine + second.article + r) for r in second.alternatives)
    readings.discard(fine)
    return _Word(
        romanised=first.romanised + second.romanised,
        fine=fine,
        coarse=_coarse_from_fine(fine),
        alternatives=tuple(sorted(readings)),
        article=first.article,
        parts=(first.fine, second.fine),
    )


def _merge_bound_words(words: Sequence[_Word]) -> list[_Word]:
    merged: list[_Word] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is not None and (
            word.romanised in BOUND_PREFIXES or nxt.romanised in BOUND_SUFFIXES
        ):
            merged.append(_glue(word, nxt))
            i += 2
        else:
            merged.append(word)
            i += 1
    return merged


def _weighted_tokens(words: Sequence[_Word]) -> dict[str, float]:
    words = _merge_bound_words(words)[:MAX_WORDS]
    weights: dict[str, float] = {}

    def add(token: str, weight: float) -> None:
        if weights.get(token, 0.0) < weight:
            weights[token] = weight

    for word in words:
        add("f:" + word.fine, TOKEN_WEIGHTS["f"])
        add("c:" + word.coarse, TOKEN_WEIGHTS["c"])
        if len(word.fine) >= 2:
            add("j:" + word.fine, _SELF_JOIN_WEIGHT)
        for reading in word.alternatives:
            add("f:" + reading, TOKEN_WEIGHTS["f"])
            add("d:" + reading, TOKEN_WEIGHTS["d"])
        for part in word.parts:
            add("f:" + part, TOKEN_WEIGHTS["f"])
        for variant in _deletions(word.fine):
            add("d:" + variant, TOKEN_WEIGHTS["d"])
    for i in range(len(words) - 1):
        first, second = words[i], words[i + 1]
        add("j:" + _collapse(first.fine + second.fine), TOKEN_WEIGHTS["j"])
        if second.article:
            add("j:" + _collapse(first.fine + second.article + second.fine), TOKEN_WEIGHTS["j"])
        for other in words[i + 1 : i + 3]:
            for a in (first.fine, *first.alternatives):
                for b in (other.fine, *other.alternatives):
                    low, high = sorted((a, b))
                    add("p:" + low + "|" + high, TOKEN_WEIGHTS["p"])
            if first.fine and other.fine:
                add("i:" + first.fine + "|" + other.fine[0], TOKEN_WEIGHTS["i"])
                add("i:" + other.fine + "|" + first.fine[0], TOKEN_WEIGHTS["i"])
    return weights


def name_tokens(parts: list[str]) -> set[str]:
    """Search tokens of a full name given as its name strings.

    ``parts`` are e.g. ``["Mohammed", "Al-Hassan"]`` or ``["محمد حسن"]``; their words are
    read in order as one name.  Records and queries use the same function: two spellings of
    the same name share tokens.
    """
    words: list[_Word] = []
    for part in parts:
        words.extend(_words(part))
    return set(_weighted_tokens(words))


def query_tokens(text: str) -> list[tuple[str, float]]:
    """Tokens of a free-text query with a weight multiplier by kind, heaviest first."""
    weights = _weighted_tokens(_words(text))
    return sorted(weights.items(), key=lambda item: (-item[1], item[0]))


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------


class _Forms(NamedTuple):
    romanised: str
    fine: str
    coarse: str
    # The fine skeletons of the name's other readings (Persian/Urdu reading of Arabic letters,
    # Ukrainian reading of Cyrillic г), word by word.
    readings: tuple[str, ...]
    # Whether the spelling writes its vowels: Arabic script mostly does not, so its romanised
    # spelling ("mhmd") says nothing about how close it is to a Latin one ("Mohammed").
    vowelled: bool


# At most this many readings of one name are compared (words with two readings multiply).
_MAX_READINGS = 8


@lru_cache(maxsize=65536)
def _forms(text: str) -> _Forms:
    words = _merge_bound_words(_words(text))[:MAX_WORDS]
    fine = " ".join(w.fine for w in words)
    readings: set[str] = set()
    # Most names have one reading: only a word with alternatives makes more.
    if any(w.alternatives for w in words):
        readings = {
            " ".join(combo)
            for combo in islice(product(*((w.fine, *w.alternatives) for w in words)), _MAX_READINGS)
        }
        readings.discard(fine)
    return _Forms(
        " ".join(w.romanised for w in words),
        fine,
        " ".join(w.coarse for w in words),
        tuple(sorted(readings)),
        text.isascii()
        or (_ARABIC_LETTER.search(text) is None and UNVOWELLED_LETTER.search(text) is None),
    )


def _blend(a: str, b: str) -> float:
    # token_set rewards a query that is a subset of the name (a left-out middle name),
    # token_sort keeps an exact full-name match above a partial one.
    return 0.5 * fuzz.token_set_ratio(a, b) + 0.5 * fuzz.token_sort_ratio(a, b)


# A spelling this close to the query's (in rapidfuzz's 0..100) counts as the query's own:
# Mohamed for Mohammed (96), Hasan for Hassan. A query is a variant as often as not, so the
# exact spelling of a namesake must not outrank the variant the caseworker was told; the
# consonant skeletons and the birth year decide between them. Between two scripts of which one
# does not write its vowels (أحمد محمد for "Ahmed Mohammed") the spelling is unknown and counts
# as the consonants' agreement. Measured at 1,000,000 persons (docs/performance.md, fifth round)
# against no saturation with an unknown spelling at 0.9 of the consonants: recall@10 with the
# birth year 0.966 -> 0.968, across scripts by name alone 0.348 -> 0.428.
CLOSE_SPELLING = 90.0


def _score(query: _Forms, candidate: _Forms) -> float:
    """Similarity in 0..1 of two names' forms.

    Spellings are compared between two names that both write their vowels (or both do not); a
    spelling at least ``CLOSE_SPELLING`` alike counts as the same. Between أحمد محمد and
    "Ahmed Mohammed" the Arabic spelling says nothing of the vowels and counts as the consonants'
    agreement. Consonant skeletons count under every reading of either name.
    """
    if not query.fine or not candidate.fine:
        return 0.0
    consonants = max(
        _blend(a, b)
        for a in (query.fine, *query.readings)
        for b in (candidate.fine, *candidate.readings)
    )
    coarse = fuzz.token_set_ratio(query.coarse, candidate.coarse)
    if query.vowelled != candidate.vowelled:
        spelling = consonants
    else:
        spelling = min(100.0, 100.0 * _blend(query.romanised, candidate.romanised) / CLOSE_SPELLING)
    return (0.4 * spelling + 0.45 * consonants + 0.15 * coarse) / 100.0


# A search ranks ~200 candidates against one query: its forms are computed once.
_query_forms = lru_cache(maxsize=256)(_forms)


def name_similarity(query: str, candidate_names: list[str]) -> float:
    """Similarity in 0..1 of a query to a person known by ``candidate_names`` (name, aliases).

    Blends rapidfuzz scores over the romanised spellings (rewards close spellings) and over
    the fine and coarse skeletons (rewards the same name across scripts and transliterations);
    the best of the candidate's names counts.
    """
    query_forms = _query_forms(query)
    best = 0.0
    for name in candidate_names:
        score = _score(query_forms, _forms(name))
        if score > best:
            best = score
    return best
