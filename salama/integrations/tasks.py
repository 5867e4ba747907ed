"""Background work for webhooks (django-tasks): one attempt of a delivery, and the retry sweep."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from salama.integrations import delivery


@task()
def deliver_webhook(delivery_uuid: str) -> str:
    """One attempt of a delivery; a failure schedules the next one (with back-off)."""
    return delivery.attempt(delivery_uuid)


@task()
def retry_due_deliveries(now: str | None = None) -> int:
    """Attempt the deliveries whose retry is due; schedule it every minute or so."""
    return delivery.retry_due(dt.datetime.fromisoformat(now) if now else None)


@task()
def run_import_task(job_id: str) -> str:
    """Check or import an uploaded file of persons and cases (all or nothing)."""
    from salama.integrations.import_services import run_import

    return run_import(job_id)
