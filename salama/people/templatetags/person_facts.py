"""Person facts as people read them: country and language names, the age with its certainty."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.translation import gettext as _

from salama.core.countries import COUNTRIES
from salama.core.languages import language_name
from salama.people.models import Person

register = template.Library()


@register.filter
def country_names(codes: Iterable[str] | None) -> str:
    """ "SY, ER" as "Syrian Arab Republic, Eritrea" in the user's language (unknown codes as is)."""
    return ", ".join(str(COUNTRIES.get(code, code)) for code in codes or [])


@register.filter
def language_names(codes: Iterable[str] | None) -> str:
    return ", ".join(language_name(code) for code in codes or [])


@register.filter
def age_text(person: Person) -> str:
    """ "16", or "about 16 (estimated)" when the age rests on an estimate or a partial date."""
    age = person.current_age()
    if age is None:
        return "—"
    if person.age_is_estimated:
        return _("about %(age)s (estimated)") % {"age": age}
    return str(age)
