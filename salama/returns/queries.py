"""Reads of return journeys shared by the pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from salama.core.policy import Principal
from salama.returns.access import visible_journeys
from salama.returns.models import ReturnJourney


def journey_rows(
    principal: Principal, *, status: str = "", country: str = ""
) -> QuerySet[ReturnJourney]:
    """The journeys of cases the principal sees, newest first, filtered by status and country."""
    rows = visible_journeys(principal).select_related("case", "organisation")
    if status:
        rows = rows.filter(status=status)
    if country:
        rows = rows.filter(country=country)
    return rows.order_by("-opened_at")
