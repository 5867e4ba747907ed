"""One sanitiser for the SVG that pygal draws, so that it can sit inline under the strict
Content-Security-Policy (no inline style or script).

pygal writes a ``<style>`` and a ``<script>`` into every SVG, a few ``style=`` attributes, a
tooltip layer that needs JavaScript, and comments. ``csp_safe`` removes them all from the parsed
tree and labels the chart for assistive technology (``role="img"``, ``aria-label`` and the
``<title>`` set to the chart's title). The look then comes from the classes pygal sets
(``.bar``, ``.axis``, ``.color-0``) styled in ``static/salama/css/evidence.css``; with
``paint=True`` the few colours a chart needs are written as presentation attributes instead
(``fill``, ``stroke``), which the CSP allows, for a chart shown on a page without that sheet.
Every text in the tree is escaped again when it is serialised.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

BLOCKED_ELEMENTS = frozenset({"style", "script"})
INK = "#222222"
LINE = "#1d4f7a"
GUIDE = "#c8c8c8"


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _paint(element: ET.Element) -> None:
    tag = _tag(element)
    classes = (element.get("class") or "").split()
    if tag == "path" and "line" in classes and not ({"guide", "axis", "major"} & set(classes)):
        element.set("fill", "none")
        element.set("stroke", LINE)
        element.set("stroke-width", "2")
    elif tag == "path" and ({"guide", "axis", "major"} & set(classes)):
        element.set("fill", "none")
        element.set("stroke", GUIDE)
        element.set("stroke-width", "1")
    elif tag == "circle":
        element.set("fill", LINE)
    elif tag == "rect" and "background" in classes:
        element.set("fill", "#ffffff")
    elif tag == "text":
        element.set("fill", INK)
        element.set("font-size", "12")
    elif tag == "g" and "axis" in classes:
        # pygal's own sheet anchors the axis labels: the y labels end at the axis.
        element.set("text-anchor", "end" if "y" in classes else "middle")


def csp_safe(svg: str, *, title: str, css_class: str, paint: bool = False) -> str:
    """pygal's ``svg`` with nothing the CSP would block, labelled ``title``, of class
    ``css_class``; with ``paint`` its colours as presentation attributes."""
    root = ET.fromstring(svg)  # noqa: S314 - pygal's own output, not input from anyone
    root.attrib.pop("id", None)
    root.set("class", css_class)
    root.set("role", "img")
    root.set("aria-label", title)
    for child in root:
        if _tag(child) == "title":
            child.text = title
    for parent in root.iter():
        for child in list(parent):
            # Inline style and script, and pygal's hover tooltip layer (it needs JS); the
            # bars themselves are marked "tooltip-trigger" and stay.
            classes = (child.get("class") or "").split()
            if _tag(child) in BLOCKED_ELEMENTS or "tooltip-overlay" in classes:
                parent.remove(child)
        parent.attrib.pop("style", None)
        if paint:
            _paint(parent)
    if paint:
        # pygal lays a chart out left to right; in a right-to-left page the labels' anchors
        # would flip (the stylesheet says the same for the classed charts).
        root.set("direction", "ltr")
    # The prefix map is process-wide and other libraries change it (pyxform registers the XForms
    # namespaces when a form is converted): set SVG's as the default right before writing.
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    text = ET.tostring(root, encoding="unicode")
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)
