"""Input shape only; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionOutcome,
    Exploitation,
    Harm,
    Polarity,
    Presence,
)

DATE = forms.DateInput(attrs={"type": "date"})


class StartScreeningForm(forms.Form):
    exploitation = forms.ChoiceField(label=_("Form of exploitation"), choices=Exploitation.choices)
    age_at_recruitment = forms.IntegerField(
        label=_("Age at recruitment"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("Under 18 selects the child indicator list. Leave empty if unknown."),
    )
    act_recorded = forms.BooleanField(
        label=_("An act of recruitment, transport, transfer, harbouring or receipt is recorded"),
        required=False,
    )


class AnswerForm(forms.Form):
    indicator = forms.CharField(max_length=80)
    value = forms.ChoiceField(choices=AnswerValue.choices)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "—"), *AnswerSource.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DecisionForm(forms.Form):
    decided_by_org_type = forms.ChoiceField(label=_("Decided by (type of body)"))
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, org_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_by_org_type"].choices = org_types


class FactorForm(forms.Form):
    factor = forms.CharField(max_length=64)
    polarity = forms.ChoiceField(choices=Polarity.choices, required=False)
    present = forms.ChoiceField(choices=Presence.choices)
    harms = forms.MultipleChoiceField(choices=Harm.choices, required=False)
    evidence = forms.CharField(max_length=4000, required=False)
    observed_on = forms.DateField(required=False)


class EventForm(forms.Form):
    factor = forms.ChoiceField(label=_("Factor it changes"))
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, factors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factor"].choices = factors


class PlanForm(forms.Form):
    responses = forms.MultipleChoiceField(choices=[], required=False)

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responses"].choices = [(c, c) for c in codes]
