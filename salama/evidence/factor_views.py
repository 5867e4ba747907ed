"""The factor-analysis page: odds ratios of factors against a form of exploitation, for all cases
and by UN M49 sub-region (or region), with a forest plot and the table behind it. Only 2×2 tables
whose four cells reach k are shown; the reads are shared with the API (factor_queries)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.policy import principal_for
from salama.evidence import factor_queries, factors


class FactorForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Form of exploitation"),
        choices=[
            ("isSexualExploitation", gettext_lazy("Sexual exploitation")),
            ("isForcedLabour", gettext_lazy("Forced labour")),
        ],
        required=False,
    )


@login_required
def factor_analysis(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    form = FactorForm(request.GET or None)
    outcome = (
        form.cleaned_data.get("outcome") if form.is_valid() else ""
    ) or factor_queries.OUTCOME_DEFAULT
    found = factor_queries.factor_analysis(principal, outcome)
    # xgettext:no-python-format
    title = _("Odds ratios with 95% confidence intervals")
    svg = factors.forest_plot(found.results, found.labels, title)
    return render(
        request,
        "evidence/release/factors.html",
        {
            "form": form,
            "k": found.k,
            "rows": found.rows,
            "withheld": found.withheld_rows,
            "skipped": len(found.withheld),
            "plot": mark_safe(svg),  # noqa: S308 - pygal output, every text escaped, stripped
            "cases": found.cases,
        },
    )
