"""Forms of the return section on the case page, and the receiver's reception form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.core.countries import country_choices
from salama.referrals.choices import PacketField
from salama.returns import rules
from salama.returns.choices import (
    ActionKind,
    CancelReason,
    Dimension,
    DocumentType,
    Fitness,
    JourneyStatus,
    Level,
    NoShowReason,
    RiskLevel,
)

DATE = forms.DateInput(attrs={"type": "date"})
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class OpenJourneyForm(forms.Form):
    kind = "open"
    country = forms.ChoiceField(
        label=_("Country of return"),
        choices=lambda: _blank(country_choices()),
        help_text=_("The country the person returns to, usually their country of origin."),
    )


class StepForm(forms.Form):
    """One declared step; its fields are those the rules table names for that step."""

    kind = "step"
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"step-{step}", **kwargs)
        self.step = step
        needs = rules.TRANSITIONS[step].needs
        f = self.fields
        if step == rules.ADD_LEG:
            f["on"].label = _("Travel date")
        if "notes" in needs or step in (rules.ASSESS_HEALTH, rules.NO_SHOW_STEP, rules.CANCEL):
            f["notes"] = forms.CharField(
                label=_("Notes") if step != rules.COUNSEL else _("What was discussed"),
                widget=TEXTAREA,
                required="notes" in needs,
                max_length=4000,
            )
        if "risk_level" in needs:
            f["risk_level"] = forms.ChoiceField(
                label=_("Risk on return"), choices=_blank(RiskLevel.choices)
            )
            f["reasons"] = forms.CharField(label=_("Reasons"), widget=TEXTAREA, max_length=4000)
        if "fitness" in needs:
            f["fitness"] = forms.ChoiceField(
                label=_("Fitness to travel"), choices=_blank(Fitness.choices)
            )
        if "document_type" in needs:
            f["document_type"] = forms.ChoiceField(
                label=_("Travel document"), choices=_blank(DocumentType.choices)
            )
            f["consulate"] = forms.CharField(label=_("Consulate or embassy"), max_length=200)
        if "document_number" in needs:
            f["document_number"] = forms.CharField(label=_("Document number"), max_length=64)
        if "from_place" in needs:
            f["from_place"] = forms.CharField(label=_("From"), max_length=200)
            f["to_place"] = forms.CharField(label=_("To"), max_length=200)
            f["carrier"] = forms.CharField(label=_("Carrier"), max_length=200, required=False)
            f["escort"] = forms.BooleanField(label=_("Escorted"), required=False)
            f["transit_assistance"] = forms.BooleanField(
                label=_("Transit assistance"), required=False
            )
            f["medical_needs"] = forms.CharField(
                label=_("Medical needs on the way"),
                widget=TEXTAREA,
                required=False,
                max_length=4000,
            )
        if "reason" in needs:
            reasons = NoShowReason.choices if step == rules.NO_SHOW_STEP else CancelReason.choices
            f["reason"] = forms.ChoiceField(label=_("Reason"), choices=_blank(reasons))
        # Notes last, after the codes they explain.
        if "notes" in f:
            f["notes"] = f.pop("notes")


class HandoverForm(forms.Form):
    kind = "handover"
    service = forms.ChoiceField(label=_("Reception service in the country of return"))
    purpose_note = forms.CharField(
        label=_("What you ask them to do"), widget=TEXTAREA, max_length=2000
    )
    packet_fields = forms.MultipleChoiceField(
        label=_("Also share"),
        choices=[
            (k, v)
            for k, v in PacketField.choices
            if k in ("name", "sex", "languages", "contacts.phone", "case_summary")
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The journey's summary (itinerary, arrival, medical needs on the way, the "
            "reintegration plan) is always shared."
        ),
    )

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, prefix="handover", **kwargs)
        self.fields["service"].choices = _blank(services)


class ReintegrationActionForm(forms.Form):
    kind = "reintegration"
    dimension = forms.ChoiceField(label=_("Dimension"), choices=_blank(Dimension.choices))
    level = forms.ChoiceField(label=_("Level"), choices=_blank(Level.choices))
    action_kind = forms.ChoiceField(label=_("Support"), choices=_blank(ActionKind.choices))
    description = forms.CharField(label=_("Description"), widget=TEXTAREA, max_length=4000)
    unit_cost = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("Leave empty to use the fund's."),
    )
    fund = forms.ChoiceField(label=_("Fund"), required=False)
    alternatives_checked = forms.BooleanField(
        label=_("National and regional programmes were checked first"), required=False
    )

    def __init__(self, *args: Any, funds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, prefix="reint", **kwargs)
        self.fields["fund"].choices = _blank(funds)


class ReceptionForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    place = forms.CharField(label=_("Where"), max_length=200)


class JourneyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(JourneyStatus.choices)
    )
    country = forms.ChoiceField(
        label=_("Country of return"), required=False, choices=lambda: _blank(country_choices())
    )
