"""Structured logs that hold no identifying data.

`RequestLogMiddleware` writes one line per request to the logger ``salama.request``: a request
id (the caller's X-Request-ID when it looks like one, else a new one, echoed in the response),
the user's id (never an email or a name), the organisation's id, the method, the URL pattern
(``people/<uuid:person_id>/``, not the path), the status and the duration. Never a body, a
query string or a form value.

`NoIdentifyingData` is a filter on the handlers: whatever a library logs, it removes query
strings and email addresses from the message. Salama's formatters print an exception as its
type and the file:line of each frame, never its message (which can quote a name, e.g. a
database error).

`JsonFormatter` prints each record as one JSON object (SALAMA_LOG_FORMAT=json), for a log
collector; the text format stays the default for a terminal.
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("salama.request")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
QUERY = re.compile(r"\?[^\s\"']*")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# The fields of a request line; every other attribute a caller adds with `extra` is dropped.
WITHHELD = "Traceback (message withheld)"
FIELDS = ("request_id", "method", "route", "status", "duration_ms", "user_id", "organisation_id")


def scrub(text: str) -> str:
    return EMAIL.sub("[email]", QUERY.sub("?[query]", text))


def safe_traceback(exc_info: Any) -> str:
    """The exception's type and where it was raised, frame by frame, without its message."""
    kind, _value, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    name = getattr(kind, "__qualname__", str(kind))
    return f"{WITHHELD}: " + " <- ".join(reversed(frames)) + f" | {name}"


class NoIdentifyingData(logging.Filter):
    """Removes query strings and email addresses from every record's message before a handler
    formats it. (Exceptions are left on the record for other handlers, such as a test's log
    capture; Salama's formatters print them without their message: `safe_exception`.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep the template, not the arguments
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        return True


def safe_exception(record: logging.LogRecord) -> str | None:
    """What Salama's formatters print of a record's exception: never its message."""
    if record.exc_info and record.exc_info[0] is not None:
        return safe_traceback(record.exc_info)
    if record.exc_text:
        return WITHHELD
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request fields, and an
    exception's safe traceback."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        exception = safe_exception(record)
        if exception is not None:
            data["exception"] = exception
        return json.dumps(data, ensure_ascii=False, default=str)


def _request_id(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    """One log line per request, with ids only (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if logger.isEnabledFor(logging.INFO):
            logger.info("request", extra=self.fields(request, response, started))
        return response

    @staticmethod
    def fields(request: HttpRequest, response: HttpResponse, started: float) -> dict[str, Any]:
        match = getattr(request, "resolver_match", None)
        # Only a user already loaded by the request: logging never costs a session query.
        user = getattr(request, "_cached_user", None)
        organisation = getattr(request, "organisation", None)
        return {
            "request_id": request.request_id,  # type: ignore[attr-defined]
            "method": request.method,
            "route": match.route if match is not None else "(unresolved)",
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
            "organisation_id": getattr(organisation, "pk", None),
        }


class TextFormatter(logging.Formatter):
    """The text format, with the request fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        # The standard formatter prints (and caches on the record) the full traceback; print the
        # safe one instead, and leave the record as it was for the other handlers.
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_text, record.exc_info, record.stack_info = safe_exception(record), None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        extra = " ".join(
            f"{name}={getattr(record, name)}"
            for name in FIELDS
            if getattr(record, name, None) is not None
        )
        return f"{text} {extra}" if extra else text
