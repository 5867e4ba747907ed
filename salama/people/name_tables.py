"""The tables of the name normalisation in ``salama.people.names``: data, no logic.

Unicode ranges by script, the letter-by-letter Arabic and Cyrillic transliteration maps with the
letters that change a reading, and the name parts that are dropped (articles) or glued to their
neighbour ("Abd", "Allah").
"""

from __future__ import annotations

__all__ = [
    "ARABIC",
    "ARABIC_ARTICLE",
    "ARABIC_NOT_ARTICLE",
    "ARABIC_VOWEL_LETTERS",
    "ARABIC_WAW",
    "ARABIC_YEH",
    "BOUND_PREFIXES",
    "BOUND_SUFFIXES",
    "CYRILLIC",
    "PERSIAN_READING",
    "PREFIX_ARTICLES",
    "RUSSIAN_MARKERS",
    "SCRIPT_RANGES",
    "STANDALONE_ARTICLES",
    "UKRAINIAN_MARKERS",
]

# --------------------------------------------------------------------------------------------
# Scripts: (first code point, last code point, script)
# --------------------------------------------------------------------------------------------

SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "latin"),
    (0x1E00, 0x1EFF, "latin"),
    (0x2C60, 0x2C7F, "latin"),
    (0xA720, 0xA7FF, "latin"),
    (0xFF21, 0xFF5A, "latin"),
    (0x0400, 0x052F, "cyrillic"),
    (0x1C80, 0x1C8F, "cyrillic"),
    (0x2DE0, 0x2DFF, "cyrillic"),
    (0xA640, 0xA69F, "cyrillic"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x1200, 0x139F, "ethiopic"),
    (0x2D80, 0x2DDF, "ethiopic"),
    (0xAB00, 0xAB2F, "ethiopic"),
    (0x1E7E0, 0x1E7FF, "ethiopic"),
)

# --------------------------------------------------------------------------------------------
# Letter-by-letter transliteration
# --------------------------------------------------------------------------------------------

# Short vowels are not written in Arabic, so the long-vowel letters and ع become vowels and
# vanish from the skeleton; و and ي become consonants (w, y) only where they act as such.
ARABIC: dict[str, str] = {
    "ا": "a",
    "أ": "a",
    "إ": "a",
    "آ": "a",
    "ٱ": "a",
    "ى": "a",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "a",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "a",
    "ء": "",
    "ئ": "i",
    "ؤ": "u",
    # Persian, Urdu, Pashto and Kurdish letters met in Afghan and Pakistani names.
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ک": "k",
    "ڤ": "v",
    "ٹ": "t",
    "ڈ": "d",
    "ڑ": "r",
    "ں": "n",
    "ھ": "h",
    "ہ": "h",
    "ۀ": "e",
    "ے": "e",
    "ۓ": "e",
    "ە": "e",
    "ې": "e",
    "ڭ": "ng",
    "ۆ": "o",
    "ێ": "e",
    "ڵ": "l",
    "ڕ": "r",
    "ځ": "dz",
    "څ": "ts",
    "ښ": "sh",
    "ږ": "zh",
    "ټ": "t",
    "ډ": "d",
    "ړ": "r",
    "ڼ": "n",
}
# The same letters read the Persian, Dari, Pashto and Urdu way (Reza رضا, Usman عثمان, Javed
# جاوید, Farzana فرزانه with a final ه that writes a vowel).  Arabic-script words are indexed
# under both readings when they differ.
PERSIAN_READING: dict[str, str] = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "z"}
ARABIC_WAW = "و"
ARABIC_YEH = frozenset("يیﻱ")
ARABIC_VOWEL_LETTERS = frozenset("اأإآٱىةو") | ARABIC_YEH
ARABIC_ARTICLE = "ال"
# Names that begin with the letters of the article without carrying it.
ARABIC_NOT_ARTICLE = frozenset({"الياس", "الهام", "اليسا", "الماس"})

CYRILLIC: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ye",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ђ": "dj",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "c",
    "џ": "dzh",
    "ѓ": "g",
    "ќ": "k",
    "ѕ": "dz",
}
# Letters only Ukrainian (and Belarusian) use; where present, г is "h" and и is "y" as in the
# Ukrainian national transliteration (Ганна written with і-less letters stays "g": the coarse
# skeleton merges g/h, so Hanna and Ganna still meet).
UKRAINIAN_MARKERS = frozenset("іїєґў")
RUSSIAN_MARKERS = frozenset("ыэъё")

# --------------------------------------------------------------------------------------------
# Name parts: articles that are dropped, words that are glued
# --------------------------------------------------------------------------------------------

# Articles as a separate word.  Only al/el: "an", "as", "ad" are names or words elsewhere.
STANDALONE_ARTICLES = frozenset({"al", "el", "ال"})
# Articles as a hyphenated prefix, including the assimilated forms before "sun letters"
# (Abd ar-Rahman, Nur ad-Din, As-Sayed).
PREFIX_ARTICLES = frozenset(
    {"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "er", "es", "et", "ez"}
)

# "Abd" (servant of) never stands alone, and "Allah" ends theophoric names: Abd al-Rahman,
# Abdul Rahman, عبد الرحمن, Abdelrahman and Abdulrahman are one name, as are نجيب الله and
# Najibullah, written as one word or two.
BOUND_PREFIXES = frozenset({"abd", "abdel", "abdul", "abdal", "abdoul", "abdil", "abdur", "abdu"})
BOUND_SUFFIXES = frozenset({"allah", "ullah", "ulla", "alla", "ollah", "lh"})
