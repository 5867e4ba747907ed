"""The import pages: upload, map, preview, run in the background, poll, read the report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import verified_client
from salama.integrations.import_models import ImportJob, ImportStatus
from salama.people.models import Person

pytestmark = pytest.mark.django_db

CSV = b"Prenom;Nom;Sexe\nAmina;Yusuf;F\nSamuel;Okoro;M\n"


def _upload(client: Any, content: bytes = CSV) -> ImportJob:
    response = client.post(
        "/integrations/imports/",
        {"file": SimpleUploadedFile("liste.csv", content), "default_case_type": "trafficking"},
    )
    assert response.status_code == 302, response.content[:400]
    return ImportJob.objects.get()


def test_a_caseworker_uploads_maps_previews_and_imports(
    caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = verified_client(caseworker_a)
    job = _upload(client)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Amina" in page and "Preview" in page  # the preview shows the mapped rows
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/integrations/imports/{job.pk}/run/", {"commit": "1"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Person.objects.count() == 2
    progress = client.get(f"/integrations/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    assert "2 persons were registered" in client.get(job.get_absolute_url()).content.decode()


def test_changing_the_mapping_changes_the_preview(caseworker_a: Any) -> None:
    client = verified_client(caseworker_a)
    job = _upload(client)
    response = client.post(
        f"/integrations/imports/{job.pk}/mapping/",
        {
            "col_0": "family_name",
            "col_1": "given_name",
            "col_2": "",
            "default_case_type": "returnee",
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping == {"Prenom": "family_name", "Nom": "given_name", "Sexe": ""}
    assert job.default_case_type == "returnee"


def test_a_bad_row_is_shown_with_its_row_and_column(
    caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = verified_client(caseworker_a)
    job = _upload(client, CSV + b"Joseph;Mensah;X\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/integrations/imports/{job.pk}/run/", {"commit": "1"})
    page = client.get(job.get_absolute_url()).content.decode()
    assert "nothing was imported" in page
    assert "<td>4</td><td>Sexe</td>" in page
    assert Person.objects.count() == 0


def test_another_users_import_is_not_found(caseworker_a: Any, caseworker2_a: Any) -> None:
    job = _upload(verified_client(caseworker_a))
    other = verified_client(caseworker2_a)
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.post(f"/integrations/imports/{job.pk}/run/", {"commit": "1"}).status_code == 404


def test_a_role_that_cannot_register_persons_cannot_reach_imports(org_admin_a: Any) -> None:
    assert verified_client(org_admin_a).get("/integrations/imports/").status_code == 403
