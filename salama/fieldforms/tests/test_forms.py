"""Uploading XLSForms: conversion, versions, languages, media, and errors that point at the row."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import principal
from salama.fieldforms import services
from salama.fieldforms.models import FieldForm
from salama.fieldforms.tests.workbooks import AR, DEMO_FORM, EN, simple_form, workbook
from salama.fieldforms.xlsform import XLSFormError

pytestmark = pytest.mark.django_db


def test_supervisor_uploads_a_form_with_two_languages_and_a_media_file(supervisor_a: Any) -> None:
    version = services.upload_form(
        actor=principal(supervisor_a),
        content=simple_form(),
        filename="intake.xlsx",
        media=[("logo.png", b"\x89PNG fake")],
    )
    assert version.form.form_id == "intake" and version.version == "1"
    assert version.languages == ["English (en)", "Arabic (ar)"]
    assert "<h:title>Intake</h:title>" in version.xform
    assert [m.filename for m in version.media.all()] == ["logo.png"]
    assert {q["name"] for q in version.questions} == {"given_name", "sex", "photo"}


def test_a_new_version_of_the_same_form_id_joins_the_same_form(org_admin_a: Any) -> None:
    actor = principal(org_admin_a)
    first = services.upload_form(actor=actor, content=simple_form("1"), filename="a.xlsx")
    second = services.upload_form(actor=actor, content=simple_form("2"), filename="a.xlsx")
    assert first.form_id == second.form_id
    assert second.form.current_version() == second
    with pytest.raises(XLSFormError) as refused:
        services.upload_form(actor=actor, content=simple_form("2"), filename="a.xlsx")
    assert "version 2" in str(refused.value) and "already uploaded" in str(refused.value)


def test_duplicate_choice_names_are_refused_naming_sheet_row_and_column(supervisor_a: Any) -> None:
    content = workbook(
        [["type", "name", "label"], ["select_one sex", "sex", "Sex"]],
        [["list_name", "name", "label"], ["sex", "f", "Female"], ["sex", "f", "Woman"]],
    )
    with pytest.raises(XLSFormError) as refused:
        services.upload_form(actor=principal(supervisor_a), content=content, filename="x.xlsx")
    problem = refused.value.problems[0]
    assert (problem.sheet, problem.row, problem.column, problem.letter) == (
        "choices",
        3,
        "name",
        "B",
    )
    assert "different name" in problem.message
    assert not FieldForm.objects.exists()


def test_a_missing_label_column_is_refused_at_the_questions_row(supervisor_a: Any) -> None:
    content = workbook([["type", "name"], ["text", "given_name"]])
    with pytest.raises(XLSFormError) as refused:
        services.upload_form(actor=principal(supervisor_a), content=content, filename="x.xlsx")
    problem = refused.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "label")
    assert "add a “label” column" in problem.message


def test_a_legacy_xls_name_that_is_not_a_workbook_is_refused_clearly(supervisor_a: Any) -> None:
    with pytest.raises(XLSFormError) as refused:
        services.upload_form(actor=principal(supervisor_a), content=b"not excel", filename="x.xls")
    assert "could not be read as an .xls workbook" in str(refused.value)


def test_caseworkers_cannot_upload_forms(caseworker_a: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.upload_form(
            actor=principal(caseworker_a), content=simple_form(), filename="a.xlsx"
        )


def test_an_encrypted_form_carries_the_organisations_public_key(supervisor_a: Any) -> None:
    version = services.upload_form(
        actor=principal(supervisor_a), content=simple_form(), filename="a.xlsx", encrypt=True
    )
    key = version.form.organisation.form_key
    assert version.encrypted
    assert f'base64RsaPublicKey="{key.public_key}"' in version.xform
    assert b"PRIVATE" not in bytes(key.sealed_private_key)


def test_the_cli_prints_form_id_and_version(supervisor_a: Any, tmp_path: Any) -> None:
    out = io.StringIO()
    call_command("forms", "add", str(DEMO_FORM), "--as", supervisor_a.email, stdout=out)
    assert out.getvalue().strip() == "first_contact 2026120701"


def test_the_cli_fails_with_row_level_errors(supervisor_a: Any, tmp_path: Any) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            [["type", "name", EN, AR], ["select_one yn", "ok", "OK", "حسنا"]],
            [["list_name", "name", EN, AR], ["yn", "y", "Yes", "نعم"], ["yn", "y", "Yes", "نعم"]],
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("forms", "add", str(bad), "--as", supervisor_a.email, stderr=err)
    assert "sheet “choices”, row 3, column B (“name”)" in err.getvalue()
