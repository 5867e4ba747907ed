"""The anonymised-release API: the same services and rules, with HTTP status codes."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from salama.assistance.tests.factories import make_case

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evidence/releases"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def post(client: Any, url: str, data: dict | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def test_request_approve_read_and_download_through_the_api(
    data_officer_a: Any,
    org_admin_a: Any,
    caseworker_a: Any,
    login: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for _ in range(11):
        make_case(caseworker_a)
    officer = login(data_officer_a)
    created = post(officer, BASE, {"k": 11, "purpose": "CTDC contribution"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "requested" and body["report"] == {}
    own = post(officer, f"{BASE}/{body['id']}/approve", {"version": body["version"]})
    assert own.status_code == 403
    admin = login(org_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        approved = post(admin, f"{BASE}/{body['id']}/approve", {"version": body["version"]})
    assert approved.status_code == 200, approved.content
    read = officer.get(f"{BASE}/{body['id']}").json()
    assert read["status"] == "ready" and read["report"]["rows_out"] == 11
    assert read["downloadable"] is True
    download = officer.get(f"{BASE}/{body['id']}/download")
    assert download.status_code == 200
    assert "cases.csv" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert [r["id"] for r in officer.get(BASE).json()] == [body["id"]]


def test_the_requester_cannot_approve_as_an_org_admin_either(org_admin_a: Any, login: Any) -> None:
    admin = login(org_admin_a)
    body = post(admin, BASE, {"k": 11, "purpose": "CTDC"}).json()
    refused = post(admin, f"{BASE}/{body['id']}/approve", {"version": body["version"]})
    assert refused.status_code == 422
    assert "another person must approve" in refused.json()["detail"]


def test_a_small_k_is_422_and_another_organisation_gets_404(
    data_officer_a: Any, org_admin_b: Any, login: Any
) -> None:
    officer = login(data_officer_a)
    assert post(officer, BASE, {"k": 3, "purpose": "CTDC"}).status_code == 422
    body = post(officer, BASE, {"k": 11, "purpose": "CTDC"}).json()
    other = login(org_admin_b)
    assert other.get(f"{BASE}/{body['id']}").status_code == 404
    assert post(other, f"{BASE}/{body['id']}/approve", {"version": 1}).status_code == 404
