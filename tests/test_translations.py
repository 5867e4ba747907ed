"""The catalogues in salama/locale are complete, well-formed and compiled.

`make messages` refreshes them from the code; these tests fail when a catalogue was left with an
untranslated or fuzzy entry, a placeholder that differs from the English, a plural form missing,
or a .mo file that was not compiled again after its .po changed.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "salama" / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# nplurals of each language's Plural-Forms (Arabic distinguishes 0, 1, 2, 3-10, 11-99 and 100+).
PLURAL_FORMS = {"fr": 2, "es": 2, "ar": 6}


def _msgfmt() -> str:
    path = shutil.which("msgfmt")
    assert path, "msgfmt is missing: install gettext (Debian: apt-get install gettext)"
    return path


def _po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def _mo(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.mo"


def test_every_language_of_the_settings_has_a_catalogue() -> None:
    assert sorted(LANGUAGES) == sorted(PLURAL_FORMS)
    for lang in LANGUAGES:
        assert _po(lang).is_file() and _mo(lang).is_file(), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry_and_keeps_every_placeholder(
    lang: str,
) -> None:
    result = subprocess.run(
        [_msgfmt(), "--check", "--statistics", "-o", "/dev/null", str(_po(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), (
        f"{lang}: {statistics} — run `make messages` and translate what it reports"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_its_source(lang: str, tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run([_msgfmt(), "-o", str(fresh), str(_po(lang))], check=True)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    with _mo(lang).open("rb") as f:
        committed = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    assert committed == expected, f"{_mo(lang)} is stale: run `make messages`"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_entry_fills_all_forms_of_the_language(lang: str) -> None:
    with _mo(lang).open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    plural_ids = {key[0] for key in catalog if isinstance(key, tuple)}
    assert plural_ids, f"{lang}: no plural entries at all"
    for msgid in plural_ids:
        forms = [catalog.get((msgid, i), "") for i in range(PLURAL_FORMS[lang])]
        assert all(forms), f"{lang}: {msgid!r} lacks a plural form"
        assert (msgid, PLURAL_FORMS[lang]) not in catalog


def test_the_server_error_page_speaks_the_language_of_the_request() -> None:
    with translation.override("ar"):
        page = render_to_string("500.html")
    assert 'lang="ar" dir="rtl"' in page
    assert "حدث خطأ ما" in page
    with translation.override("en"):
        page = render_to_string("500.html")
    assert 'lang="en" dir="ltr"' in page
    assert "Something went wrong" in page
