"""The import API: upload (multipart), mapping, run in the background, poll the report."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import principal
from salama.accounts.services import create_api_token
from salama.people.models import Person

pytestmark = pytest.mark.django_db

API = "/api/v1/imports"


def _client(user: Any) -> Client:
    actor = principal(user)
    _token, secret = create_api_token(actor=actor, name="t", scopes=sorted(actor.permissions))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_upload_map_run_and_read_the_report(
    caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(caseworker_a)
    upload = client.post(
        API,
        {"file": SimpleUploadedFile("p.csv", b"nom,prenom\nYusuf,Amina\nOkoro,\n")},
    )
    assert upload.status_code == 201, upload.content
    job = upload.json()
    assert job["mapping"] == {"nom": "family_name", "prenom": "given_name"}
    mapped = client.put(
        f"{API}/{job['id']}/mapping",
        json.dumps(
            {"mapping": {"nom": "family_name", "prenom": ""}, "default_case_type": "returnee"}
        ),
        content_type="application/json",
    )
    assert mapped.status_code == 200 and mapped.json()["mapping"]["prenom"] == ""
    with django_capture_on_commit_callbacks(execute=True):
        ran = client.post(
            f"{API}/{job['id']}/run", json.dumps({"commit": True}), content_type="application/json"
        )
    assert ran.status_code == 202
    done = client.get(f"{API}/{job['id']}").json()
    assert (done["status"], done["imported"], done["progress"]) == ("done", 2, 2)
    assert Person.objects.count() == 2


def test_a_bad_mapping_is_a_422_that_says_what_to_fix(caseworker_a: Any) -> None:
    client = _client(caseworker_a)
    job = client.post(API, {"file": SimpleUploadedFile("p.csv", b"a,b\n1,2\n")}).json()
    response = client.put(
        f"{API}/{job['id']}/mapping",
        json.dumps({"mapping": {"a": "sex"}, "default_case_type": "returnee"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "given name" in response.json()["detail"]


def test_another_users_import_is_404_and_an_admin_may_not_import(
    caseworker_a: Any, caseworker_b: Any, org_admin_a: Any
) -> None:
    job = _client(caseworker_a).post(API, {"file": SimpleUploadedFile("p.csv", b"nom\nX\n")}).json()
    assert _client(caseworker_b).get(f"{API}/{job['id']}").status_code == 404
    refused = _client(org_admin_a).post(API, {"file": SimpleUploadedFile("p.csv", b"nom\nX\n")})
    assert refused.status_code == 403
