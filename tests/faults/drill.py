"""Run Python in a child process that shares the test's database, and let it die at a point.

The child is a fresh interpreter with Django set up against the database the test uses (the
SQLite test file, or the PostgreSQL test database), the same keys and media folder, and
``SALAMA_FAULT_INJECTION=1 SALAMA_FAULT_AT=<point>`` (salama/core/faults.py), so that it sends
itself SIGKILL in the middle of the work. The test then looks at what the dead process left.
Tests using it need ``django_db(transaction=True)``: the child sees only committed data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """\
import os, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "salama.settings"
import django
django.setup()
"""


def database_url(alias: str = "default") -> str:
    """The URL of a database this test runs on (the test database, not the configured one)."""
    from django.db import connections

    connection = connections[alias]
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(str(s["USER"] or ""))
    if s.get("PASSWORD"):
        auth += ":" + quote(str(s["PASSWORD"]))
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{s['NAME']}"


def child_env(fault_at: str | None, **extra: str) -> dict[str, str]:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        SALAMA_KEYSTORE_URL=database_url("keys"),
        SECRET_KEY=settings.SECRET_KEY,
        SALAMA_KEK=settings.SALAMA_KEK,
        SALAMA_KEK_RETIRED=",".join(settings.SALAMA_KEK_RETIRED),
        SALAMA_INDEX_KEY=settings.SALAMA_INDEX_KEY,
        SALAMA_AUDIT_KEY=settings.SALAMA_AUDIT_KEY,
        SALAMA_AUDIT_ANCHOR=str(settings.SALAMA_AUDIT_ANCHOR),
        SALAMA_AUDIT_ANCHOR_INTERVAL="0",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        SALAMA_ENV="development",
        LOG_LEVEL="ERROR",
    )
    for name in ("SALAMA_FAULT_INJECTION", "SALAMA_FAULT_AT", "SALAMA_KEK_RETIRED_LIST"):
        env.pop(name, None)
    if fault_at is not None:
        env.update(SALAMA_FAULT_INJECTION="1", SALAMA_FAULT_AT=fault_at)
    env.update(extra)
    return env


def run(code: str, *, fault_at: str | None, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `code` (after Django's set-up) in a child process; returns it once it has ended."""
    from django.db import connections

    # SQLite: the test's own connection must not hold a transaction the child would wait on.
    connections.close_all()
    return subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        cwd=ROOT,
        env=child_env(fault_at, **extra),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def killed(result: subprocess.CompletedProcess[Any]) -> bool:
    """True when the child died of SIGKILL (and so ran no clean-up of its own)."""
    return result.returncode == -signal.SIGKILL


def chain_problems() -> list[str]:
    from salama.core import audit

    return [str(problem) for problem in audit.iter_problems()]
