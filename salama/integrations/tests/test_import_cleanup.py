"""Abandoned imports are deleted, with their encrypted rows, after the retention period."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import principal
from salama.core import audit
from salama.core.models import AuditEntry, DataKey
from salama.integrations import import_services as imports
from salama.integrations.import_cleanup import purge_abandoned_imports
from salama.integrations.import_models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

FILE = b"given_name,family_name\nAmina,Yusuf\n"


def _upload(user: Any, days_ago: int, status: str = ImportStatus.MAPPING) -> ImportJob:
    job = imports.create_import(actor=principal(user), file_name="p.csv", content=FILE)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago), status=status
    )
    return job


def test_an_upload_never_imported_is_deleted_after_the_retention_period_and_audited(
    caseworker_a: Any, settings: Any
) -> None:
    settings.SALAMA_IMPORT_RETENTION_DAYS = 30
    old = _upload(caseworker_a, 31)
    checked = _upload(caseworker_a, 40, ImportStatus.INVALID)
    recent = _upload(caseworker_a, 5)
    assert purge_abandoned_imports(apply=False) == 2
    assert purge_abandoned_imports() == 2
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert DataKey.objects.get(pk=old.data_key_id).is_shredded  # its rows are unreadable
    assert DataKey.objects.get(pk=checked.data_key_id).is_shredded
    purged = AuditEntry.objects.filter(action="import.purge").order_by("id")
    assert [e.object_id for e in purged] == [str(checked.pk), str(old.pk)]
    assert purged[0].changes["rows"] == [1, None] and purged[0].actor_label == "retention"
    assert list(audit.iter_problems()) == []


def test_an_imported_file_is_kept_as_the_record_of_the_import(caseworker_a: Any) -> None:
    job = _upload(caseworker_a, 0)
    imports.start_import(actor=principal(caseworker_a), job=job, commit=True)
    imports.run_import(str(job.pk))
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    assert purge_abandoned_imports() == 0
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_the_daily_retention_run_deletes_abandoned_imports(caseworker_a: Any) -> None:
    _upload(caseworker_a, 90)
    dry = io.StringIO()
    call_command("retention", stdout=dry)
    assert "1 abandoned import(s) due for deletion" in dry.getvalue()
    assert ImportJob.objects.count() == 1
    out = io.StringIO()
    call_command("retention", "--apply", stdout=out)
    assert "1 abandoned import(s) deleted" in out.getvalue()
    assert ImportJob.objects.count() == 0
