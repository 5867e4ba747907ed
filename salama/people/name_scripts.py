"""Readings of names beyond the Arabic and Cyrillic tables: more scripts, more Latin orthographies.

``salama.people.names`` turns every word into a consonant skeleton. Arabic and Cyrillic have
letter tables of their own (``name_tables``); everything else used to go through ``anyascii``
alone, which reads a Latin letter the English way and a Hebrew letter one way only. This module
adds, as data with a little glue:

* **Primary romanisations** of scripts that need more than ``anyascii``: Hebrew (a letter table
  after the Academy of the Hebrew Language's 2006 rules, the basis of Israeli passport
  spellings), Indic scripts (``anyascii`` letter by letter, which follows ISO 15919 without
  the inherent vowel, with the passport habits it lacks: च is "ch" and छ "chh", a व or ব after
  a virama is the silent "w" of Biswas and Vishwakarma) and Chinese characters, which
  ``anyascii`` reads in Hanyu Pinyin (the Unihan kMandarin reading; surnames with a second
  reading are listed) and which are split into family name and given name as passports write
  them (ZHANG Wei).
* **Readings** (``readings``): other spellings of a word, whose skeletons are indexed too, as
  the Ukrainian reading of Cyrillic г already is. A Latin word is read under each orthography
  that its letters prove (ć, ł, ș, ß, ő, ğ, ã) or make plausible without diacritics (Crnkovic
  ends in -ic, Konwitschny has "tsch", Szymanski "sz"); each orthography is a table of
  rewrites into an English-style spelling (Polish cz -> ch, w -> v, c -> ts, j -> y, ...).
  A word costs postings only when a reading's skeleton differs from its own.

Standards followed: ICAO Doc 9303 part 3 (machine-readable passports strip diacritics: Č is C,
Ł is L, ß is SS); the national orthographies of Polish, Czech, Slovak, Croatian, Serbian
(Gaj's Latin), Romanian, Turkish, German, Hungarian, Portuguese and Vietnamese; BGN/PCGN and
Hunterian for Indic names; Hanyu Pinyin (ISO 7098) and the Palladius system for Chinese in
Cyrillic; the Polivanov system for Japanese in Cyrillic; ISO 9, GOST 7.79 system B and the
scientific transliteration of Cyrillic (x for х, j for й, c for ц).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import islice, product
from typing import NamedTuple

from anyascii import anyascii

__all__ = [
    "UNVOWELLED_LETTER",
    "orthographies_of",
    "primary_units",
    "readings",
    "split_cjk",
]

_ASCII_KEEP = re.compile(r"[^a-z]+")


def _ascii(text: str) -> str:
    return _ASCII_KEEP.sub("", anyascii(text).lower())


# --------------------------------------------------------------------------------------------
# Latin orthographies: rewrites into an English-style spelling
# --------------------------------------------------------------------------------------------

_SOFT = "aeouąęóy"  # Polish: a vowel after i makes ci, si, zi, ni, dzi one soft consonant


class _Orthography(NamedTuple):
    name: str
    # Letters only this orthography (among those read here) uses: present, it applies.
    markers: frozenset[str]
    # Letter patterns that make it plausible without its diacritics (searched in the word).
    hints: re.Pattern[str] | None
    # One left-to-right pass; at one position the first pattern that matches wins.
    rules: re.Pattern[str]
    replacements: tuple[str, ...]


def _orthography(
    name: str, markers: str, hints: str | None, rules: list[tuple[str, str]]
) -> _Orthography:
    pattern = re.compile("|".join(f"({p})" for p, _ in rules))
    return _Orthography(
        name,
        frozenset(markers),
        re.compile(hints) if hints else None,
        pattern,
        tuple(r for _, r in rules),
    )


ORTHOGRAPHIES: tuple[_Orthography, ...] = (
    # Polish: Szymański = Shimanski, Wojciech = Voychekh, Krzysztof = Kzhishtof, Dąbrowski.
    _orthography(
        "polish",
        "ąćęłńśźż",
        r"szcz|cz|[bcdfgkptw]rz|rz$|sz|(?:wicz|wski|wska)$|^w[lrszc]|w[a-z]*sk[ia]$|ow(?!$)|jc|[^s]cie|rz[yeę]",
        [
            ("szcz", "shch"),
            ("cz", "ch"),
            ("sz", "sh"),
            ("(?<=[ptk])rz|rz$", "sh"),  # after a voiceless consonant and at the end
            ("rz", "zh"),
            (f"dż|dź|dzi(?=[{_SOFT}])", "j"),
            ("ch", "kh"),
            (f"ci(?=[{_SOFT}])|ć", "ch"),
            ("ci", "chi"),
            (f"si(?=[{_SOFT}])|ś", "sh"),
            ("si", "shi"),
            (f"zi(?=[{_SOFT}])|ź|ż", "zh"),
            ("zi", "zhi"),
            (f"ni(?=[{_SOFT}])|ń", "n"),
            ("c", "ts"),
            ("w", "v"),
            ("j", "y"),
            ("ą(?=[bp])", "om"),
            ("ę(?=[bp])", "em"),
            ("ą", "on"),
            ("ę", "en"),
            ("ó", "u"),
        ],
    ),
    # Croatian, Serbian (Gaj's Latin), Bosnian, Montenegrin, Slovene: Crnković = Tsrnkovich,
    # Đorđević = Djordjevich, Ljubica = Lyubitsa, Jovanović = Yovanovich.
    _orthography(
        "croatian-serbian",
        "ćđ",
        r"[čšž]|i[cć]h?$|ica$|^(?:cr|cv|hr|zd|zl|sr|dj|lj|nj|tk)",
        [
            ("ch", "ch"),
            ("dž", "j"),
            ("đ", "dj"),
            ("[čć]", "ch"),
            ("š", "sh"),
            ("ž", "zh"),
            ("lj", "ly"),
            ("nj", "ny"),
            ("ic$", "ich"),
            ("c", "ts"),
            ("j", "y"),
        ],
    ),
    # Czech and Slovak: Dvořák = Dvorzhak, Procházka = Prokhazka, Černý = Cherny.
    _orthography(
        "czech-slovak",
        "řěůďťľĺňŕ",
        r"[čšž]|(?:ck[aoy]|cek|ová)$",
        [
            ("ř", "rzh"),
            ("dž", "j"),
            ("[čć]", "ch"),
            ("š", "sh"),
            ("ž", "zh"),
            ("ch", "kh"),
            ("c", "ts"),
            ("ě", "ye"),
            ("j", "y"),
            ("ď", "dy"),
            ("ť", "ty"),
            ("ň", "ny"),
        ],
    ),
    # German: Konwitschny = Konvichny, Zimmermann = Tsimmerman, Bach = Bakh, Jürgen = Yurgen.
    _orthography(
        "german",
        "ßäöü",
        r"sch|tz|dt|pf|zw|^w.*er$|(?:mann|berg|burg|stein|witz|feld|hardt)$",
        [
            ("tsch", "ch"),
            ("sch", "sh"),
            ("ß", "ss"),
            ("ch", "kh"),
            ("tz", "ts"),
            ("z", "ts"),
            ("w", "v"),
            ("j", "y"),
            ("ä", "e"),
            ("ö", "o"),
            ("ü", "u"),
        ],
    ),
    # Turkish: Çelik = Chelik, Cem = Jem, Erdoğan = Erdoan, Şahin = Shahin.
    _orthography(
        "turkish",
        "çğış",
        r"oğ?lu$|^c[aei](?:m|n|h|v|y|f|l)",
        [
            ("ç", "ch"),
            ("ş", "sh"),
            ("ğ", ""),
            ("ı", "i"),
            ("c", "j"),
            ("j", "zh"),
            ("ö", "o"),
            ("ü", "u"),
        ],
    ),
    # Hungarian: Szabó = Sabo, Kovács = Kovach, Zsolt = Zholt, György = Dyordy.
    _orthography(
        "hungarian",
        "őű",
        r"cs|zs|gy|sz|th$",
        [
            ("ch", "ch"),
            ("th$", "t"),  # the old spelling of family names: Tóth, Horváth, Németh
            ("cs", "ch"),
            ("zs", "zh"),
            ("sz", "s"),
            ("s", "sh"),
            ("gy", "dy"),
            ("ly", "y"),
            ("c", "ts"),
            ("j", "y"),
            ("[őö]", "o"),
            ("[űü]", "u"),
        ],
    ),
    # Romanian: Țurcanu = Tsurcanu, Ciobanu = Chobanu, Gheorghe, Georgescu = Jorjescu.
    _orthography(
        "romanian",
        "șțşţă",
        r"(?:escu|eanu|anu|iuc)$|^ci[aou]|^ghe|c[ei]a",
        [
            ("[șş]", "sh"),
            ("[țţ]", "ts"),
            ("ch(?=[ei])", "k"),
            ("c(?=[ei])", "ch"),
            ("gh(?=[ei])", "g"),
            ("g(?=[ei])", "j"),
            ("ă", "e"),
            ("[âî]", "i"),
        ],
    ),
    # Portuguese: Carvalho = Carvalyo, Coutinho = Coutinyo, Xavier = Shavier, João.
    _orthography(
        "portuguese",
        "ãõ",
        r"(?:lh|nh)(?:o|a|os|as)$|(?:eira|eiro|ões|aes|ães)$|^x[aeiu]|[aeiou]ix[aeo]",
        [
            ("nh", "ny"),
            ("lh", "ly"),
            ("ç|c(?=[ei])", "s"),
            ("x", "sh"),
            ("ão", "aun"),
            ("ãe", "ain"),
            ("õe", "oin"),
        ],
    ),
    # Vietnamese (only with its diacritics): Dũng = Zung, Giang = Zang, Xuân = Suan, Trần = Chan.
    _orthography(
        "vietnamese",
        "ơưđ" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)),
        None,
        [
            ("đ", "d"),
            ("d", "z"),
            ("gi", "z"),
            ("x", "s"),
            ("tr", "ch"),
            ("nguy", "w"),
        ],
    ),
    # Scientific, ISO 9 and GOST 7.79 (system B) romanisations of Cyrillic: Xruščëv, Hruŝëv,
    # Sergej, Jurij, Cvetaeva, Czvetaeva = Khrushchev, Sergey, Yuriy, Tsvetayeva.
    _orthography(
        "cyrillic-latin",
        "ŝ",
        r"x|shh|[aeiouy]j(?:$|[^aeiou])|^j[eu]|^c[vyz]|[ûâ]",
        [
            ("shh", "shch"),
            ("ch", "ch"),
            ("sh", "sh"),
            ("zh", "zh"),
            ("kh", "kh"),
            ("x", "kh"),
            ("cz", "ts"),
            ("c", "ts"),
            ("j", "y"),
            ("ŝ", "shch"),
            ("û", "yu"),
            ("â", "ya"),
            ("č", "ch"),
            ("š", "sh"),
            ("ž", "zh"),
        ],
    ),
    # Hanyu Pinyin read the way Palladius writes it in Cyrillic (Си Цзиньпин, Чжан Вэй):
    # x = с, j and z = цз, q and c = ц, zh = чж, r = ж, final ng = н, w before a vowel = в.
    # Applies only to a word made of pinyin syllables (see _is_pinyin).
    _orthography(
        "pinyin",
        "",
        None,
        [
            ("zh", "chzh"),
            ("ch", "ch"),
            ("sh", "sh"),
            ("x", "s"),
            ("[jqzc]", "ts"),
            ("r", "zh"),
            ("ng", "n"),
            ("w(?=[aeo])", "v"),
        ],
    ),
)
_BY_NAME = {o.name: o for o in ORTHOGRAPHIES}

# Spellings English-speaking registrations use for letters of other languages.
#   ch as kh: Hebrew and German names written with ch (Chaim, Baruch, Menachem = חיים, ברוך).
#   A final -ah/-eh is Arabic ة or Hebrew ה, a vowel (Fatimah = فاطمة, Sarah = שרה).
#   Latin p is ب in Arabic, which has no p (Peter = بيتر).
_GENERIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![st])ch"), "kh"),
    (re.compile(r"(?<=..[aei])h$"), ""),
    (re.compile(r"p(?!h)"), "b"),
    # tz is ts in Hebrew, Yiddish and German names, never t + zh (Yitzhak = יצחק).
    (re.compile(r"tz"), "ts'"),
)

# Pinyin syllables (initial + final), for telling a pinyin word from any other Latin word.
_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo"
    r"|ui|ue|er|a|o|e|i|u|v)"
)
_PINYIN_WORD = re.compile(f"(?:{_PINYIN_SYLLABLE}){{1,3}}")
# Letters or endings a pinyin word is told by; without one it reads the same as English.
_PINYIN_SIGN = re.compile(r"x|q|zh|ng$|ian|iao|uo")
_PINYIN_ONE = re.compile(f"[jzcrw]{_PINYIN_SYLLABLE[_PINYIN_SYLLABLE.index(')') + 2 :]}")


def _is_pinyin(word: str) -> bool:
    if not word.isascii():
        return False
    if _PINYIN_ONE.fullmatch(word):  # one syllable: Zeng, Cai, Ren, Wei
        return True
    return _PINYIN_SIGN.search(word) is not None and bool(_PINYIN_WORD.fullmatch(word))


def orthographies_of(word: str) -> list[str]:
    """Names of the Latin orthographies ``word`` (lower case) is read under besides English."""
    found = [
        o.name
        for o in ORTHOGRAPHIES
        if (o.markers and not o.markers.isdisjoint(word))
        or (o.hints is not None and o.hints.search(word))
    ]
    if _is_pinyin(word):
        found.append("pinyin")
    return found


def _rewrite(orthography: _Orthography, word: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return orthography.replacements[(match.lastindex or 1) - 1]

    return orthography.rules.sub(replace, word)


def _latin_readings(word: str) -> list[str]:
    out = [_rewrite(_BY_NAME[name], word) for name in orthographies_of(word)]
    plain = _ascii(word)
    for pattern, replacement in _GENERIC:
        if pattern.search(plain):
            out.append(pattern.sub(replacement, plain))
    return out


# --------------------------------------------------------------------------------------------
# Hebrew: a letter table with the letters that have two readings
# --------------------------------------------------------------------------------------------

_HEBREW_FINAL = {"ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ"}
_HEBREW_FIXED = {
    "א": "",
    "ד": "d",
    "ה": "h",
    "ז": "z",
    "ח": "kh",
    "ט": "t",
    "י": "y",
    "ל": "l",
    "מ": "m",
    "נ": "n",
    "ס": "s",
    "ע": "",
    "צ": "ts",
    "ק": "k",
    "ר": "r",
    "ש": "sh",
    "ת": "t",
    "ג": "g",
}
# ב, כ, פ are b, k, p at the start of a word or with a dagesh, else v, kh, f (Avraham, Yaakov,
# Yosef) - but a medial one may be either (Tsipora, Rivka), so both are indexed.
_HEBREW_BEGADKEFAT = {"ב": ("b", "v"), "כ": ("k", "kh"), "פ": ("p", "f")}
# With a geresh: ג׳ j, ז׳ zh, צ׳ ch (Jerry, Zhaklin, Chichi).
_HEBREW_GERESH = {"ג": "j", "ז": "zh", "צ": "ch"}
_HEBREW_DAGESH = "\u05bc"
_GERESH = "\u05f3'\u2019"
_HEBREW_LETTERS = re.compile("[\u05d0-\u05ea]")
_HEBREW_MARKS = re.compile("[\u0591-\u05bb\u05bd-\u05c7]")
_MAX_READINGS = 4


def _hebrew_options(word: str) -> list[tuple[str, ...]]:
    letters = _HEBREW_MARKS.sub("", word)
    options: list[tuple[str, ...]] = []
    last = len(letters) - 1
    i = 0
    while i <= last:
        ch = letters[i]
        nxt = letters[i + 1] if i < last else ""
        if ch == _HEBREW_DAGESH or ch in _GERESH:
            i += 1
            continue
        final = ch in _HEBREW_FINAL
        base = _HEBREW_FINAL.get(ch, ch)
        if nxt and nxt in _GERESH and base in _HEBREW_GERESH:
            options.append((_HEBREW_GERESH[base],))
        elif base in _HEBREW_BEGADKEFAT:
            hard, soft = _HEBREW_BEGADKEFAT[base]
            if final:
                options.append((soft,))
            elif nxt == _HEBREW_DAGESH or (i == 0 and base != "פ"):
                options.append((hard,))
            elif i == 0:
                options.append((hard, soft))  # Fridman, Fisher: an initial פ is f in Yiddish names
            else:
                options.append((soft, hard))
        elif base == "ו":
            if nxt == "ו":
                options.append(("v",))
                i += 1
            elif i == 0:
                options.append(("v",))
            else:
                # A vowel (o, u: Moshe, Yosef) or v (David, Levi, Chava).
                options.append(("", "v"))
        elif base == "ה" and i == last:
            options.append(("",))  # Sarah, Moshe: a final ה writes a vowel
        elif base in _HEBREW_FIXED:
            options.append((_HEBREW_FIXED[base],))
        else:
            options.append((_ascii(ch),))
        i += 1
    return options


def _hebrew_spellings(word: str) -> list[str]:
    """Spellings of a Hebrew word, letters apart ("'"), the primary reading first."""
    options = _hebrew_options(word)
    return ["'".join(u for u in combo if u) for combo in islice(product(*options), _MAX_READINGS)]


# --------------------------------------------------------------------------------------------
# Indic scripts: anyascii letter by letter, with the passport habits it lacks
# --------------------------------------------------------------------------------------------

_INDIC = re.compile("[\u0900-\u0dff]")
_VIRAMAS = frozenset("\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d\u0dca")
_INDIC_OVERRIDES = {
    # च छ in Devanagari, Bengali, Gurmukhi, Gujarati, Oriya: ch and chh (Chaudhary, Chhetri).
    **{c: "ch" for c in "चচਚચଚ"},
    **{c: "chh" for c in "छছਛછଛ"},
    # ङ ঙ: ng (Gurung, Tamang), where anyascii writes n.
    **{c: "ng" for c in "ङঙਙઙଙ"},
    # Tamil ச is s at the start of a name (Subramanian, Selvam), ch when doubled.
    "ச": "s",
}
# व / ব / ਵ after a virama is the w of a conjunct (Vishwakarma, Biswas, Ishwar).
_INDIC_VA = frozenset("वবਵવବ")


def _indic_units(word: str) -> list[str]:
    units: list[str] = []
    prev = ""
    for ch in word:
        if ch in _INDIC_VA and prev in _VIRAMAS:
            units.append("w")
        elif ch in _INDIC_OVERRIDES:
            units.append(_INDIC_OVERRIDES[ch])
        else:
            units.append(_ascii(ch))
        prev = ch
    return [u for u in units if u]


def _indic_readings(word: str) -> list[str]:
    out: list[str] = []
    first = word[:1]
    # An initial व is b in Nepali and eastern names (Bikash = विकास), the v of Hindi Vikas.
    if first in "वব":
        out.append("b'" + "'".join(_indic_units(word[1:])))
    if "ச" in word:
        out.append("'".join(_indic_units(word.replace("ச", "च"))))
    if "ভ" in word:
        # Bengali writes the v of Persian and Arabic names with ভ (Parvin = পারভীন).
        out.append("'".join("v" if u == "bh" else u for u in _indic_units(word)))
    return out


# --------------------------------------------------------------------------------------------
# Greek: the digraphs of ELOT 743 (Greek passports) that anyascii reads letter by letter
# --------------------------------------------------------------------------------------------

_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_GREEK_DIGRAPHS = re.compile("^μπ|^ντ|^γκ|μπ|ντ|γγ|γκ|γχ|γξ|[αε]υ")
_GREEK_READ = {
    "^μπ": "b",
    "^ντ": "d",
    "^γκ": "g",
    "μπ": "mb",
    "ντ": "nd",
    "γγ": "ng",
    "γκ": "ng",
    "γχ": "nkh",
    "γξ": "nx",
}


def _greek_readings(word: str) -> list[str]:
    """ELOT 743 reading: αυ ευ av ev (Stavros, Evangelos), μπ b/mb, ντ d/nd, γγ γκ ng."""
    plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))

    def read(match: re.Match[str]) -> str:
        text = match.group()
        if text[0] in "αε":
            return text[0] + "β"
        key = "^" + text if match.start() == 0 and "^" + text in _GREEK_READ else text
        return _GREEK_READ[key]

    reading = _GREEK_DIGRAPHS.sub(read, plain)
    return [reading] if reading != plain else []


# --------------------------------------------------------------------------------------------
# Chinese characters: family name and given name, pinyin by anyascii
# --------------------------------------------------------------------------------------------

_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯"}
)
# Surnames read otherwise than the character's most common reading (which anyascii gives).
_SURNAME_READINGS = {
    "单": "Shan",
    "曾": "Zeng",
    "解": "Xie",
    "仇": "Qiu",
    "朴": "Piao",
    "查": "Zha",
    "区": "Ou",
    "盖": "Ge",
    "乐": "Yue",
    "覃": "Qin",
    "尉": "Yu",
    "缪": "Miao",
    "翟": "Zhai",
    "秘": "Bi",
}


def _split_run(match: re.Match[str]) -> str:
    run = match.group()
    cut = 2 if run[:2] in _COMPOUND_SURNAMES and len(run) > 2 else 1
    family = (
        _SURNAME_READINGS.get(run[:cut], anyascii(run[:cut])) if cut == 1 else anyascii(run[:cut])
    )
    return f" {family} {anyascii(run[cut:])} "


def split_cjk(text: str) -> str:
    """Chinese names as passports write them: family name, then the given name as one word.

    张伟 -> "Zhang Wei", 习近平 -> "Xi Jinping", 欧阳修 -> "Ouyang Xiu".
    """
    return _CJK_RUN.sub(_split_run, text)


# --------------------------------------------------------------------------------------------
# Cyrillic spellings of Japanese names (Polivanov): Судзуки = Suzuki, Митико = Michiko
# --------------------------------------------------------------------------------------------

_POLIVANOV_WORD = re.compile(r"(?:(?:дз|[кгсзтдцнхфбпмрв])?[аиуэоёюя]|н|й)+")
# Read as Japanese with one of these, or ending in a vowel Russian names rarely end in.
_POLIVANOV_SIGN = re.compile("дз|ти|тю|тя|тё|си|ся|сю|сё|э|[оиу]$")
_POLIVANOV = re.compile("дз|ти|тю|тя|тё|си|ся|сю|сё|в")
_POLIVANOV_READ = {
    "дз": "z",
    "ти": "chi",
    "тю": "chu",
    "тя": "cha",
    "тё": "cho",
    "си": "shi",
    "ся": "sha",
    "сю": "shu",
    "сё": "sho",
    "в": "w",  # Ватанабэ, Исикава: wa
}


def _polivanov_readings(word: str) -> list[str]:
    if "дз" not in word and not (
        len(word) >= 4 and _POLIVANOV_WORD.fullmatch(word) and _POLIVANOV_SIGN.search(word)
    ):
        return []

    def read(match: re.Match[str]) -> str:
        text = match.group()
        if text == "дз" and match.end() < len(word) and word[match.end()] in "июяё":
            return "j"
        return _POLIVANOV_READ[text]

    return [_POLIVANOV.sub(read, word)]


# --------------------------------------------------------------------------------------------
# Public entry points, called from salama.people.names
# --------------------------------------------------------------------------------------------

# Scripts that do not write short vowels (besides Arabic): their spelling says nothing of
# how close a vowelled Latin spelling is.
UNVOWELLED_LETTER = _HEBREW_LETTERS


def primary_units(word: str) -> list[str] | None:
    """Letter units of a Hebrew or Indic word (lower case), or None for other scripts."""
    if _HEBREW_LETTERS.search(word):
        spellings = _hebrew_spellings(word)
        return [u for u in spellings[0].split("'") if u] if spellings else []
    if _INDIC.search(word):
        return _indic_units(word)
    return None


def readings(word: str) -> list[str]:
    """Other spellings of one lower-case word whose skeletons are indexed as extra readings.

    Spellings may keep letters of the word's script (the Arabic reading keeps the Arabic
    letters it does not change); an apostrophe keeps two letters from reading as one.
    """
    if word.isascii():
        return _latin_readings(word)
    if _HEBREW_LETTERS.search(word):
        return _hebrew_spellings(word)[1:]
    if _INDIC.search(word):
        return _indic_readings(word)
    if _GREEK.search(word):
        return _greek_readings(word)
    if "تش" in word:
        # تش writes ch in foreign names (تشيلسي, Chelsea; تشاد, Chad), as چ does.
        return [word.replace("تش", "چ")]
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        return _polivanov_readings(word)
    if any(ch.isalpha() and ord(ch) < 0x0250 for ch in word):
        return _latin_readings(word)
    return []
