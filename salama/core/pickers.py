"""A multiple choice that salama/static/salama/picker.js turns into a type-ahead chip picker.

Without JavaScript it stays a plain `<select multiple>` that submits every chosen value. With it,
the page shows the chosen items as chips and a search box that matches the name in the user's
language, the English name and the code, ignoring accents and case. Each option carries those
extra search terms in `data-terms`; the script's texts come from `data-picker-*` attributes (the
page's CSP allows no inline script).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from salama.core.countries import COUNTRIES
from salama.core.languages import english_language_names


def english_country_names() -> dict[str, str]:
    """code → English country name, whatever the active language."""
    with translation.override("en"):
        return {code: str(name) for code, name in COUNTRIES.items()}


class PickerSelectMultiple(forms.SelectMultiple):
    """`<select multiple data-picker>` whose options also match on English names and codes."""

    def __init__(
        self,
        terms: Callable[[], Mapping[str, str]],
        attrs: dict[str, Any] | None = None,
        choices: Any = (),
    ) -> None:
        super().__init__(attrs, choices)
        self.terms = terms

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        self._terms = self.terms()
        attrs = {
            **(attrs or {}),
            "data-picker": "",
            "data-picker-search": str(_("Type to search, then Enter to add")),
            "data-picker-remove": str(_("Remove %s")),
            "data-picker-none": str(_("No match")),
            "data-picker-chosen": str(_("Chosen")),
        }
        return super().get_context(name, value, attrs)

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        code = str(value)
        option["attrs"]["data-terms"] = f"{code} {getattr(self, '_terms', {}).get(code, '')}"
        return option


def country_picker() -> PickerSelectMultiple:
    return PickerSelectMultiple(english_country_names)


def language_picker() -> PickerSelectMultiple:
    return PickerSelectMultiple(english_language_names)
