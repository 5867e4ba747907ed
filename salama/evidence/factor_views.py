"""The factor-analysis page: odds ratios of factors against a form of exploitation, by region,
with a forest plot and the table behind it. Only 2×2 tables whose four cells reach k are shown."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.policy import principal_for, require_perm
from salama.core.roles import Perm
from salama.evidence import factors
from salama.evidence.release_data import factor_rows
from salama.evidence.release_services import min_k
from salama.screening.labels import FACTOR_LABELS, INDICATOR_LABELS


class FactorForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Form of exploitation"),
        choices=[
            ("isSexualExploitation", gettext_lazy("Sexual exploitation")),
            ("isForcedLabour", gettext_lazy("Forced labour")),
        ],
        required=False,
    )


def _labels() -> dict[str, str]:
    labels = {f"ilo:{code}": str(text) for code, text in INDICATOR_LABELS.items()}
    labels.update({f"domv:{code}": str(text) for code, text in FACTOR_LABELS.items()})
    return labels


@login_required
def factor_analysis(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.RELEASE_REQUEST)
    form = FactorForm(request.GET or None)
    outcome = (form.cleaned_data.get("outcome") if form.is_valid() else "") or OUTCOME_DEFAULT
    rows = factor_rows(principal.organisation.pk)
    k = min_k()
    columns = [c for c in rows.columns if c.startswith(("ilo:", "domv:"))] if len(rows) else []
    results, skipped = factors.odds_ratios(rows, columns, outcome, k) if columns else ([], 0)
    labels = _labels()
    # xgettext:no-python-format
    title = _("Odds ratios with 95% confidence intervals")
    svg = factors.forest_plot(results, labels, title)
    return render(
        request,
        "evidence/release/factors.html",
        {
            "form": form,
            "k": k,
            "rows": factors.summary_rows(results, labels),
            "skipped": skipped,
            "plot": mark_safe(svg),  # noqa: S308 - pygal output, every text escaped, stripped
            "cases": len(rows),
        },
    )


OUTCOME_DEFAULT = "isSexualExploitation"
