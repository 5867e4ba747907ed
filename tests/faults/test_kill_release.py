"""A release build killed after its bundle file was written leaves the release unbuilt (no file
marked ready, the written file unreadable: its key was never committed) and it builds again."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import principal
from salama.assistance.tests.factories import make_case
from salama.core.models import AuditEntry, DataKey
from salama.evidence import release_services as services
from salama.evidence.release_models import AnonymisedRelease, ReleaseStatus
from tests.faults import drill

pytestmark = pytest.mark.django_db(transaction=True)

BUILD = """
from salama.evidence.release_services import build_release
print(build_release("{pk}").status)
"""


@pytest.fixture(autouse=True)
def _media_and_no_worker(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The build is left to the child process, not run at approval by the immediate backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_a_release_build_killed_after_writing_its_file_is_not_ready_and_builds_again(
    data_officer_a: Any, org_admin_a: Any, caseworker_a: Any, settings: Any
) -> None:
    for _ in range(12):
        make_case(caseworker_a)
    item = services.request_release(
        actor=principal(data_officer_a), k=11, purpose="CTDC contribution 2026"
    )
    services.approve_release(actor=principal(org_admin_a), release=item)
    keys_before = DataKey.objects.count()

    result = drill.run(BUILD.format(pk=item.pk), fault_at="release.bundle")

    assert drill.killed(result), result.stderr
    item.refresh_from_db()
    assert item.status == ReleaseStatus.APPROVED and not item.bundle and not item.downloadable
    # The process had written the encrypted bundle; its data key died with the transaction, so
    # the file left behind cannot be decrypted by anyone and no release points at it.
    written = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert written
    assert DataKey.objects.count() == keys_before
    assert not AuditEntry.objects.filter(action="evidence.release_built").exists()
    assert drill.chain_problems() == []

    rebuilt = services.build_release(item.pk)

    assert rebuilt.status == ReleaseStatus.READY and rebuilt.downloadable
    data = services.download_release(actor=principal(data_officer_a), release=rebuilt)
    assert "cases.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not any(str(p).endswith(AnonymisedRelease.objects.get().bundle.name) for p in written)
    assert drill.chain_problems() == []
