"""Charts drawn on the server as SVG with pygal, made fit for a strict Content-Security-Policy.

pygal writes a ``<style>`` and a ``<script>`` into every SVG (and a few ``style=`` attributes);
inline in a page the CSP would block them and report a violation. So each chart is rendered with
pygal's own options off (no XML declaration, no id prefix, no JavaScript), and what is left inline
is removed from the tree by ``salama.evidence.svg.csp_safe`` (the one sanitiser, shared with the
forest plot): the look comes from classes pygal sets (``.bar``, ``.axis``, ``.color-0``) styled
in ``static/salama/css/evidence.css``. No JavaScript is needed to read a chart; the table under
it holds the same figures.
"""

from __future__ import annotations

import pygal
from django.utils.safestring import SafeString, mark_safe

from salama.evidence.figures import Table
from salama.evidence.svg import csp_safe

CSS_CLASS = "pygal-chart evidence-chart"
_CONFIG = {
    "disable_xml_declaration": True,
    "no_prefix": True,
    "js": [],
    "css": [],
    "width": 640,
    "explicit_size": False,
    "print_values": False,
    "truncate_label": 40,
    "show_y_guides": True,
    "margin": 10,
}


def render(table: Table) -> SafeString:
    """The table's chart as inline SVG (empty when there is nothing to draw)."""
    if table.empty:
        return mark_safe("")
    labels = [label for label, _values in table.rows]
    kind = {"hbar": pygal.HorizontalBar, "bar": pygal.Bar, "line": pygal.Line}[table.chart]
    height = max(220, 36 * len(labels) + 80) if table.chart == "hbar" else 320
    series = len(table.chart_columns)
    chart = kind(height=height, show_legend=series > 1, legend_at_bottom=True, **_CONFIG)
    chart.title = None
    chart.x_labels = labels
    if table.chart == "bar":
        chart.x_label_rotation = 30 if len(labels) > 6 else 0
    for column in table.chart_columns:
        values = []
        for _label, figures in table.rows:
            value = figures[column].n
            values.append(float(value) if value is not None else None)
        chart.add(table.headers[column + 1], values)
    # Every text in the tree is escaped when it is serialised.
    svg = csp_safe(chart.render(is_unicode=True), title=table.title, css_class=CSS_CLASS)
    return mark_safe(svg)  # noqa: S308
