"""The dashboard's filters and the population upload, as forms (the API validates its own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from salama.core.countries import country_choices
from salama.evidence.figures import Filters
from salama.people.choices import AGE_BANDS, Sex


def _month(value: str) -> dt.date:
    try:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)  # ValueError for a month 13 or a year 0
    except ValueError:
        raise ValidationError(_("Give a month as YYYY-MM, e.g. 2026-01.")) from None


class MonthField(forms.Field):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "maxlength": 7})

    def to_python(self, value: Any) -> dt.date | None:
        value = (value or "").strip()
        if len(value) > 7:
            raise ValidationError(_("Give a month as YYYY-MM, e.g. 2026-01."))
        return _month(value) if value else None


def age_band_choices() -> list[tuple[str, str]]:
    return [(label, label) for _low, _high, label in AGE_BANDS]


class DashboardFilterForm(forms.Form):
    start = MonthField(label=_("From (month)"), required=False)
    end = MonthField(label=_("To (month)"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False)
    age_band = forms.ChoiceField(label=_("Age band"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(self, *args: Any, organisations: list[tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        everyone = [("", _("All"))]
        self.fields["country"].choices = everyone + country_choices()
        self.fields["sex"].choices = everyone + list(Sex.choices)
        self.fields["age_band"].choices = everyone + age_band_choices()
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = everyone + organisations

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The period starts after it ends: swap the two months."))
        return data

    def filters(self, organisation_ids: dict[str, int] | None = None) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        org = data.get("organisation") or ""
        return Filters(
            start=data.get("start"),
            end=data.get("end"),
            country=data.get("country") or "",
            sex=data.get("sex") or "",
            age_band=data.get("age_band") or "",
            organisation_id=(organisation_ids or {}).get(org),
        )


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Population table (CSV)"),
        help_text=_(
            "Columns: country, year, sex, age_band, population (and optionally source). Leave "
            "sex or age_band empty for all sexes or all ages."
        ),
    )
