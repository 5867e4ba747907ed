"""`/health/` for a load balancer: 200 while every check passes, 503 naming the failed one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from salama.core import health

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def get_health() -> Any:
    return Client().get("/health/")


def waiting_task(age: dt.timedelta) -> None:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="salama.core.tests.test_health.nothing",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - age)


def test_a_healthy_server_answers_200_to_anyone_without_logging_in(settings) -> None:
    settings.TASKS = DB_TASKS

    response = get_health()

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "tasks", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


def test_the_answer_names_no_version_path_or_person(settings, caseworker_a) -> None:
    text = get_health().content.decode()

    assert "version" not in text.lower()
    assert str(settings.VAR_DIR) not in text and str(settings.MEDIA_ROOT) not in text
    assert "@" not in text


def test_a_task_waiting_longer_than_the_limit_means_no_worker_is_running(settings) -> None:
    settings.TASKS = DB_TASKS
    settings.SALAMA_HEALTH_TASK_BACKLOG_SECONDS = 600
    waiting_task(dt.timedelta(minutes=30))

    response = get_health()

    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False and tasks["reason"] == "backlog"
    assert tasks["waiting"] == 1 and tasks["oldest_seconds"] >= 1800


def test_a_task_waiting_a_moment_is_healthy(settings) -> None:
    settings.TASKS = DB_TASKS
    waiting_task(dt.timedelta(seconds=5))

    assert get_health().status_code == 200


def test_low_disk_space_answers_503(settings) -> None:
    settings.SALAMA_HEALTH_MIN_FREE_MB = 10**12  # more than any disk holds

    response = get_health()

    assert response.status_code == 503
    assert response.json()["checks"]["disk"] == {"ok": False, "reason": "var-low"}


class _Unreachable:
    def cursor(self) -> Any:
        raise OperationalError("connection refused")


def test_an_unreachable_database_answers_503(monkeypatch) -> None:
    monkeypatch.setattr(health, "connections", {"default": _Unreachable(), "keys": _Unreachable()})

    response = get_health()

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "reason": "unreachable"}


def test_an_unreachable_key_store_answers_503_while_the_data_database_is_fine(monkeypatch) -> None:
    from django.db import connections

    assert health.check_key_store()["ok"] is True  # reachable as configured
    monkeypatch.setattr(
        health, "connections", {"default": connections["default"], "keys": _Unreachable()}
    )

    response = get_health()

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["key_store"] == {"ok": False, "reason": "unreachable"}


def test_health_answers_only_get(client) -> None:
    assert client.post("/health/").status_code == 405
