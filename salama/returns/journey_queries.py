"""The return programme's counts: departures, arrivals, receptions, no-shows and cancellations,
by month and by country of return, over the journeys the principal may count.

For the programme page (salama.returns.programme*, wired by the integrator). Counts only: no
names, no case references.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from salama.core.policy import Principal
from salama.returns import rules
from salama.returns.access import counted_journeys

MEASURES = ("departures", "arrivals", "receptions", "no_shows", "cancellations")


def _events(journey: Any) -> list[tuple[str, dt.date]]:
    found = []
    if journey.departed_on:
        found.append(("departures", journey.departed_on))
    if journey.arrived_on:
        found.append(("arrivals", journey.arrived_on))
    if journey.received_on:
        found.append(("receptions", journey.received_on))
    if journey.status == rules.NO_SHOW and journey.ended_on:
        found.append(("no_shows", journey.ended_on))
    if journey.status == rules.CANCELLED and journey.ended_on:
        found.append(("cancellations", journey.ended_on))
    return found


def programme_counts(
    principal: Principal | None,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    country: str | None = None,
) -> dict[str, Any]:
    """{"totals": {measure: n}, "by_month": {"YYYY-MM": {measure: n}},
    "by_country": {"KE": {measure: n}}}; each event counted in the month it happened and
    kept when it falls between date_from and date_to (inclusive)."""
    journeys = counted_journeys(principal)
    if country:
        journeys = journeys.filter(country=country)
    totals = dict.fromkeys(MEASURES, 0)
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    by_country: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    fields = ("status", "country", "departed_on", "arrived_on", "received_on", "ended_on")
    for journey in journeys.only(*fields):
        for measure, day in _events(journey):
            if date_from and day < date_from or date_to and day > date_to:
                continue
            totals[measure] += 1
            by_month[day.strftime("%Y-%m")][measure] += 1
            by_country[journey.country][measure] += 1
    return {
        "totals": totals,
        "by_month": dict(sorted(by_month.items())),
        "by_country": dict(sorted(by_country.items())),
    }
