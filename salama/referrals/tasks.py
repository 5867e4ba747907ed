"""Background work for referrals: the SLA check (django-tasks; schedule it every few minutes)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from salama.referrals.services import notify_overdue_referrals


@task()
def check_overdue_referrals(now: str | None = None) -> int:
    """Alert supervisors of referrals whose stage passed its deadline; returns alerts sent."""
    return notify_overdue_referrals(dt.datetime.fromisoformat(now) if now else None)
