"""The release pages: request, four-eyes decision, report and download; nothing identifying."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from conftest import verified_client
from salama.assistance.tests.factories import make_case
from salama.evidence.release_models import AnonymisedRelease, ReleaseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def test_a_data_officer_requests_an_admin_approves_and_the_officer_downloads_and_reads_the_report(
    data_officer_a: Any,
    org_admin_a: Any,
    caseworker_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for _ in range(11):
        make_case(caseworker_a)
    officer = verified_client(data_officer_a)
    response = officer.post(
        reverse("evidence:release-list"), {"k": 11, "purpose": "CTDC contribution"}
    )
    item = AnonymisedRelease.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/releases/{item.pk}/")
    page = officer.get(reverse("evidence:release-detail", args=[item.pk])).content.decode()
    assert "another person must approve it" in page and "Approve and build" not in page
    admin = verified_client(org_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("evidence:release-decide", args=[item.pk]),
            {"decision": "approve", "version": item.version},
        )
    item.refresh_from_db()
    assert item.status == ReleaseStatus.READY
    page = officer.get(reverse("evidence:release-detail", args=[item.pk])).content.decode()
    assert "Rows published" in page and "Cells suppressed per column" in page
    assert "Amina" not in page and "Yusuf" not in page
    download = officer.get(reverse("evidence:release-download", args=[item.pk]))
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert archive.read("cases.csv").decode().count("\n") == 12


def test_a_data_officer_cannot_decide_and_cannot_reach_a_person_or_case_page(
    data_officer_a: Any, caseworker_a: Any
) -> None:
    case = make_case(caseworker_a)
    officer = verified_client(data_officer_a)
    response = officer.post(reverse("evidence:release-list"), {"k": 11, "purpose": "CTDC"})
    item = AnonymisedRelease.objects.get()
    decided = officer.post(
        reverse("evidence:release-decide", args=[item.pk]), {"decision": "approve", "version": 1}
    )
    assert decided.status_code == 403
    assert officer.get(case.get_absolute_url()).status_code in (403, 404)
    assert officer.get(case.person.get_absolute_url()).status_code in (403, 404)
    assert response.status_code == 302


def test_another_organisations_release_is_not_found(data_officer_a: Any, org_admin_b: Any) -> None:
    officer = verified_client(data_officer_a)
    officer.post(reverse("evidence:release-list"), {"k": 11, "purpose": "CTDC"})
    item = AnonymisedRelease.objects.get()
    other = verified_client(org_admin_b)
    assert other.get(reverse("evidence:release-detail", args=[item.pk])).status_code == 404


def test_a_k_below_the_minimum_is_explained_on_the_form(data_officer_a: Any) -> None:
    response = verified_client(data_officer_a).post(
        reverse("evidence:release-list"), {"k": 5, "purpose": "CTDC"}
    )
    assert response.status_code == 400
    assert "Choose k between 11 and 100." in response.content.decode()
