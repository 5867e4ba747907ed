"""One sanitiser makes pygal's SVG fit the strict CSP, for the dashboard charts and the forest
plot alike."""

from __future__ import annotations

import pygal

from salama.evidence import charts, factors, svg

RAW = (
    '<svg xmlns="http://www.w3.org/2000/svg" id="chart-1" style="width:100%">'
    "<!-- drawn by pygal --><title>old</title>"
    "<defs><style>.x{fill:red}</style><script>alert(1)</script></defs>"
    '<g class="tooltip-overlay"><text>tip</text></g>'
    '<g class="axis y"><text>Debt</text></g>'
    '<g class="plot"><rect class="background" style="fill:blue"/>'
    '<path class="line reactive" d="M0 0"/><path class="guide line" d="M0 1"/>'
    "<circle/><text>label &amp; more</text></g></svg>"
)


def test_style_script_tooltips_comments_and_style_attributes_are_removed() -> None:
    out = svg.csp_safe(RAW, title="Cases", css_class="evidence-chart")
    for blocked in ("<style", "<script", "style=", "tooltip-overlay", "<!--", "alert(1)"):
        assert blocked not in out, blocked
    assert 'id="chart-1"' not in out
    assert "label &amp; more" in out


def test_the_chart_is_labelled_for_assistive_technology() -> None:
    out = svg.csp_safe(RAW, title="Cases by <stage>", css_class="evidence-chart")
    assert 'role="img"' in out and 'class="evidence-chart"' in out
    assert 'aria-label="Cases by &lt;stage&gt;"' in out
    assert "<title>Cases by &lt;stage&gt;</title>" in out


def test_paint_writes_colours_as_presentation_attributes_only_when_asked() -> None:
    plain = svg.csp_safe(RAW, title="t", css_class="c")
    painted = svg.csp_safe(RAW, title="t", css_class="c", paint=True)
    assert "stroke=" not in plain and 'fill="#ffffff"' not in plain
    assert f'stroke="{svg.LINE}"' in painted and f'stroke="{svg.GUIDE}"' in painted
    assert 'fill="#ffffff"' in painted and "style=" not in painted
    assert '<g class="axis y" text-anchor="end">' in painted and 'direction="ltr"' in painted


def test_a_real_pygal_chart_comes_out_clean() -> None:
    chart = pygal.Bar(disable_xml_declaration=True, no_prefix=True, js=[], css=[])
    chart.add("cases", [1, 3, 2])
    out = svg.csp_safe(chart.render(is_unicode=True), title="t", css_class="c")
    assert out.startswith("<svg") and "<style" not in out and "<script" not in out
    assert "style=" not in out


def test_the_dashboard_charts_and_the_forest_plot_share_the_one_sanitiser() -> None:
    assert charts.csp_safe is svg.csp_safe
    assert factors.csp_safe is svg.csp_safe
    assert not hasattr(charts, "_strip") and not hasattr(factors, "_safe_svg")


def test_the_chart_stays_plain_svg_after_another_library_claims_the_default_namespace() -> None:
    """pyxform registers the XForms namespace as the default prefix when it converts a form; a
    chart drawn afterwards in the same process must still come out as `<svg …>`, not `ns0:svg`."""
    import xml.etree.ElementTree as ET

    from salama.evidence.svg import csp_safe

    ET.register_namespace("", "http://www.w3.org/2002/xforms")
    try:
        out = csp_safe(
            '<svg xmlns="http://www.w3.org/2000/svg"><g /></svg>', title="t", css_class="c"
        )
    finally:
        ET.register_namespace("", "http://www.w3.org/2000/svg")
    assert out.startswith("<svg") and "ns0:" not in out
