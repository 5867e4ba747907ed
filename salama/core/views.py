from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from salama.core.auditwords import describe
from salama.core.home import panels_for
from salama.core.pagination import LightPage
from salama.core.policy import principal_for, require_perm, visible_audit_entries
from salama.core.roles import Perm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the person first: the panels their apps registered for their role."""
    return render(request, "core/home.html", {"panels": panels_for(principal_for(request))})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.AUDIT_VIEW)
    entries = visible_audit_entries(principal).order_by("-id")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    # No full COUNT(*): the audit table grows without bound.
    page: LightPage[Any] = LightPage(entries, request.GET.get("page"))
    query_string = urlencode({"action": action}) if action else ""
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "rows": describe(page),
            "action": action,
            "query_string": query_string,
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
