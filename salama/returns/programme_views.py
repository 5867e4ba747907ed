"""The programme view (/returns/programme/): coverage and scores of the organisation's
reintegration monitoring, each chart with its data table; filters by period and country."""

from __future__ import annotations

from typing import Any

import pygal
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.countries import COUNTRIES
from salama.core.policy import request_principal
from salama.returns import monitoring_access as access
from salama.returns import programme, rss_questions, scoring
from salama.returns.monitoring_forms import DateInput
from salama.returns.monitoring_queries import chart_config, svg_data_uri


class ProgrammeFilter(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("Visits due from"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=DateInput())
    country = forms.ChoiceField(label=gettext_lazy("Country of return"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [
            ("", _("All countries")),
            *sorted(((k, str(v)) for k, v in COUNTRIES.items()), key=lambda c: c[1]),
        ]


def _count_axis(counts: list[int]) -> list[int]:
    """Whole-number ticks for a chart of counts (at most about six)."""
    top = max([1, *counts])
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def _coverage_chart(figures: dict[str, Any]) -> str:
    counts = [row["count"] for row in figures["coverage"]]
    chart = pygal.HorizontalBar(
        **chart_config(title=_("Monitoring visits"), show_legend=False, truncate_label=-1)
    )
    chart.x_labels = [row["label"] for row in figures["coverage"]]
    chart.y_labels = _count_axis(counts)
    chart.add(_("Visits"), counts)
    return svg_data_uri(chart)


def _distribution_chart(figures: dict[str, Any]) -> str:
    counts = [n for key in programme.SCORE_KEYS for n in figures["distribution"][key]]
    chart = pygal.Bar(**chart_config(title=_("Scores of done visits, by band"), truncate_label=-1))
    chart.x_labels = figures["bands"]
    chart.y_labels = _count_axis(counts)
    for key in programme.SCORE_KEYS:
        chart.add(str(rss_questions.DIMENSIONS[key]), figures["distribution"][key])
    return svg_data_uri(chart)


def _means_chart(rows: list[dict[str, Any]], title: str) -> str | None:
    if not rows:
        return None
    chart = pygal.HorizontalBar(
        **chart_config(
            title=title, range=(0, 1), show_legend=False, height=max(240, 60 * len(rows))
        )
    )
    chart.x_labels = [row["label"] for row in rows]
    chart.add(_("Mean composite score"), [row["mean"] for row in rows])
    return svg_data_uri(chart)


@login_required
def programme_view(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not access.can_view_programme(principal):
        raise Http404("Not found")
    form = ProgrammeFilter(request.GET or None)
    filters: dict[str, Any] = {"date_from": None, "date_to": None, "country": ""}
    if form.is_bound and form.is_valid():
        filters = {k: form.cleaned_data.get(k) or filters[k] for k in filters}
    figures = programme.programme_figures(principal, **filters)
    distribution_rows = [
        {
            "band": band,
            "counts": [figures["distribution"][key][i] for key in programme.SCORE_KEYS],
        }
        for i, band in enumerate(figures["bands"])
    ]
    return render(
        request,
        "returns/monitoring/programme.html",
        {
            "form": form,
            "figures": figures,
            "score_labels": [str(rss_questions.DIMENSIONS[k]) for k in programme.SCORE_KEYS],
            "means": [
                (str(rss_questions.DIMENSIONS[k]), figures["means"][k])
                for k in programme.SCORE_KEYS
            ],
            "distribution_rows": distribution_rows,
            "coverage_chart": _coverage_chart(figures),
            "distribution_chart": _distribution_chart(figures),
            "country_chart": _means_chart(
                figures["by_country"], _("Mean composite score by country of return")
            ),
            "assistance_chart": _means_chart(
                figures["by_assistance"], _("Mean composite score by kind of assistance")
            ),
            "provisional": scoring.load_table().provisional,
            "can_manage": access.can_manage_programme(principal),
        },
    )
