from __future__ import annotations

import gettext
from pathlib import Path

from django.conf import settings
from django.utils import translation

from salama.core.countries import COUNTRIES, country_choices


def _names(lang: str) -> list[str]:
    with translation.override(lang):
        return [name for _code, name in country_choices()]


def _names_by_code(lang: str) -> list[str]:
    with translation.override(lang):
        return [str(name) for name in COUNTRIES.values()]


def test_country_names_follow_the_language_of_the_request() -> None:
    with translation.override("en"):
        assert dict(country_choices())["SY"] == "Syrian Arab Republic"
    with translation.override("fr"):
        assert dict(country_choices())["SY"] == "République arabe syrienne"
    with translation.override("ar"):
        assert dict(country_choices())["SY"] == "الجمهورية العربية السورية"


def test_every_country_has_a_name_in_every_language() -> None:
    english = _names_by_code("en")
    for lang in ("fr", "es", "ar"):
        mo = Path(settings.BASE_DIR) / "salama" / "locale" / lang / "LC_MESSAGES" / "django.mo"
        with mo.open("rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
        assert [name for name in english if not catalog.get(name)] == [], lang
    assert all(not name.isascii() for name in _names_by_code("ar"))


def test_accented_names_sort_among_their_letter() -> None:
    english = _names("en")
    assert english.index("Åland Islands") == english.index("Afghanistan") + 1
    french = _names("fr")
    assert french.index("Danemark") < french.index("Égypte") < french.index("Espagne")
