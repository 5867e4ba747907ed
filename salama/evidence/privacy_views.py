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

from salama.core.policy import get_or_404, principal_for, require_perm
from salama.core.roles import Perm
from salama.evidence import privacy_services as services
from salama.evidence import release as anon
from salama.evidence.release_models import PrivacyLedgerEntry

MEASURES = [
    ("count", gettext_lazy("Number of cases")),
    ("duration_months", gettext_lazy("Total months of exploitation (each case capped at 120)")),
]
DIMENSIONS = [
    "yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
    "CountryOfExploitation", "isForcedLabour", "isSexualExploitation", "isOtherExploit",
]  # fmt: skip


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


def _ledger(organisation: Any) -> dict[str, float]:
    used = services.spent(organisation)
    return {"budget": services.budget(), "spent": used, "left": max(services.budget() - used, 0)}


@login_required
def dp_tables(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.RELEASE_REQUEST)
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
    entries = PrivacyLedgerEntry.objects.filter(organisation=principal.organisation)
    return render(
        request,
        "evidence/release/dp_tables.html",
        {"form": form, "entries": entries, "ledger": _ledger(principal.organisation)},
        status=400 if form.errors else 200,
    )


@login_required
def dp_table(request: HttpRequest, entry_id: Any) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.RELEASE_REQUEST)
    entry = get_or_404(
        PrivacyLedgerEntry.objects.filter(organisation=principal.organisation), pk=entry_id
    )
    result = entry.result
    shown = [c for c in result["cells"] if c["value"] >= result["accuracy"]]
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
