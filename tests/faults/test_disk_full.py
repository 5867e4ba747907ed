"""A full disk gives a clear 507 in the user's language, saves nothing, and logs no personal data."""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

import psycopg
import pytest
from django.db import OperationalError

from conftest import verified_client
from salama.cases.models import CaseNote
from salama.cases.tests.test_services import make_case
from salama.core import audit, diskfull

pytestmark = pytest.mark.django_db

MESSAGE = "The server has run out of disk space; nothing was saved. Tell your administrator."


def _fail_the_note_audit(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """Make the write fail after the note's row was written, as a full disk would."""
    real = audit.record

    def record(action: str, **kw: Any) -> Any:
        if action == "case.note":
            raise error
        return real(action, **kw)

    monkeypatch.setattr(audit, "record", record)


def _sqlite_full() -> OperationalError:
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError as exc:
            raise OperationalError(*exc.args) from exc  # what Django's wrapper raises
    except OperationalError as wrapped:
        return wrapped


def test_a_note_saved_onto_a_full_disk_answers_507_and_nothing_is_saved(
    caseworker_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(caseworker_a)
    client = verified_client(caseworker_a)
    _fail_the_note_audit(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))

    response = client.post(f"/cases/{case.id}/notes/", {"body": "Needs a lawyer"})

    assert response.status_code == 507
    assert MESSAGE in response.content.decode()
    assert not CaseNote.objects.exists()  # the row written before the failure was rolled back


def test_the_full_disk_page_is_in_the_users_language_and_direction(
    caseworker_a: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    case = make_case(caseworker_a)
    client = verified_client(caseworker_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    _fail_the_note_audit(monkeypatch, _sqlite_full())

    response = client.post(f"/cases/{case.id}/notes/", {"body": "Needs a lawyer"})

    assert response.status_code == 507
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert not CaseNote.objects.exists()


def test_the_api_answers_a_full_disk_with_507_json_and_saves_nothing(
    caseworker_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(caseworker_a)
    client = verified_client(caseworker_a)
    _fail_the_note_audit(monkeypatch, _sqlite_full())

    response = client.post(
        f"/api/v1/cases/{case.id}/notes",
        {"body": "Needs a lawyer"},
        content_type="application/json",
    )

    assert response.status_code == 507
    assert response.json() == {"detail": MESSAGE, "errors": []}
    assert not CaseNote.objects.exists()


def test_the_log_names_the_page_and_the_error_kind_but_no_personal_data(
    caseworker_a: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    case = make_case(caseworker_a)
    client = verified_client(caseworker_a)
    error = OSError(errno.ENOSPC, "No space left on device", "/var/media/Amina Yusuf passport.pdf")
    _fail_the_note_audit(monkeypatch, error)

    with caplog.at_level(logging.ERROR, logger="salama.diskfull"):
        client.post(f"/cases/{case.id}/notes/", {"body": "Amina was threatened by her uncle"})

    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "salama.diskfull")
    assert "Disk full: POST cases/<uuid:case_id>/notes/ was not saved (OSError, errno 28)" in logged
    assert "Amina" not in logged and str(case.id) not in logged


def test_other_errors_are_not_taken_for_a_full_disk() -> None:
    assert diskfull.is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert diskfull.is_disk_full(_sqlite_full())
    try:
        raise OperationalError("could not extend file") from psycopg.errors.DiskFull("53100")
    except OperationalError as pg_full:
        assert diskfull.is_disk_full(pg_full)
    assert not diskfull.is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not diskfull.is_disk_full(OperationalError("database is locked"))
    assert not diskfull.is_disk_full(ValueError("database or disk is full"))


def test_the_api_document_declares_507_on_writes_only(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    notes = paths["/api/v1/cases/{case_id}/notes"]
    assert "507" in notes["post"]["responses"]
    assert "507" not in notes["get"]["responses"]
