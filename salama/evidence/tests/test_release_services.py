"""Requesting, approving (four eyes), building and downloading anonymised releases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import principal
from salama.assistance.tests.factories import make_case
from salama.core.models import AuditEntry
from salama.core.policy import NotPermitted
from salama.evidence import release_services as services
from salama.evidence.release_models import AnonymisedRelease, ReleaseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def approve(django_capture_on_commit_callbacks: Any) -> Any:
    """Approve as `user`; the build task queued on commit runs (immediate backend)."""

    def run(user: Any, item: AnonymisedRelease) -> AnonymisedRelease:
        with django_capture_on_commit_callbacks(execute=True):
            services.approve_release(actor=principal(user), release=item)
        item.refresh_from_db()
        return item

    return run


def _requested(data_officer: Any, k: int = 11) -> AnonymisedRelease:
    return services.request_release(
        actor=principal(data_officer), k=k, purpose="CTDC contribution 2026"
    )


def test_a_data_officer_requests_and_an_org_admin_approves_and_the_release_is_built(
    data_officer_a: Any, org_admin_a: Any, caseworker_a: Any, approve: Any
) -> None:
    for _ in range(12):
        make_case(caseworker_a)
    item = _requested(data_officer_a)
    assert item.status == ReleaseStatus.REQUESTED
    with pytest.raises(NotPermitted):
        services.approve_release(actor=principal(data_officer_a), release=item)
    approve(org_admin_a, item)  # built by the task (immediate backend in tests)
    assert item.status == ReleaseStatus.READY
    assert item.downloadable and item.report["rows_out"] == 12
    assert item.report["approved_by"] == org_admin_a.get_username()
    data = services.download_release(actor=principal(data_officer_a), release=item)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["cases.csv", "codebook.json", "report.json", "report.md"]
    rows = list(csv.reader(io.StringIO(archive.read("cases.csv").decode())))
    assert len(rows) == 13 and rows[0][0] == "yearOfRegistration"
    assert "Amina" not in archive.read("cases.csv").decode()
    assert json.loads(archive.read("report.json"))["k"] == 11
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "evidence.release_requested",
        "evidence.release_approved",
        "evidence.release_built",
        "evidence.release_downloaded",
    } <= actions


def test_the_bundle_is_encrypted_at_rest(
    data_officer_a: Any, org_admin_a: Any, approve: Any
) -> None:
    item = _requested(data_officer_a)
    approve(org_admin_a, item)
    with item.bundle.storage.open(item.bundle.name, "rb") as fh:
        stored = fh.read()
    assert b"yearOfRegistration" not in stored and not stored.startswith(b"PK")


def test_the_requester_cannot_approve_their_own_release(org_admin_a: Any) -> None:
    item = _requested(org_admin_a)  # org admins may request too
    with pytest.raises(ValidationError, match="another person must approve"):
        services.approve_release(actor=principal(org_admin_a), release=item)
    assert item.status == ReleaseStatus.REQUESTED


def test_another_organisation_cannot_approve_or_download(
    data_officer_a: Any, org_admin_b: Any
) -> None:
    item = _requested(data_officer_a)
    with pytest.raises(NotPermitted):
        services.approve_release(actor=principal(org_admin_b), release=item)
    with pytest.raises(NotPermitted):
        services.download_release(actor=principal(org_admin_b), release=item)


def test_a_rejected_release_is_never_built(data_officer_a: Any, org_admin_a: Any) -> None:
    item = _requested(data_officer_a)
    services.reject_release(actor=principal(org_admin_a), release=item)
    item.refresh_from_db()
    assert item.status == ReleaseStatus.REJECTED and not item.bundle
    with pytest.raises(ValidationError, match="already decided"):
        services.approve_release(actor=principal(org_admin_a), release=item)


def test_k_below_the_minimum_and_an_empty_purpose_are_refused(data_officer_a: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.request_release(actor=principal(data_officer_a), k=3, purpose=" ")
    assert set(caught.value.message_dict) == {"k", "purpose"}


def test_caseworkers_cannot_request_releases(caseworker_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.request_release(actor=principal(caseworker_a), k=11, purpose="x")


def test_an_expired_release_is_not_downloadable_and_its_key_is_destroyed(
    data_officer_a: Any, org_admin_a: Any, approve: Any
) -> None:
    item = _requested(data_officer_a)
    approve(org_admin_a, item)
    later = timezone.now() + dt.timedelta(days=services.download_days() + 1)
    assert services.expire_releases(later) == 1
    item.refresh_from_db()
    assert item.status == ReleaseStatus.EXPIRED and item.data_key.is_shredded
    with pytest.raises(ValidationError, match="expired"):
        services.download_release(actor=principal(data_officer_a), release=item)
