"""Abandoned imports: files uploaded but never imported are deleted after a retention period.

An import job keeps the uploaded rows (identifying data) encrypted under a key of its own until
they are imported. A job that was never imported — left at the mapping, checked, refused,
stopped by an error, or stuck queued — is deleted ``SALAMA_IMPORT_RETENTION_DAYS`` after its
upload, and its data key destroyed, so the rows cannot be read from any backup either. Each
deletion is audited (``import.purge``: the row count and status, nothing identifying). It runs
with the daily ``salama retention --apply`` (registered as a retention sweep).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salama.core import audit
from salama.core.keys import shred
from salama.integrations.import_models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


def abandoned_imports(now: dt.datetime | None = None) -> list[ImportJob]:
    """Jobs never imported whose upload is older than the retention period."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SALAMA_IMPORT_RETENTION_DAYS)
    return list(
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(status=ImportStatus.DONE)
        .select_related("data_key", "organisation")
        .order_by("created_at")
    )


def purge_abandoned_imports(now: dt.datetime | None = None, *, apply: bool = True) -> int:
    """Delete the abandoned jobs (with ``apply``) and return how many there are."""
    jobs = abandoned_imports(now)
    if not apply:
        return len(jobs)
    purged = 0
    for job in jobs:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
            if locked is None or locked.status == ImportStatus.DONE:
                continue  # imported or deleted since the list was read
            key = job.data_key
            audit.record(
                "import.purge",
                obj=job,
                organisation=job.organisation,
                actor_label="retention",
                fields=["table", "report"],
                changes={
                    "rows": (job.row_count, None),
                    "status": (str(locked.status), None),
                    "uploaded": (job.created_at.date().isoformat(), None),
                },
            )
            locked.delete()
            shred(key)
        purged += 1
        logger.info("retention: abandoned import %s deleted", job.pk)
    return purged
