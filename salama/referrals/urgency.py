"""Referral urgency: how fast the recipient must answer (docs/domain.md#referral-urgency).

The levels and their deadlines are data (data/urgency.v1.json): an emergency must be
acknowledged within 4 hours and decided within 24 (the same day), a high one within 24 and 72
hours; normal and low keep the service's own deadlines (data/sla.v1.json), low only sorts last.
An urgency never lengthens a deadline, it can only shorten it. No Django imports.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from salama.referrals import rules


@lru_cache(maxsize=2)
def load_urgency(name: str = "urgency.v1.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((rules.DATA / name).read_text(encoding="utf-8"))
    return data


def levels() -> list[str]:
    """The urgency levels, the most urgent first."""
    return list(load_urgency()["order"])


def rank(urgency: str) -> int:
    """0 for the most urgent; an unknown level sorts with "normal"."""
    order = levels()
    return order.index(urgency) if urgency in order else order.index("normal")


def cap_hours(urgency: str, sla_key: str) -> int | None:
    """The most hours `urgency` allows for a stage (`acknowledge_days`/`accept_days`), or None."""
    level = load_urgency()["levels"].get(urgency, {})
    value = level.get(sla_key.replace("_days", "_hours"))
    return int(value) if value is not None else None


def due_at(
    urgency: str,
    table: rules.StateTable,
    status: str,
    sent_at: dt.datetime,
    days: Mapping[str, int],
) -> dt.datetime | None:
    """The deadline of stage `status`: the service's (rules.due_at), shortened by the urgency."""
    due = rules.due_at(table, status, sent_at, days)
    key = table.sla.get(status)
    if due is None or key is None:
        return due
    hours = cap_hours(urgency, key)
    if hours is not None:
        due = min(due, sent_at + dt.timedelta(hours=hours))
    return due
