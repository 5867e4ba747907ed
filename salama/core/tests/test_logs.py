"""Structured logs: one line per request with ids only, and nothing that identifies a person."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from conftest import verified_client
from salama.core.logs import JsonFormatter, NoIdentifyingData

pytestmark = pytest.mark.django_db

NAME = "Qamarunnisa"
FAMILY = "Tessalitova"


@pytest.fixture
def captured(settings: Any, tmp_path: Any) -> Iterator[io.StringIO]:
    """Everything logged at INFO and above, through the JSON formatter and the filter."""
    settings.MEDIA_ROOT = tmp_path
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(NoIdentifyingData())
    root = logging.getLogger()
    request_logger = logging.getLogger("salama.request")
    old_levels = root.level, request_logger.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    request_logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_levels[0])
        request_logger.setLevel(old_levels[1])


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_registering_a_person_logs_ids_and_the_url_pattern_but_not_their_name(
    captured, caseworker_a
) -> None:
    client = verified_client(caseworker_a)

    response = client.post(
        reverse("people:person-create") + f"?given_name={NAME}",
        {
            "given_name": NAME,
            "family_name": FAMILY,
            "date_of_birth": "1990-05-01",
            "sex": "female",
            "nationalities": ["SY"],
            "languages": "ar",
        },
        HTTP_X_REQUEST_ID="trace-0123456789",
    )

    assert response.status_code == 302
    text = captured.getvalue()
    assert NAME not in text and FAMILY not in text and "1990-05-01" not in text
    assert caseworker_a.email not in text
    request_line = [line for line in lines(captured) if line["logger"] == "salama.request"][-1]
    assert request_line["route"] == "people/new/"
    assert request_line["method"] == "POST" and request_line["status"] == 302
    assert request_line["user_id"] == caseworker_a.pk
    assert request_line["organisation_id"] == caseworker_a.memberships.get().organisation_id
    assert request_line["request_id"] == "trace-0123456789"
    assert response["X-Request-ID"] == "trace-0123456789"
    assert request_line["duration_ms"] >= 0


def test_an_exception_that_quotes_a_name_is_logged_without_its_message(captured) -> None:
    log = logging.getLogger("salama.people")
    try:
        raise ValueError(f"duplicate person {NAME} {FAMILY}")
    except ValueError:
        log.exception("registration failed for %s", f"{NAME}@example.org")

    text = captured.getvalue()
    assert NAME not in text and FAMILY not in text
    (line,) = lines(captured)
    assert line["message"] == "registration failed for [email]"
    assert "ValueError" in line["exception"] and "test_logs.py" in line["exception"]


def test_query_strings_never_reach_the_log(captured, client) -> None:
    client.get(f"/no-such-page/?name={NAME}")

    assert NAME not in captured.getvalue()
    assert any(line["status"] == 404 for line in lines(captured) if "status" in line)


def test_a_request_id_that_does_not_look_like_one_is_replaced(captured, client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=f"<script>{NAME}")

    assert NAME not in response["X-Request-ID"] and len(response["X-Request-ID"]) == 32


def test_the_json_format_is_chosen_by_one_setting() -> None:
    import subprocess
    import sys

    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='salama.settings'; "
        "from django.conf import settings; "
        "print(settings.LOGGING['handlers']['console']['formatter'])"
    )
    env = {**__import__("os").environ, "SALAMA_LOG_FORMAT": "json"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "json"


def test_the_text_format_withholds_an_exceptions_message_too() -> None:
    from salama.core.logs import TextFormatter

    try:
        raise ValueError(f"duplicate person {NAME}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    formatter = TextFormatter("%(levelname)s %(message)s")

    text = formatter.format(record)

    assert NAME not in text and "ValueError" in text
    assert record.exc_info is not None and NAME in str(record.exc_info[1])  # left for others
