"""Forms for integrations: they check the shape of the input; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.core.events import EVENT_NAMES
from salama.integrations.choices import Scope


def event_choices() -> list[tuple[str, Any]]:
    return [(name, f"{name} — {description}") for name, description in sorted(EVENT_NAMES.items())]


class IntegrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    target_url = forms.CharField(
        label=_("Address (https)"),
        max_length=500,
        help_text=_("Salama posts each event here as signed JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"), widget=forms.CheckboxSelectMultiple
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the events may carry"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Without a scope an event carries only its name, time and record id. No scope "
            "carries names or anything written about a person."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices()


class IntegrationSettingsForm(IntegrationForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
