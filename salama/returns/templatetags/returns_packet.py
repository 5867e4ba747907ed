"""The journey's summary on a reception referral's packet page, and the receiver's form to
record the reception: `{% load returns_packet %}{% return_packet referral %}`.

Read from the packet only: the receiving organisation never sees the journey or the case.
"""

from __future__ import annotations

from typing import Any

from django import template

from salama.core.countries import COUNTRIES
from salama.returns import rules
from salama.returns.case_section import step_detail
from salama.returns.choices import Fitness, JourneyStatus
from salama.returns.forms import ReceptionForm
from salama.returns.packet import summary_of

register = template.Library()


@register.inclusion_tag("returns/_packet_return.html", takes_context=True)
def return_packet(context: Any, referral: Any) -> dict[str, Any]:
    summary = summary_of(referral)
    if summary is None:
        return {"summary": None}
    plan = [
        {**row, "words": step_detail({k: row[k] for k in ("dimension", "level", "kind")})}
        for row in summary.get("reintegration_plan", [])
    ]
    return {
        "summary": summary,
        "referral": referral,
        "plan": plan,
        "status": dict(JourneyStatus.choices).get(summary["status"], summary["status"]),
        "country": COUNTRIES.get(summary["country"], summary["country"]),
        "fitness": dict(Fitness.choices).get(summary.get("fitness", ""), ""),
        "may_receive": summary["status"] == rules.ARRIVED,
        "form": ReceptionForm(),
        "csrf_token": context.get("csrf_token"),
    }
