"""Background work for cases: the scheduled retention run and reminders (django-tasks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from salama.accounts.models import Organisation
from salama.cases.retention import apply_retention, retention_report


@task()
def run_retention(apply: bool = False, organisation_id: int | None = None) -> dict[str, Any]:
    """Report (or, with `apply`, erase) persons due for erasure; counts only, never identities."""
    organisation = (
        Organisation.objects.get(pk=organisation_id) if organisation_id is not None else None
    )
    due = retention_report(organisation=organisation)
    if not apply:
        return {"applied": False, "due": len(due), "erased": 0, "failed": 0}
    erased = apply_retention(organisation=organisation)
    return {
        "applied": True,
        "due": len(due),
        "erased": len(erased),
        "failed": len(due) - len(erased),
    }


@task()
def send_reminders(now: str | None = None) -> int:
    """Email each person about their overdue tasks and risk reviews not yet announced (counts
    only); returns the emails sent. Safe to run as often as you like."""
    from salama.cases.reminders import send_reminders as run

    return run(dt.datetime.fromisoformat(now) if now else None)
