"""Reads of reintegration monitoring shared by the pages and the API, and the score-trend chart.

Charts are pygal SVG rendered on the server and shown as ``<img src="data:image/svg+xml;...">``:
an SVG loaded as an image runs no script and its own ``<style>`` stays inside it, so the page's
strict CSP (no inline style or script; ``img-src 'self' data:``) holds. Each chart has its data
table next to it for screen readers and for reading exact values.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from salama.core.countries import COUNTRIES
from salama.core.policy import Principal
from salama.returns import monitoring_access as access
from salama.returns import rss_questions, scoring
from salama.returns.monitoring import programme_for
from salama.returns.monitoring_models import (
    AttemptChannel,
    CancelReason,
    MonitoringSchedule,
    MonitoringVisit,
    VisitPlace,
    VisitStatus,
)

SCORE_KEYS = ("economic", "social", "psychosocial", "composite")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)

CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#0b6e4f", "#1f5fa8", "#a8431f", "#3d3d3d"),
    font_family="system-ui, sans-serif",
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=16,
    value_font_size=14,
    title_font_size=19,
)


def svg_data_uri(chart: Any) -> str:
    """The chart as a data: URI, with pygal's (unused) script elements removed."""
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def chart_config(**extra: Any) -> dict[str, Any]:
    return {
        "style": CHART_STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "width": 520,
        "height": 360,
        "margin": 16,
        "show_y_guides": True,
        "truncate_legend": -1,
        **extra,
    }


def score_label(key: str) -> str:
    return str(rss_questions.DIMENSIONS[key])


def visit_month_label(month: int) -> str:
    return _("Month %(n)d") % {"n": month}


def _attempts_shown(visit: MonitoringVisit) -> list[dict[str, Any]]:
    channels = dict(AttemptChannel.choices)
    return [
        {"on": a.get("on", ""), "channel": channels.get(a.get("channel", ""), _("Other"))}
        for a in (visit.attempts or [])
    ]


def visit_row(visit: MonitoringVisit, *, can_record: bool) -> dict[str, Any]:
    open_ = visit.status in (VisitStatus.SCHEDULED, VisitStatus.LOST_CONTACT)
    return {
        "visit": visit,
        "id": visit.id,
        "month": visit.month,
        "month_label": visit_month_label(visit.month),
        "due_on": visit.due_on,
        "status": visit.status,
        "status_label": VisitStatus(visit.status).label,
        "visited_on": visit.visited_on,
        "place_label": dict(VisitPlace.choices).get(visit.place, ""),
        "scores": [(score_label(k), getattr(visit, k)) for k in SCORE_KEYS],
        "below": [score_label(k) for k in visit.below_threshold or []],
        "weight_version": visit.weight_version,
        "attempts": _attempts_shown(visit),
        "cancel_reason": dict(CancelReason.choices).get(visit.cancel_reason, ""),
        "can_record": can_record and open_,
    }


def done_visits(visits: Iterable[MonitoringVisit]) -> list[MonitoringVisit]:
    return [v for v in visits if v.status == VisitStatus.DONE]


def trend_chart(visits: Sequence[MonitoringVisit]) -> str | None:
    """The scores of the done visits over time (one line per dimension and the composite)."""
    done = done_visits(visits)
    if not done:
        return None
    chart = pygal.Line(
        **chart_config(
            title=_("Reintegration scores by visit"),
            range=(0, 1),
            min_scale=4,
            max_scale=5,
            dots_size=5,
            stroke_style={"width": 3},
            value_formatter=lambda v: f"{v:.2f}" if v is not None else "",
        )
    )
    chart.x_labels = [visit_month_label(v.month) for v in done]
    for key in SCORE_KEYS:
        chart.add(score_label(key), [getattr(v, key) for v in done])
    return svg_data_uri(chart)


def schedule_block(principal: Principal | None, schedule: MonitoringSchedule) -> dict[str, Any]:
    """One schedule as the pages show it: its visits, the chart and who may record."""
    can_record = access.can_record(principal, schedule)
    visits = list(schedule.visits.order_by("month"))
    programme = programme_for(schedule.monitoring_organisation)
    return {
        "schedule": schedule,
        "arrived_on": schedule.arrived_on,
        "country": schedule.country,
        "country_name": str(COUNTRIES.get(schedule.country, "")) if schedule.country else "",
        "received": schedule.reception_referral_id is not None,
        "monitor_name": schedule.monitoring_organisation.name,
        "threshold": programme.threshold,
        "rows": [visit_row(v, can_record=can_record) for v in visits],
        "chart": trend_chart(visits),
        "can_record": can_record,
        "weights_provisional": scoring.load_table().provisional,
    }


def case_schedules(principal: Principal | None, case: Any) -> list[dict[str, Any]]:
    schedules = (
        access.visible_schedules(principal)
        .filter(case=case)
        .select_related("monitoring_organisation")
        .order_by("-arrived_on")
    )
    return [schedule_block(principal, s) for s in schedules]


def reception_schedules(principal: Principal | None, referral: Any) -> list[dict[str, Any]]:
    schedules = (
        access.schedules_received(principal)
        .filter(reception_referral=referral)
        .select_related("monitoring_organisation")
        .order_by("-arrived_on")
    )
    return [schedule_block(principal, s) for s in schedules]


def answers_shown(visit: MonitoringVisit) -> list[dict[str, Any]]:
    """A done visit's answers in words, grouped as the questionnaire of its weight version."""
    table = scoring.load_table(visit.weight_version or None)
    given = visit.answers or {}
    shown = []
    for dimension in rss_questions.questionnaire(table):
        rows = []
        for indicator in dimension["indicators"]:
            for q in indicator["questions"]:
                answer = given.get(q["code"])
                rows.append(
                    {
                        "question": q["label"],
                        "answer": rss_questions.label(rss_questions.ANSWERS, answer)
                        if answer
                        else "—",
                    }
                )
        shown.append({"label": dimension["label"], "rows": rows})
    return shown
