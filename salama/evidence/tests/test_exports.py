"""Exports: formula injection, HXL read back, role columns, the background task end to end,
encryption at rest, expiry and downloads by the requester only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import hxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import principal, verified_client
from salama.core.models import AuditEntry
from salama.evidence import exports, figures
from salama.evidence.dashboard_models import ExportJob, ExportStatus
from salama.evidence.tests.factories import open_cases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_prefixed_with_a_quote(text):
    assert exports.neutralise(text) == "'" + text


def test_ordinary_cells_and_numbers_are_left_alone():
    assert exports.neutralise("Forced labour") == "Forced labour"
    assert exports.neutralise(-3) == -3


def test_formula_injection_is_neutralised_in_csv_and_xlsx():
    sheet = exports.Sheet("T", ["Label", "n"], [['=HYPERLINK("http://x")', 4]])
    rows = list(csv.reader(io.StringIO(exports.write(sheet, "csv").decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(exports.write(sheet, "xlsx")))
    cell = book.active.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_an_hxl_export_of_a_dashboard_table_reads_back_with_libhxl(
    caseworker_a, tmp_path, settings
):
    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    open_cases(caseworker_a, 4)
    body, content_type, name = exports.export_table(
        actor=principal(caseworker_a), table="stage", fmt="hxl", filters=figures.Filters()
    )
    path = tmp_path / name
    path.write_bytes(body)
    data = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    assert [str(c.tag) for c in data.columns] == ["#status", "#affected"]
    assert "#affected+cases+num" in [c.get_display_tag() for c in data.columns]
    rows = {row.get("#status"): row.get("#affected") for row in data}
    assert rows["Registered (not yet screened)"] == "4"
    assert AuditEntry.objects.filter(action="evidence.export_table").exists()


def test_a_table_download_withholds_small_counts_from_a_data_officer(
    caseworker_a, data_officer_a, settings
):
    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    open_cases(caseworker_a, 2)
    response = verified_client(data_officer_a).get(
        reverse("evidence:table-download"), {"table": "stage", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "fewer than 3" in response.content.decode("utf-8-sig")


def test_an_unknown_table_is_refused_with_a_reason(caseworker_a):
    with pytest.raises(ValidationError, match="no dashboard table"):
        exports.export_table(
            actor=principal(caseworker_a), table="nope", fmt="csv", filters=figures.Filters()
        )


def test_a_case_export_runs_in_the_background_and_lands_encrypted(
    caseworker_a, supervisor_a, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 3)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.request_export(
            actor=principal(supervisor_a), dataset="cases", fmt="csv", filters=figures.Filters()
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.progress == 100 and job.rows == 3
    assert b"NGOA-" not in bytes(job.body)  # encrypted at rest
    assert job.expires_at - job.finished_at == exports.EXPORT_TTL
    body, _type, _name = exports.download_export(actor=principal(supervisor_a), job=job)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference" and len(rows) == 4
    assert rows[1][0].startswith("NGOA-")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "evidence.export_request",
        "evidence.export_ready",
        "evidence.export_download",
    } <= actions


def test_a_data_officers_case_export_has_no_identifying_column(
    caseworker_a, data_officer_a, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.request_export(
            actor=principal(data_officer_a), dataset="cases", fmt="xlsx", filters=figures.Filters()
        )
    job.refresh_from_db()
    body, _type, name = exports.download_export(actor=principal(data_officer_a), job=job)
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "Reference" not in values[0] and "Month opened" in values[0]
    assert not any(str(v).startswith("NGOA-") for row in values for v in row)
    assert values[1][-2] == timezone.localdate().strftime("%Y-%m")


def test_another_user_cannot_download_an_export(
    caseworker_a, supervisor_a, caseworker_b, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.request_export(
            actor=principal(supervisor_a), dataset="cases", fmt="csv", filters=figures.Filters()
        )
    for other in (caseworker_a, caseworker_b):
        with pytest.raises(Http404):
            exports.download_export(actor=principal(other), job=job)
        url = reverse("evidence:export-download", args=[job.pk])
        assert verified_client(other).get(url).status_code == 404


def test_an_expired_export_is_refused_and_its_file_and_key_are_deleted(
    caseworker_a, supervisor_a, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.request_export(
            actor=principal(supervisor_a), dataset="cases", fmt="csv", filters=figures.Filters()
        )
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    job.refresh_from_db()
    with pytest.raises(Http404):
        exports.download_export(actor=principal(supervisor_a), job=job)
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and job.body is None and job.wrapped_key is None


def test_the_exports_page_polls_the_status_of_an_export_in_progress(supervisor_a):
    job = ExportJob.objects.create(
        organisation=supervisor_a.memberships.get().organisation,
        requested_by=supervisor_a,
        dataset="cases",
        fmt="csv",
        status=ExportStatus.RUNNING,
        progress=40,
    )
    client = verified_client(supervisor_a)
    page = client.get(reverse("evidence:exports")).content.decode()
    assert f'hx-get="{reverse("evidence:export-status", args=[job.pk])}"' in page
    row = client.get(reverse("evidence:export-status", args=[job.pk])).content.decode()
    assert 'value="40"' in row


def test_asking_for_an_export_from_the_page_builds_it(
    caseworker_a, supervisor_a, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 2)
    client = verified_client(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:exports"), {"format": "csv"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    download = client.get(reverse("evidence:export-download", args=[job.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"


def test_the_filters_chosen_on_the_exports_page_narrow_the_case_list(
    caseworker_a, supervisor_a, django_capture_on_commit_callbacks
):
    open_cases(caseworker_a, 2, sex="female")
    open_cases(caseworker_a, 1, sex="male")
    client = verified_client(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evidence:exports"), {"format": "csv", "sex": "male"})
    job = ExportJob.objects.get()
    assert job.filters["sex"] == "male" and job.rows == 1
