"""Forms of reintegration monitoring: the RSS questionnaire (one radio group per question, each
optional: the scoring states what a missing answer does), lost contact, cancel, schedule, and
the programme settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.core.countries import COUNTRIES
from salama.returns import rss_questions, scoring
from salama.returns.monitoring_models import AttemptChannel, CancelReason, VisitPlace

ATTEMPT_ROWS = 3


class DateInput(forms.DateInput):
    input_type = "date"


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    place = forms.ChoiceField(
        label=_("Where"), choices=[("", "—"), *VisitPlace.choices], required=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, table: scoring.WeightTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        for q in table.questions:
            self.fields[f"q_{q.code}"] = forms.ChoiceField(
                label=rss_questions.label(rss_questions.QUESTIONS, q.code),
                choices=[(a, rss_questions.label(rss_questions.ANSWERS, a)) for a in q.answers],
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value
        }

    def groups(self) -> list[dict[str, Any]]:
        """The questions as fieldsets: dimension, then indicator, each with its bound fields."""
        shown = []
        for dimension in rss_questions.questionnaire(self.table):
            shown.append(
                {
                    "code": dimension["code"],
                    "label": dimension["label"],
                    "indicators": [
                        {
                            "label": indicator["label"],
                            "fields": [self[f"q_{q['code']}"] for q in indicator["questions"]],
                        }
                        for indicator in dimension["indicators"]
                    ],
                }
            )
        return shown


class LostContactForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ATTEMPT_ROWS + 1):
            self.fields[f"on_{n}"] = forms.DateField(
                label=_("Attempt %(n)d: date") % {"n": n}, widget=DateInput(), required=n == 1
            )
            self.fields[f"channel_{n}"] = forms.ChoiceField(
                label=_("Attempt %(n)d: how") % {"n": n},
                choices=[("", "—"), *AttemptChannel.choices],
                required=n == 1,
            )

    def attempts(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(1, ATTEMPT_ROWS + 1):
            on, channel = self.cleaned_data.get(f"on_{n}"), self.cleaned_data.get(f"channel_{n}")
            if on or channel:
                rows.append({"on": on, "channel": channel})
        return rows


class CancelForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=[("", "—"), *CancelReason.choices])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ScheduleForm(forms.Form):
    arrived_on = forms.DateField(label=_("Arrived in the country of return on"), widget=DateInput())
    country = forms.ChoiceField(
        label=_("Country of return"),
        choices=[("", "—"), *sorted(COUNTRIES.items(), key=lambda c: str(c[1]))],
        required=False,
    )


class ProgrammeForm(forms.Form):
    visit_months = forms.CharField(
        label=_("Visits, in months after arrival"),
        max_length=60,
        help_text=_("Separate the months with commas, such as 3, 6, 12."),
    )
    threshold = forms.DecimalField(
        label=_("Follow-up threshold"),
        min_value=0,
        max_value=1,
        decimal_places=2,
        max_digits=3,
        help_text=_(
            "A dimension or composite score below this (0 to 1) adds a follow-up task on the case."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
