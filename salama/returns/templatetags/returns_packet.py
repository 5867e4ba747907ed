"""The journey's summary on a reception referral's packet page, and the receiver's form to
record the reception: `{% load returns_packet %}{% return_packet referral %}`.

Read from the packet only: the receiving organisation never sees the journey or the case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from salama.core.countries import COUNTRIES
from salama.returns import rules
from salama.returns.case_section import step_detail
from salama.returns.choices import Fitness, JourneyStatus
from salama.returns.forms import ReceptionForm
from salama.returns.packet import summary_of

register = template.Library()
DATES = ("departed_on", "planned_arrival_on", "arrived_on", "received_on")


def _day(value: str) -> dt.date | str:
    """An ISO date from the packet, as a date the template formats in the reader's language."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.inclusion_tag("returns/_packet_return.html", takes_context=True)
def return_packet(context: Any, referral: Any) -> dict[str, Any]:
    summary = summary_of(referral)
    if summary is None:
        return {"summary": None}
    summary = {
        **summary,
        **{key: _day(summary.get(key, "")) for key in DATES},
        "itinerary": [
            {**leg, "on": _day(leg.get("on", ""))} for leg in summary.get("itinerary", [])
        ],
    }
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
