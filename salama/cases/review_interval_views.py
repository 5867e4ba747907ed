"""The organisation's risk review intervals: how many days after an assessment at each level
its review falls due (org.manage_settings). Rules: docs/domain.md#risk-and-safety."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases import safety
from salama.cases.safety_models import DEFAULT_REVIEW_DAYS, RiskLevel
from salama.core import home
from salama.core.policy import principal_for, require_perm
from salama.core.roles import Perm


class ReviewIntervalForm(forms.Form):
    """One number of days per risk level, high first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in RiskLevel:
            self.fields[level.value] = forms.IntegerField(
                label=level.label,
                min_value=1,
                max_value=safety.MAX_REVIEW_DAYS,
                help_text=gettext_lazy("Salama's default: %(days)s days.")
                % {"days": DEFAULT_REVIEW_DAYS[level]},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )


@login_required
def review_intervals(request: HttpRequest) -> HttpResponse:
    """Show the organisation's interval for each risk level, and change them."""
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_SETTINGS)
    organisation = principal.organisation
    assert organisation is not None
    current = {level.value: safety.review_days(organisation, level) for level in RiskLevel}
    form = ReviewIntervalForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            for level in RiskLevel:
                days = form.cleaned_data[level.value]
                if days != current[level.value]:
                    safety.set_review_interval(
                        actor=principal,
                        organisation=organisation,
                        level=level.value,
                        days=days,
                        request=request,
                    )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The review intervals were saved."))
            return redirect("cases:review-intervals")
    rows = [
        {"level": level, "days": current[level.value], "default": DEFAULT_REVIEW_DAYS[level]}
        for level in RiskLevel
    ]
    return render(
        request,
        "cases/review_intervals.html",
        {"form": form, "rows": rows, "organisation": organisation},
        status=400 if form.errors else 200,
    )


def register_review_interval_panel() -> None:
    """The org admin's home page links here (salama.core.home)."""
    home.register_panel(
        "cases.review_intervals",
        perm=Perm.ORG_MANAGE_SETTINGS,
        reader=lambda principal: {},
        template="cases/panels/review_intervals.html",
        order=915,
    )
