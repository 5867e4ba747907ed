"""Forms for assistance and funds: they check the shape of the input; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.accounts.models import Organisation
from salama.assistance import rules
from salama.assistance.choices import FundKind
from salama.assistance.models import Fund
from salama.assistance.queries import usable_funds
from salama.cases.plan_links import plan_item_field
from salama.core.taxonomy import ServiceType


def currency_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} — {name}") for code, name in rules.CURRENCIES.items()]


class FundChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.currency}, {obj.get_kind_display()})"


class ItemRequestForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices)
    description = forms.CharField(
        label=_("What is needed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=10, decimal_places=2, initial=1
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), min_value=0, max_digits=14, decimal_places=2
    )
    fund = FundChoiceField(
        queryset=Fund.objects.none(),
        label=_("Fund"),
        required=False,
        to_field_name="uuid",
        empty_label=_("No fund (in kind or paid by others)"),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        help_text=_("Leave empty to use the fund's currency."),
    )
    service_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    provider_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label=_("Provider (organisation)"),
        required=False,
        to_field_name="uuid",
    )
    provider_name = forms.CharField(
        label=_("Provider (external, not in Salama)"), max_length=200, required=False
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    alternatives_checked = forms.TypedChoiceField(
        label=_("National and regional alternatives checked?"),
        choices=[("", _("Not answered")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text=_("Needed before a fund of last resort is used."),
    )
    alternatives_note = forms.CharField(
        label=_("Which programmes were checked"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan_item = plan_item_field()

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("service_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = usable_funds(organisation)  # type: ignore[attr-defined]
        self.fields["currency"].choices = [  # type: ignore[attr-defined]
            ("", _("The fund's currency")),
            *currency_choices(),
        ]


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=FundKind.choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)
    approval_threshold = forms.DecimalField(
        label=_("Approval threshold"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Above this amount a second person must approve; never the requester."),
    )


class FundSettingsForm(forms.Form):
    approval_threshold = forms.DecimalField(
        label=_("Approval threshold"), min_value=0, max_digits=14, decimal_places=2
    )
    is_active = forms.BooleanField(label=_("Active (items may draw on it)"), required=False)


class DepositForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(
        label=_("Note (donor, tranche — never about a person)"), max_length=200, required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class DisburseForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount paid"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty when the approved amount was paid."),
    )
