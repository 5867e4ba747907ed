"""Forms of the tracing pages; the services validate again and name each field to fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.people.choices import Sex
from salama.tracing.choices import CloseReason, Relationship, ReunificationStep

_AUTO = {"dir": "auto", "autocomplete": "off"}


class RequestForm(forms.Form):
    sought_given_name = forms.CharField(
        label=_("Given name of the person sought"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_AUTO),
        help_text=_("In any script, as the seeker says it."),
    )
    sought_family_name = forms.CharField(
        label=_("Family name of the person sought"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_AUTO),
    )
    sought_other_names = forms.CharField(
        label=_("Other names and spellings"),
        required=False,
        max_length=2100,
        widget=forms.Textarea(attrs={**_AUTO, "rows": 3}),
        help_text=_("One a line: another spelling, the name in another script, a nickname."),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the seeker"), choices=Relationship.choices
    )
    sought_sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    sought_age = forms.IntegerField(
        label=_("Approximate age now"), required=False, min_value=0, max_value=120
    )
    sought_birth_year = forms.IntegerField(
        label=_("Year of birth, if known"), required=False, min_value=1900, max_value=2100
    )
    separation_place = forms.CharField(
        label=_("Place of separation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_AUTO),
    )
    separation_year = forms.IntegerField(
        label=_("Year of separation"), required=False, min_value=1900, max_value=2100
    )
    separation_month = forms.IntegerField(
        label=_("Month of separation (1–12), if known"), required=False, min_value=1, max_value=12
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["sought_other_names"] = [
            line.strip() for line in data["sought_other_names"].splitlines() if line.strip()
        ]
        return data


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why is the request closed?"), choices=CloseReason.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=ReunificationStep.choices)
    happened_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
