"""The case page's risk, safety plan and contact forms (salama.cases.safety_views)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.cases import safety
from salama.cases.safety_models import ContactMode, ContactWith, PlanReview, Risk, RiskLevel

_LONG = {"rows": 3}


class RiskAssessmentForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Risk level"), choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    risks = forms.MultipleChoiceField(
        label=_("Risks considered"),
        choices=Risk.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick each risk you found; the notes say why."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=safety.NOTES_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
    )


class _PlanFields(forms.Form):
    safe_contacts = forms.CharField(
        label=_("Safe contacts"),
        required=False,
        max_length=safety.PLAN_FIELD_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
        help_text=_("Who the person can call or go to when in danger, and how."),
    )
    safe_places = forms.CharField(
        label=_("Safe places"),
        required=False,
        max_length=safety.PLAN_FIELD_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
        help_text=_("Where the person can go: a shelter, a friend, a police station."),
    )
    warning_signs = forms.CharField(
        label=_("Warning signs"),
        required=False,
        max_length=safety.PLAN_FIELD_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
        help_text=_("What would show the danger is near: a call, a car, a visitor."),
    )
    actions = forms.CharField(
        label=_("Actions agreed"),
        required=False,
        max_length=safety.PLAN_ACTIONS_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
        help_text=_("What the person and the team will do if a warning sign appears."),
    )

    def plan_input(self) -> safety.SafetyPlanInput:
        data = self.cleaned_data
        return safety.SafetyPlanInput(**{name: data[name] for name in PLAN_FIELDS})


PLAN_FIELDS = ("safe_contacts", "safe_places", "warning_signs", "actions")


class SafetyPlanForm(_PlanFields):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ContactForm(_PlanFields):
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    mode = forms.ChoiceField(label=_("How"), choices=ContactMode.choices)
    with_whom = forms.ChoiceField(label=_("With whom"), choices=ContactWith.choices)
    place = forms.CharField(label=_("Where"), required=False, max_length=safety.PLACE_LENGTH)
    summary = forms.CharField(
        label=_("What was discussed"),
        required=False,
        max_length=safety.CONTACT_TEXT_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
    )
    agreed = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=safety.CONTACT_TEXT_LENGTH,
        widget=forms.Textarea(attrs=_LONG),
    )
    plan_review = forms.ChoiceField(
        label=_("Safety plan"),
        choices=PlanReview.choices,
        initial=PlanReview.NOT_REVIEWED,
        widget=forms.RadioSelect,
        help_text=_("Go over the safety plan at every contact: confirm it, or revise it below."),
    )
    follow_up = forms.CharField(
        label=_("Follow-up task"),
        required=False,
        max_length=safety.TASK_TITLE_LENGTH,
        help_text=_("Something agreed that someone must do: it becomes a task of the case."),
    )
    follow_up_due = forms.DateField(
        label=_("Follow-up due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    CONTACT_FIELDS = (
        "occurred_at",
        "mode",
        "with_whom",
        "place",
        "summary",
        "agreed",
        "plan_review",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "occurred_at" not in self.initial:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial["occurred_at"] = now

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONTACT_FIELDS]

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PLAN_FIELDS]

    def follow_up_fields(self) -> list[forms.BoundField]:
        return [self["follow_up"], self["follow_up_due"]]

    def to_input(self) -> safety.ContactInput:
        data = self.cleaned_data
        occurred: dt.datetime = data["occurred_at"]
        return safety.ContactInput(
            occurred_at=occurred,
            mode=data["mode"],
            with_whom=data["with_whom"],
            place=data["place"],
            summary=data["summary"],
            agreed=data["agreed"],
            plan_review=data["plan_review"],
            plan=self.plan_input() if data["plan_review"] == PlanReview.REVISED else None,
            follow_up=data["follow_up"],
            follow_up_due=data["follow_up_due"],
        )
