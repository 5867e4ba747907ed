"""`/health/`: is this process fit to take traffic? JSON for a load balancer or a monitor.

Checks the data database and the key store (a `SELECT 1` each), the task worker (the oldest
task waiting to run must not be older than SALAMA_HEALTH_TASK_BACKLOG_SECONDS: a worker that
died shows as a growing backlog) and the disk (free space under SALAMA_VAR_DIR and MEDIA_ROOT
at least SALAMA_HEALTH_MIN_FREE_MB). Answers 200 when every check passes, 503 otherwise.

It holds no identifying data, no version and no path: only which check failed, so that the
page is safe to leave open to anyone who can reach the server. `/healthz` stays the cheap
liveness probe (the process answers).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

DB_TASKS_BACKEND = "django_tasks_db.DatabaseBackend"


def _select_one(alias: str) -> dict[str, Any]:
    started = time.monotonic()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return {"ok": False, "reason": "unreachable"}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_database() -> dict[str, Any]:
    return _select_one("default")


def check_key_store() -> dict[str, Any] | None:
    """The key store's database, once it has its own alias; None while it has not."""
    if "keys" not in settings.DATABASES:
        return None
    return _select_one("keys")


def check_tasks() -> dict[str, Any] | None:
    """The backlog of the database task queue; None when tasks run another way."""
    if settings.TASKS.get("default", {}).get("BACKEND") != DB_TASKS_BACKEND:
        return None
    from django_tasks_db.models import DBTaskResult, get_date_max

    try:
        ready = DBTaskResult.objects.ready()
        oldest = ready.order_by("enqueued_at").values("enqueued_at", "run_after").first()
        waiting = ready.count()
    except DatabaseError:
        return {"ok": False, "reason": "unreachable"}
    age = 0
    if oldest is not None:
        since = oldest["enqueued_at"]
        if oldest["run_after"] != get_date_max():
            since = max(since, oldest["run_after"])
        age = max(0, int((timezone.now() - since).total_seconds()))
    limit = settings.SALAMA_HEALTH_TASK_BACKLOG_SECONDS
    result: dict[str, Any] = {"ok": age <= limit, "waiting": waiting, "oldest_seconds": age}
    if age > limit:
        result["reason"] = "backlog"  # no worker is taking tasks
    return result


def check_disk() -> dict[str, Any]:
    needed = settings.SALAMA_HEALTH_MIN_FREE_MB * 1024 * 1024
    for name, folder in (("var", settings.VAR_DIR), ("media", settings.MEDIA_ROOT)):
        path = Path(folder)
        while not path.exists() and path != path.parent:
            path = path.parent
        try:
            free = shutil.disk_usage(path).free
        except OSError:
            return {"ok": False, "reason": f"{name}-unreadable"}
        if free < needed:
            return {"ok": False, "reason": f"{name}-low"}
    return {"ok": True}


CHECKS: dict[str, Callable[[], dict[str, Any] | None]] = {
    "database": check_database,
    "key_store": check_key_store,
    "tasks": check_tasks,
    "disk": check_disk,
}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {name: found for name, check in CHECKS.items() if (found := check()) is not None}
    healthy = all(found["ok"] for found in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503
    )
