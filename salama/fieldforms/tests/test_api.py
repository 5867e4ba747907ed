"""The field-forms API: uploads with row-level errors, versions, and the review of submissions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import principal, verified_client
from salama.fieldforms import services
from salama.fieldforms.tests.workbooks import simple_form, workbook

pytestmark = pytest.mark.django_db


def test_uploading_through_the_api_returns_the_version(supervisor_a: Any) -> None:
    client = verified_client(supervisor_a)
    response = client.post(
        "/api/v1/fieldforms/forms",
        {"file": SimpleUploadedFile("intake.xlsx", simple_form()), "encrypt": "true"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["form_id"], body["version"], body["encrypted"]) == ("intake", "1", True)
    forms = client.get("/api/v1/fieldforms/forms").json()
    assert [f["current_version"] for f in forms] == ["1"]
    versions = client.get(f"/api/v1/fieldforms/forms/{forms[0]['id']}/versions").json()
    assert versions[0]["languages"] == ["English (en)", "Arabic (ar)"]


def test_a_refused_workbook_answers_422_with_the_row_of_each_problem(supervisor_a: Any) -> None:
    bad = workbook(
        [["type", "name", "label"], ["select_one yn", "ok", "OK"]],
        [["list_name", "name", "label"], ["yn", "y", "Yes"], ["yn", "y", "Yes"]],
    )
    response = verified_client(supervisor_a).post(
        "/api/v1/fieldforms/forms", {"file": SimpleUploadedFile("bad.xlsx", bad)}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "file" and "sheet “choices”, row 3, column B" in error["message"]


def test_a_caseworker_lists_and_rejects_submissions(supervisor_a: Any, caseworker_a: Any) -> None:
    actor = principal(supervisor_a)
    version = services.upload_form(actor=actor, content=simple_form(), filename="a.xlsx")
    app_user, _ = services.create_app_user(actor=actor, name="Phone", forms=[version.form])
    xml = (
        f'<data id="intake" version="1"><given_name>Samir</given_name>'
        f"<meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta></data>"
    ).encode()
    submission = services.receive_submission(app_user=app_user, xml=xml, files={}).submission
    client = verified_client(caseworker_a)
    listed = client.get("/api/v1/fieldforms/submissions").json()
    assert [s["id"] for s in listed] == [str(submission.pk)]
    rejected = client.post(
        f"/api/v1/fieldforms/submissions/{submission.pk}/reject",
        {"reason": "Training"},
        content_type="application/json",
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert client.get("/api/v1/fieldforms/submissions").json() == []


def test_an_org_admin_cannot_read_submissions(org_admin_a: Any) -> None:
    assert verified_client(org_admin_a).get("/api/v1/fieldforms/submissions").status_code == 403
