"""A full disk gives a clear answer: 507, nothing saved, in the user's language.

When a write fails because the disk is full — ``OSError`` with ``errno`` ENOSPC from a file
(an attachment, a release bundle, the cache), SQLite's "database or disk is full" (SQLITE_FULL),
or PostgreSQL's ``disk_full`` (SQLSTATE 53100) — the exception leaves the service's
``transaction.atomic`` block, which rolls back everything the request wrote. This module turns
that exception into a 507 Insufficient Storage answer saying so: a page for the pages
(``DiskFullMiddleware``), the usual JSON error for the API (``salama.core.apierrors``).

The log line names the request's method and URL pattern (``cases/<uuid:case_id>/notes/``, never
the path with its ids) and the kind of error; never the exception's message, which for a file
can hold its name (an uploaded file's name may be a person's name).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

logger = logging.getLogger("salama.diskfull")

STATUS = 507
MESSAGE = gettext_lazy(
    "The server has run out of disk space; nothing was saved. Tell your administrator."
)
PG_DISK_FULL = "53100"
SQLITE_FULL_TEXT = "database or disk is full"


def is_disk_full(exc: BaseException | None) -> bool:
    """True when `exc`, or an exception it was raised from, says the disk is full."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        if getattr(exc, "sqlstate", None) == PG_DISK_FULL:  # psycopg
            return True
        if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == 13:
            return True  # SQLITE_FULL
        if isinstance(exc, (sqlite3.Error, DatabaseError)) and SQLITE_FULL_TEXT in str(exc).lower():
            return True  # Django's wrapper of SQLITE_FULL keeps its message
        exc = exc.__cause__ or exc.__context__
    return False


def log(request: HttpRequest, exc: BaseException) -> None:
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else "-"
    kind = type(exc).__name__
    logger.error(
        "Disk full: %s %s was not saved (%s%s)",
        request.method,
        route or "/",
        kind,
        f", errno {exc.errno}" if isinstance(exc, OSError) else "",
    )


def api_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    from salama.core.apierrors import error_response

    log(request, exc)
    return error_response(STATUS, str(MESSAGE))


class DiskFullMiddleware:
    """Answer a page whose write met a full disk with the 507 page instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_disk_full(exception):
            return None
        if request.path.startswith("/api/"):
            return api_response(request, exception)
        log(request, exception)
        return render(request, "507.html", {"message": MESSAGE}, status=STATUS)
