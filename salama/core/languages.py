"""Language codes Salama accepts: ISO 639-1, plus ISO 639-3 for languages without a 639-1 code.

The 639-3 additions are languages the people Salama serves speak that ISO 639-1 leaves out
(e.g. Tigre, Dinka, Rohingya, Kurmanji); add a code here when a caseworker needs another one.
The names are the English ones, marked for translation: forms show them in the language of the
request (Django's own catalogue already names the common ones), codes are what is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from salama.core.countries import _alphabetical

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# fmt: off
ISO_639_1: dict[str, StrOrPromise] = {
    "aa": _("Afar"), "ab": _("Abkhazian"), "ae": _("Avestan"), "af": _("Afrikaans"),
    "ak": _("Akan"), "am": _("Amharic"), "an": _("Aragonese"), "ar": _("Arabic"),
    "as": _("Assamese"), "av": _("Avaric"), "ay": _("Aymara"), "az": _("Azerbaijani"),
    "ba": _("Bashkir"), "be": _("Belarusian"), "bg": _("Bulgarian"), "bi": _("Bislama"),
    "bm": _("Bambara"), "bn": _("Bengali"), "bo": _("Tibetan"), "br": _("Breton"),
    "bs": _("Bosnian"), "ca": _("Catalan"), "ce": _("Chechen"), "ch": _("Chamorro"),
    "co": _("Corsican"), "cr": _("Cree"), "cs": _("Czech"), "cu": _("Church Slavic"),
    "cv": _("Chuvash"), "cy": _("Welsh"), "da": _("Danish"), "de": _("German"), "dv": _("Divehi"),
    "dz": _("Dzongkha"), "ee": _("Ewe"), "el": _("Greek"), "en": _("English"), "eo": _("Esperanto"),
    "es": _("Spanish"), "et": _("Estonian"), "eu": _("Basque"), "fa": _("Persian"),
    "ff": _("Fulah"), "fi": _("Finnish"), "fj": _("Fijian"), "fo": _("Faroese"), "fr": _("French"),
    "fy": _("Western Frisian"), "ga": _("Irish"), "gd": _("Scottish Gaelic"), "gl": _("Galician"),
    "gn": _("Guarani"), "gu": _("Gujarati"), "gv": _("Manx"), "ha": _("Hausa"), "he": _("Hebrew"),
    "hi": _("Hindi"), "ho": _("Hiri Motu"), "hr": _("Croatian"), "ht": _("Haitian Creole"),
    "hu": _("Hungarian"), "hy": _("Armenian"), "hz": _("Herero"), "ia": _("Interlingua"),
    "id": _("Indonesian"), "ie": _("Interlingue"), "ig": _("Igbo"), "ii": _("Sichuan Yi"),
    "ik": _("Inupiaq"), "io": _("Ido"), "is": _("Icelandic"), "it": _("Italian"),
    "iu": _("Inuktitut"), "ja": _("Japanese"), "jv": _("Javanese"), "ka": _("Georgian"),
    "kg": _("Kongo"), "ki": _("Kikuyu"), "kj": _("Kuanyama"), "kk": _("Kazakh"),
    "kl": _("Kalaallisut"), "km": _("Khmer"), "kn": _("Kannada"), "ko": _("Korean"),
    "kr": _("Kanuri"), "ks": _("Kashmiri"), "ku": _("Kurdish"), "kv": _("Komi"), "kw": _("Cornish"),
    "ky": _("Kyrgyz"), "la": _("Latin"), "lb": _("Luxembourgish"), "lg": _("Ganda"),
    "li": _("Limburgish"), "ln": _("Lingala"), "lo": _("Lao"), "lt": _("Lithuanian"),
    "lu": _("Luba-Katanga"), "lv": _("Latvian"), "mg": _("Malagasy"), "mh": _("Marshallese"),
    "mi": _("Maori"), "mk": _("Macedonian"), "ml": _("Malayalam"), "mn": _("Mongolian"),
    "mr": _("Marathi"), "ms": _("Malay"), "mt": _("Maltese"), "my": _("Burmese"), "na": _("Nauru"),
    "nb": _("Norwegian Bokmål"), "nd": _("North Ndebele"), "ne": _("Nepali"), "ng": _("Ndonga"),
    "nl": _("Dutch"), "nn": _("Norwegian Nynorsk"), "no": _("Norwegian"), "nr": _("South Ndebele"),
    "nv": _("Navajo"), "ny": _("Chichewa"), "oc": _("Occitan"), "oj": _("Ojibwa"), "om": _("Oromo"),
    "or": _("Odia"), "os": _("Ossetian"), "pa": _("Punjabi"), "pi": _("Pali"), "pl": _("Polish"),
    "ps": _("Pashto"), "pt": _("Portuguese"), "qu": _("Quechua"), "rm": _("Romansh"),
    "rn": _("Kirundi"), "ro": _("Romanian"), "ru": _("Russian"), "rw": _("Kinyarwanda"),
    "sa": _("Sanskrit"), "sc": _("Sardinian"), "sd": _("Sindhi"), "se": _("Northern Sami"),
    "sg": _("Sango"), "si": _("Sinhala"), "sk": _("Slovak"), "sl": _("Slovenian"),
    "sm": _("Samoan"), "sn": _("Shona"), "so": _("Somali"), "sq": _("Albanian"), "sr": _("Serbian"),
    "ss": _("Swati"), "st": _("Southern Sotho"), "su": _("Sundanese"), "sv": _("Swedish"),
    "sw": _("Swahili"), "ta": _("Tamil"), "te": _("Telugu"), "tg": _("Tajik"), "th": _("Thai"),
    "ti": _("Tigrinya"), "tk": _("Turkmen"), "tl": _("Tagalog"), "tn": _("Tswana"),
    "to": _("Tongan"), "tr": _("Turkish"), "ts": _("Tsonga"), "tt": _("Tatar"), "tw": _("Twi"),
    "ty": _("Tahitian"), "ug": _("Uyghur"), "uk": _("Ukrainian"), "ur": _("Urdu"), "uz": _("Uzbek"),
    "ve": _("Venda"), "vi": _("Vietnamese"), "vo": _("Volapük"), "wa": _("Walloon"),
    "wo": _("Wolof"), "xh": _("Xhosa"), "yi": _("Yiddish"), "yo": _("Yoruba"), "za": _("Zhuang"),
    "zh": _("Chinese"), "zu": _("Zulu"),
}
ISO_639_3_EXTRA: dict[str, StrOrPromise] = {
    "bej": _("Beja"), "byn": _("Blin"), "ckb": _("Central Kurdish (Sorani)"), "din": _("Dinka"),
    "fvr": _("Fur"), "haz": _("Hazaragi"), "kmr": _("Northern Kurdish (Kurmanji)"),
    "kri": _("Krio"), "kun": _("Kunama"), "men": _("Mende"), "mls": _("Masalit"),
    "mnk": _("Mandinka"), "nus": _("Nuer"), "pcm": _("Nigerian Pidgin"), "prs": _("Dari"),
    "rhg": _("Rohingya"), "snk": _("Soninke"), "ssy": _("Saho"), "sus": _("Susu"),
    "tem": _("Themne"), "tig": _("Tigre"), "zag": _("Zaghawa"),
}
# fmt: on

LANGUAGES: dict[str, StrOrPromise] = {**ISO_639_1, **ISO_639_3_EXTRA}


def validate_language(code: str) -> None:
    if code not in LANGUAGES:
        raise ValidationError(
            _("“%(code)s” is not a language code Salama knows; use ISO 639-1 such as ar, ti, fr."),
            code="unknown_language",
            params={"code": code},
        )


def language_name(code: str) -> str:
    """The name of a language in the active language; the code itself if Salama does not know it."""
    name = LANGUAGES.get(code)
    return str(name) if name is not None else code


def language_choices() -> list[tuple[str, str]]:
    """(code, name) in the active language, in that language's alphabetical order.

    Call it when the choices are shown (pass the function itself as `choices`), not at import.
    """
    names = [(code, str(name)) for code, name in LANGUAGES.items()]
    return sorted(names, key=lambda item: _alphabetical(item[1]))


def english_language_names() -> dict[str, str]:
    """code → English name, whatever the active language (a picker also matches on these)."""
    with translation.override("en"):
        return {code: str(name) for code, name in LANGUAGES.items()}
