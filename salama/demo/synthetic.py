"""Deterministic synthetic persons for demo data and benchmarks.

Nothing is downloaded: the name pools are data/names.json, read once.  They follow the migration
corridors a protection caseload sees (West Africa, the Horn of Africa, the Arab world, Syria,
Afghanistan and Pakistan, Ukraine and Russia, Latin America, South and South-East Asia,
Nigeria), each with names in Zipf-like frequency, so that at 1,000,000 persons a common given
name recurs tens of thousands of times ("Mohammed") and a common full name hundreds of times
("Mamadou Diallo", about 770), as issue 3 describes a real caseload.
That is what makes name search hard: a query for a common name has a namesake ceiling that no
engine can beat without the birth date.

Part of the records are written in Arabic, Cyrillic or Ethiopic script; ``canonical_latin``
always holds the Latin spelling used as ground truth.  ``spelling_variant`` and
``other_script_variant`` build benchmark queries from it.

The persons are fictional; any likeness to a real person is the likeness of common names.
"""

from __future__ import annotations

import json
import random
import unicodedata
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from anyascii import anyascii

__all__ = [
    "SCRIPTS",
    "SyntheticPerson",
    "generate_people",
    "other_script_variant",
    "script_spellings",
    "spelling_variant",
    "variant_groups",
]

SCRIPTS = ("latin", "arabic", "cyrillic", "ethiopic")

# Ages are computed against a fixed day so that a seed always gives the same birth dates.
_REFERENCE_DAY = date(2025, 1, 1)


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    given_name: str
    family_name: str
    script: str
    sex: str
    date_of_birth: date
    nationality: str
    canonical_latin: str


# The name pools, further other-script spellings and spelling-variant groups, read once (the
# file's "about" says how they are written).
NAMES_FILE = Path(__file__).resolve().parent / "data" / "names.json"


@cache
def _names() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(NAMES_FILE.read_text(encoding="utf-8"))
    return data


def _entries(raw: list[list[str]]) -> list[tuple[str, str | None]]:
    """[Latin] or [Latin, other-script spelling] entries as (Latin, spelling or None) pairs."""
    return [(entry[0], entry[1] if len(entry) > 1 else None) for entry in raw]


class _Pool:
    """Names of one pool with Zipf weights by rank, drawn by one bisect."""

    __slots__ = ("cumulative", "latin", "script_form", "total")

    def __init__(self, pool: str, exponent: float) -> None:
        entries = _entries(_names()["pools"][pool])
        self.latin: list[str] = [latin for latin, _ in entries]
        self.script_form: list[str | None] = [form for _, form in entries]
        weights = [1.0 / (rank + 1) ** exponent for rank in range(len(entries))]
        self.cumulative: list[float] = list(accumulate(weights))
        self.total: float = self.cumulative[-1]

    def draw(self, rng: random.Random) -> int:
        return bisect(self.cumulative, rng.random() * self.total)


@dataclass(frozen=True, slots=True)
class _Corridor:
    weight: float
    nationalities: tuple[tuple[str, float], ...]
    male_share: float
    male: _Pool
    female: _Pool
    family: _Pool
    female_family: _Pool | None = None
    script: str = "latin"
    script_share: float = 0.0
    # Share of birth dates registered as 1 January of an estimated year.
    estimated_dob_share: float = 0.0
    # Share of records with a second given name: the father's name (Arabic, Somali, Tigrinya
    # naming) or a second own name (Fulani double names such as Mamadou Aliou).
    middle_share: float = 0.0
    middle_is_father: bool = True
    style: str = ""


# Zipf exponents of the name pools.  The pools hold the head of each corridor's names only (40
# to 100 names), so a steeper law would give the first names far more weight than a real
# population does: 0.9 and 0.8 made "Mamadou Diallo" and "Olena Shevchenko" recur 2,300 and
# 2,200 times in 1,000,000 persons, thousands rather than the hundreds of a real caseload.
_GIVEN_EXPONENT = 0.7
_FAMILY_EXPONENT = 0.5


def _shares(text: str) -> tuple[tuple[str, float], ...]:
    """ "GN:0.3 ML:0.2" -> (("GN", 0.3), ("ML", 0.2))."""
    return tuple((code, float(share)) for code, share in (p.split(":") for p in text.split()))


def _pools(region: str) -> tuple[_Pool, _Pool, _Pool]:
    """The male, female and family-name pools of ``region`` ("west_africa" and so on)."""
    return (
        _Pool(f"{region}_male", _GIVEN_EXPONENT),
        _Pool(f"{region}_female", _GIVEN_EXPONENT),
        _Pool(f"{region}_family", _FAMILY_EXPONENT),
    )


def _build_corridors() -> tuple[_Corridor, ...]:
    arabic_male, arabic_female, arabic_family = _pools("arabic")
    syrian_family = _Pool("syrian_family", _FAMILY_EXPONENT)
    bangladesh = _pools("bangladesh")
    # Burmese names have no family name: the registration's "family name" field usually holds
    # the later syllables of the personal name, drawn here from the given-name pools.
    myanmar_male = _Pool("myanmar_male", 0.8)
    myanmar_female = _Pool("myanmar_female", 0.8)
    return (
        _Corridor(
            0.18,
            _shares("GN:0.3 ML:0.2 SN:0.15 CI:0.12 GM:0.1 SL:0.08 BF:0.05"),
            0.72,
            *_pools("west_africa"),
            estimated_dob_share=0.12,
            middle_share=0.3,
            middle_is_father=False,
        ),
        _Corridor(
            0.06,
            _shares("NG:0.85 GH:0.15"),
            0.45,
            *_pools("nigeria"),
            estimated_dob_share=0.05,
        ),
        _Corridor(
            0.08,
            _shares("ER:0.65 ET:0.35"),
            0.62,
            *_pools("habesha"),
            script="ethiopic",
            script_share=0.4,
            estimated_dob_share=0.1,
            middle_share=0.4,
        ),
        _Corridor(
            0.04,
            _shares("SO:1.0"),
            0.6,
            *_pools("somali"),
            estimated_dob_share=0.2,
            middle_share=0.6,
        ),
        _Corridor(
            0.13,
            _shares("SD:0.3 EG:0.2 IQ:0.15 YE:0.1 LY:0.08 MA:0.1 DZ:0.04 TN:0.03"),
            0.68,
            arabic_male,
            arabic_female,
            arabic_family,
            script="arabic",
            script_share=0.35,
            estimated_dob_share=0.05,
            middle_share=0.5,
        ),
        _Corridor(
            0.08,
            _shares("SY:1.0"),
            0.55,
            arabic_male,
            arabic_female,
            syrian_family,
            script="arabic",
            script_share=0.35,
            middle_share=0.4,
        ),
        _Corridor(
            0.10,
            _shares("AF:0.65 PK:0.35"),
            0.75,
            *_pools("afghan"),
            script="arabic",
            script_share=0.2,
            estimated_dob_share=0.25,
            middle_share=0.2,
        ),
        _Corridor(
            0.10,
            _shares("UA:0.7 RU:0.15 MD:0.08 BY:0.07"),
            0.35,
            *_pools("slavic"),
            script="cyrillic",
            script_share=0.55,
            style="slavic",
        ),
        _Corridor(
            0.12,
            _shares("VE:0.35 CO:0.2 HN:0.12 GT:0.1 SV:0.08 MX:0.08 EC:0.07"),
            0.5,
            *_pools("latin_america"),
            style="two_surnames",
        ),
        _Corridor(
            0.03,
            _shares("BD:1.0"),
            0.7,
            *bangladesh,
            female_family=_Pool("bangladesh_female_family", _FAMILY_EXPONENT),
        ),
        _Corridor(
            0.015,
            _shares("NP:1.0"),
            0.55,
            *_pools("nepal"),
        ),
        _Corridor(
            0.025,
            _shares("PH:1.0"),
            0.35,
            *_pools("philippines"),
        ),
        _Corridor(
            0.015,
            _shares("VN:1.0"),
            0.55,
            *_pools("vietnam"),
            style="vietnamese",
        ),
        _Corridor(
            0.01,
            _shares("MM:1.0"),
            0.5,
            myanmar_male,
            myanmar_female,
            myanmar_male,
            female_family=myanmar_female,
            style="burmese",
        ),
    )


_CORRIDORS = _build_corridors()
_CORRIDOR_CUMULATIVE = list(accumulate(c.weight for c in _CORRIDORS))
_NATIONALITY_TABLES = tuple(
    (tuple(code for code, _ in c.nationalities), list(accumulate(w for _, w in c.nationalities)))
    for c in _CORRIDORS
)

# Age groups of a protection caseload: (share, youngest age, oldest age).
_AGE_GROUPS = ((0.12, 0, 14), (0.18, 15, 19), (0.5, 20, 34), (0.15, 35, 49), (0.05, 50, 75))
_AGE_CUMULATIVE = list(accumulate(share for share, _, _ in _AGE_GROUPS))

_VIETNAMESE_MIDDLE = {
    "male": ("Văn", "Văn", "Văn", "Đức", "Quốc", "Minh"),
    "female": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim"),
}


def _pick(cumulative: list[float], rng: random.Random) -> int:
    return min(bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _birth_date(rng: random.Random, estimated_share: float) -> date:
    group = _AGE_GROUPS[_pick(_AGE_CUMULATIVE, rng)]
    age = group[1] + int(rng.random() * (group[2] - group[1] + 1))
    year = _REFERENCE_DAY.year - 1 - age
    if rng.random() < estimated_share:
        return date(year, 1, 1)
    start = date(year, 1, 1).toordinal()
    length = date(year + 1, 1, 1).toordinal() - start
    return date.fromordinal(start + int(rng.random() * length))


def _slavic_feminine(latin: str, form: str | None) -> tuple[str, str | None]:
    # Russian family names agree with the bearer's sex (Ivanov, Ivanova).
    if latin.endswith(("ov", "ev", "in")):
        return latin + "a", (form + "а") if form else form
    return latin, form


def _person(rng: random.Random) -> SyntheticPerson:
    index = _pick(_CORRIDOR_CUMULATIVE, rng)
    corridor = _CORRIDORS[index]
    codes, cumulative = _NATIONALITY_TABLES[index]
    nationality = codes[_pick(cumulative, rng)]
    male = rng.random() < corridor.male_share
    sex = "male" if male else "female"
    given_pool = corridor.male if male else corridor.female
    family_pool = (
        corridor.family if male or corridor.female_family is None else (corridor.female_family)
    )
    g = given_pool.draw(rng)
    f = family_pool.draw(rng)
    given, given_form = given_pool.latin[g], given_pool.script_form[g]
    family, family_form = family_pool.latin[f], family_pool.script_form[f]

    style = corridor.style
    if style == "slavic" and not male:
        family, family_form = _slavic_feminine(family, family_form)
    elif style == "two_surnames" and rng.random() < 0.6:
        family = family + " " + family_pool.latin[family_pool.draw(rng)]
    elif style == "vietnamese":
        middles = _VIETNAMESE_MIDDLE[sex]
        given = middles[int(rng.random() * len(middles))] + " " + given
    elif style == "burmese" and rng.random() < 0.5:
        family = family + " " + family_pool.latin[family_pool.draw(rng)]

    if corridor.middle_share and rng.random() < corridor.middle_share:
        middle_pool = corridor.male if corridor.middle_is_father else given_pool
        m = middle_pool.draw(rng)
        given = given + " " + middle_pool.latin[m]
        middle_form = middle_pool.script_form[m]
        given_form = (given_form + " " + middle_form) if given_form and middle_form else None

    canonical = given + " " + family
    script = "latin"
    if (
        corridor.script_share
        and given_form
        and family_form
        and rng.random() < corridor.script_share
    ):
        script = corridor.script
        given, family = given_form, family_form
    return SyntheticPerson(
        given_name=given,
        family_name=family,
        script=script,
        sex=sex,
        date_of_birth=_birth_date(rng, corridor.estimated_dob_share),
        nationality=nationality,
        canonical_latin=canonical,
    )


def generate_people(n: int, seed: int = 0) -> Iterator[SyntheticPerson]:
    """Yield ``n`` synthetic persons; the same ``n`` and ``seed`` always give the same persons."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data, not a secret
    for _ in range(n):
        yield _person(rng)


# --------------------------------------------------------------------------------------------
# Other-script spellings
# --------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


def _script_tables() -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {"arabic": {}, "cyrillic": {}, "ethiopic": {}}
    pools, spellings = _names()["pools"], _names()["spellings"]
    sources = (
        ("arabic", ("arabic_male", "arabic_female", "arabic_family", "syrian_family")),
        ("arabic", ("afghan_male", "afghan_female", "afghan_family")),
        ("cyrillic", ("slavic_male", "slavic_female", "slavic_family")),
        ("ethiopic", ("habesha_male", "habesha_female", "habesha_family")),
    )
    lists = [(script, pools[name]) for script, names in sources for name in names]
    # The further spellings after the pools' own.
    lists += [("arabic", spellings["arabic"]), ("cyrillic", spellings["cyrillic"])]
    for script, raw in lists:
        for latin, form in _entries(raw):
            if form is not None:
                # The first spelling listed wins (Arabic spellings before Dari ones).
                tables[script].setdefault(_key(latin), form)
    return tables


_SCRIPT_TABLES = _script_tables()
_LONGEST_ENTRY = max(len(k.split()) for table in _SCRIPT_TABLES.values() for k in table)


def script_spellings(target: str) -> dict[str, str]:
    """Latin spelling (lower case) -> spelling in ``target`` script, from the name data."""
    return dict(_SCRIPT_TABLES[target])


def other_script_variant(name_latin: str, target: str) -> str | None:
    """Spelling of a Latin name in ``target`` script ("arabic", "cyrillic", "ethiopic").

    Full names are looked up word by word, longest known sequence first ("Abdul Rahman
    Al-Sayed" -> "عبد الرحمن السيد").  Returns None when any word is unknown.
    """
    table = _SCRIPT_TABLES.get(target)
    if table is None:
        return None
    words = _key(name_latin).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for length in range(min(_LONGEST_ENTRY, len(words) - i), 0, -1):
            form = table.get(" ".join(words[i : i + length]))
            if form is not None:
                out.append(form)
                i += length
                break
        else:
            if target == "cyrillic" and words[i].endswith(("ova", "eva", "ina")):
                stem = table.get(words[i][:-1])
                if stem is not None:
                    out.append(stem + "а")
                    i += 1
                    continue
            return None
    return " ".join(out) if out else None


# --------------------------------------------------------------------------------------------
# Spelling variants
# --------------------------------------------------------------------------------------------


def _variant_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for spellings in _names()["variant_groups"]:
        group = tuple(spellings)
        for member in group:
            index.setdefault(_key(member), group)
    return index


_VARIANTS = _variant_index()


def variant_groups() -> list[tuple[str, ...]]:
    """The groups of spellings of one name in the name data (for tests and benchmarks)."""
    return sorted(set(_VARIANTS.values()))


# Transliteration alternatives seen across registrations, tried as substring swaps.
_SWAPS = tuple(
    tuple(swap.split(">"))
    for swap in """
    ou>u u>ou oo>u ee>i ie>y y>i i>y ai>ei ei>ai a>e e>a e>i i>e o>u u>o
    kh>h kh>ch sh>ch ch>sh ph>f f>ph j>dj dj>j q>k k>c c>k w>v v>w
    th>t dh>d gh>g ks>x x>ks ii>iy iy>ii
    """.split()
)
# Neighbouring keys on a QWERTY keyboard, for one-key typos.
_KEYBOARD = dict(
    item.split(":")
    for item in """
    a:qsz b:vgn c:xdv d:sfe e:wrd f:dgr g:fht h:gjy i:uok j:hku k:jli l:ko m:n
    n:bm o:ipl p:o q:wa r:etf s:adw t:ryg u:yij v:cb w:qes x:zc y:tuh z:xa
    """.split()
)
_VOWELS = "aeiou"


def _strip_diacritics(word: str) -> str:
    """José -> Jose, Nguyễn -> Nguyen, Đức -> Duc; other scripts are returned unchanged."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if stripped.isascii():
        return stripped
    if all(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in stripped):
        return anyascii(stripped)
    return word


def _swap(word: str, rng: random.Random) -> str:
    lower = word.lower()
    options = [(a, b) for a, b in _SWAPS if a in lower]
    if not options:
        return word
    a, b = options[int(rng.random() * len(options))]
    positions = [i for i in range(len(lower)) if lower.startswith(a, i)]
    at = positions[int(rng.random() * len(positions))]
    return lower[:at] + b + lower[at + len(a) :]


def _double_or_undouble(word: str, rng: random.Random) -> str:
    lower = word.lower()
    doubled = [i for i in range(1, len(lower)) if lower[i] == lower[i - 1]]
    if doubled and rng.random() < 0.6:
        at = doubled[int(rng.random() * len(doubled))]
        return lower[:at] + lower[at + 1 :]
    consonants = [i for i in range(1, len(lower)) if lower[i] not in _VOWELS]
    if not consonants:
        return lower + lower[-1]
    at = consonants[int(rng.random() * len(consonants))]
    return lower[: at + 1] + lower[at] + lower[at + 1 :]


def _typo(word: str, rng: random.Random) -> str:
    lower = word.lower()
    if len(lower) < 3:
        return lower + lower[-1]
    at = 1 + int(rng.random() * (len(lower) - 1))
    kind = rng.random()
    if kind < 0.35 and lower[at] in _KEYBOARD:
        neighbours = _KEYBOARD[lower[at]]
        return lower[:at] + neighbours[int(rng.random() * len(neighbours))] + lower[at + 1 :]
    if kind < 0.6 and at < len(lower) - 1:
        return lower[:at] + lower[at + 1] + lower[at] + lower[at + 2 :]
    if kind < 0.8:
        return lower[:at] + lower[at + 1 :]
    return lower[:at] + lower[at - 1] + lower[at:]


def _capitalised_like(original: str, new: str) -> str:
    if original[:1].isupper() and new:
        return new[0].upper() + new[1:]
    return new


def _edit_word(word: str, rng: random.Random) -> str:
    if not word.isascii() and _strip_diacritics(word).isascii() and rng.random() < 0.5:
        return _strip_diacritics(word)
    base = _strip_diacritics(word) if _strip_diacritics(word).isascii() else word
    roll = rng.random()
    if not base.isascii():
        # Another script: a doubled or dropped letter is the realistic slip.
        at = int(rng.random() * len(base))
        return base[:at] + base[at] + base[at:] if roll < 0.5 else base[:at] + base[at + 1 :]
    if roll < 0.45:
        new = _swap(base, rng)
    elif roll < 0.7:
        new = _double_or_undouble(base, rng)
    else:
        new = _typo(base, rng)
    return _capitalised_like(word, new)


def spelling_variant(name: str, rng: random.Random) -> str:
    """A different spelling of ``name`` as another registration might have written it.

    Known transliteration variants first (Mohammed -> Muhammad, Youssef -> Yusuf, Oleksandr ->
    Aleksandr), otherwise a common letter swap, a doubled or dropped letter, or one typo.
    Always differs from ``name`` when ``name`` has a letter.
    """
    group = _VARIANTS.get(_key(name))
    if group and len(group) > 1 and rng.random() < 0.7:
        others = [m for m in group if _key(m) != _key(name)]
        return others[int(rng.random() * len(others))]
    words = name.split()
    if not words:
        return name
    known = [i for i, w in enumerate(words) if len(_VARIANTS.get(_key(w), ())) > 1]
    for _attempt in range(8):
        new_words = list(words)
        if known and rng.random() < 0.6:
            i = known[int(rng.random() * len(known))]
            others = [m for m in _VARIANTS[_key(words[i])] if _key(m) != _key(words[i])]
            new_words[i] = others[int(rng.random() * len(others))]
        else:
            i = int(rng.random() * len(words))
            new_words[i] = _edit_word(words[i], rng)
        candidate = " ".join(w for w in new_words if w)
        if candidate and candidate != name:
            return candidate
    return name + name[-1]
