"""Input shape only; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionOutcome,
    DecisionStep,
    Exploitation,
    Harm,
    Polarity,
    Presence,
    ReviewKind,
    ReviewOutcome,
    ReviewRequester,
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
    """One step's decision; the step comes from the page the form is on (a hidden field)."""

    step = forms.ChoiceField(choices=DecisionStep.choices, widget=forms.HiddenInput)
    decided_by_org_type = forms.ChoiceField(label=_("Competent authority (type of body)"))
    authority_name = forms.CharField(
        label=_("Competent authority"),
        max_length=200,
        help_text=_("The body that decided, e.g. “Single Competent Authority”."),
    )
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DATE)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, org_types: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("step", DecisionStep.REASONABLE_GROUNDS)
        super().__init__(*args, **kwargs)
        self.fields["decided_by_org_type"].choices = org_types


class ReferralForm(forms.Form):
    referred_on = forms.DateField(label=_("Referred on"), widget=DATE)
    authority_type = forms.ChoiceField(label=_("Competent authority (type of body)"))
    authority_name = forms.CharField(
        label=_("Competent authority"),
        max_length=200,
        help_text=_("The body the referral went to, e.g. “Single Competent Authority”."),
    )

    def __init__(self, *args: Any, org_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority_type"].choices = org_types


class ReconsiderationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewKind.choices)
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    requested_by = forms.ChoiceField(label=_("Requested by"), choices=ReviewRequester.choices)
    grounds = forms.CharField(
        label=_("Grounds"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


class ReconsiderationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ReviewOutcome.UPHELD, ReviewOutcome.UPHELD.label),
            (ReviewOutcome.OVERTURNED, ReviewOutcome.OVERTURNED.label),
        ],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


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
