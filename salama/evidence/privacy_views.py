"""Pages for differentially private tables: the ε ledger, the request form, and a table."""

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

from salama.core.policy import principal_for
from salama.evidence import privacy_queries as queries
from salama.evidence import privacy_services as services
from salama.evidence import release as anon

MEASURES = [
    ("count", gettext_lazy("Number of cases")),
    ("duration_months", gettext_lazy("Total months of exploitation (each case capped at 120)")),
]
DIMENSIONS = queries.DIMENSIONS


class DpTableForm(forms.Form):
    dimensions = forms.MultipleChoiceField(
        label=gettext_lazy("Count by"),
        choices=[(name, name) for name in DIMENSIONS],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("One to three columns; at most 5,000 cells."),
    )
    measure = forms.ChoiceField(label=gettext_lazy("What to publish"), choices=MEASURES)
    epsilon = forms.FloatField(
        label=gettext_lazy("Privacy loss ε"),
        min_value=0.01,
        max_value=services.MAX_EPSILON,
        initial=0.5,
        help_text=gettext_lazy("Smaller ε: more privacy, more noise. It is spent for good."),
    )

    def clean_dimensions(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["dimensions"]
        if len(chosen) > 3:
            raise ValidationError(_("Choose at most three columns."))
        return chosen


@login_required
def dp_tables(request: HttpRequest) -> HttpResponse:
    principal = queries.dp_principal(principal_for(request))
    form = DpTableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.publish_dp_table(actor=principal, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The table was published and its ε recorded."))
            return redirect("evidence:dp-table", entry_id=entry.pk)
    entries = queries.visible_dp_tables(principal)
    return render(
        request,
        "evidence/release/dp_tables.html",
        {"form": form, "entries": entries, "ledger": queries.ledger(principal.organisation)},
        status=400 if form.errors else 200,
    )


@login_required
def dp_table(request: HttpRequest, entry_id: Any) -> HttpResponse:
    entry = queries.access_dp_table(principal_for(request), entry_id)
    result = entry.result
    shown = queries.cells_above_bound(result)
    return render(
        request,
        "evidence/release/dp_table.html",
        {
            "entry": entry,
            "result": result,
            "cells": shown,
            "hidden": len(result["cells"]) - len(shown),
            "missing": anon.MISSING,
        },
    )
