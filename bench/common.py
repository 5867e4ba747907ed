"""Shared set-up for the benchmarks: a dedicated database, never the development one.

``--db sqlite`` uses ``$SALAMA_VAR_DIR/salama.sqlite3`` with ``SALAMA_VAR_DIR`` defaulting to
``var/bench``; ``--db postgres`` uses ``$DATABASE_URL`` or, when unset, the ``salama_bench``
database on 127.0.0.1:54332 (see bench/README.md). The keys are the throwaway development keys
of ``var/bench`` in both cases, so a database seeded once can be searched by later runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:54332/salama_bench"
BENCH_ORG = "Salama benchmark organisation"
BENCH_USER = "bench@salama.invalid"


def setup_django(db: str) -> None:
    """Point Django at the benchmark database for `db` ("sqlite" or "postgres") and set it up."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SALAMA_VAR_DIR", str(BENCH_VAR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "salama.settings"
    if db == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = url or DEFAULT_PG_URL
    elif db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        raise SystemExit(f"--db must be sqlite or postgres, not {db!r}")
    var = Path(os.environ["SALAMA_VAR_DIR"]).resolve()
    if var == (ROOT / "var").resolve():
        raise SystemExit("refusing to benchmark in var/ (the development database)")
    var.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql" and "bench" not in name:
        raise SystemExit(f"refusing to benchmark in database {name!r}: its name lacks 'bench'")


def var_dir() -> Path:
    return Path(os.environ["SALAMA_VAR_DIR"]).resolve()


def person_uuid(seed: int, index: int) -> uuid.UUID:
    """The id of synthetic person number `index` (deterministic, random-looking)."""
    digest = hashlib.blake2b(f"salama-bench/{seed}/{index}".encode(), digest_size=16).digest()
    return uuid.UUID(bytes=digest, version=4)


def manifest_path(db: str) -> Path:
    return var_dir() / f"seed-{db}.json"


def write_manifest(db: str, data: dict[str, Any]) -> None:
    manifest_path(db).write_text(json.dumps(data, indent=2), encoding="utf-8")


def read_manifest(db: str) -> dict[str, Any]:
    path = manifest_path(db)
    if not path.exists():
        raise SystemExit(f"no seeded benchmark database for {db}: run bench/seed.py N --db {db}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def bench_principal() -> Any:
    """The owner of the synthetic persons, as a verified supervisor of the bench organisation."""
    from salama.accounts.models import User
    from salama.core.policy import Principal

    user = User.objects.get(email=BENCH_USER)
    return Principal(user=user, membership=user.memberships.first(), verified=True)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


def warm_cache() -> str:
    """Read the benchmark database into memory; say what was read.

    A server that has been up a while holds its hot pages in memory; the first queries after a
    restart read them from disk and are several times slower. The benchmarks measure the steady
    state (``--cold`` skips this step and measures the first pass instead). SQLite: the database
    file is read once into the operating system's page cache. PostgreSQL: ``pg_prewarm(…,
    'buffer')`` on every table and index of the schema, into PostgreSQL's shared buffers as a
    server up for a while holds them (the extension ships with PostgreSQL's contrib package;
    ``shared_buffers`` must be large enough, see bench/README.md).
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        size = path.stat().st_size
        # A second pass when the first left part of the file out (seen on this host after other
        # work had filled the page cache; the second read found room).
        for _ in range(2):
            with path.open("rb") as handle:
                while handle.read(16 << 20):
                    pass
            resident = _resident_bytes(path)
            if resident is None or resident >= 0.98 * size:
                break
        message = f"read {size / 2**30:.1f} GiB of {path.name} into the page cache"
        if resident is not None:
            message += f"; {resident / 2**30:.1f} GiB of it resident"
            if resident < 0.98 * size:
                message += (
                    " (WARNING: the file does not fit in the page cache beside what else holds"
                    " memory, e.g. the benchmark PostgreSQL's shared buffers; stop it first)"
                )
        return message
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT coalesce(sum(pg_prewarm(c.oid, 'buffer')), 0) FROM pg_class c "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')"
        )
        blocks = int(cursor.fetchone()[0])
    return f"pg_prewarm loaded {blocks * 8 / 2**20:.1f} GiB of tables and indexes"


def _resident_bytes(path: Path) -> int | None:
    """How much of ``path`` the page cache holds, from util-linux ``fincore`` (None without it)."""
    import shutil
    import subprocess

    if shutil.which("fincore") is None:
        return None
    result = subprocess.run(  # noqa: S603 - fixed program, our own file
        ["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return int(result.stdout.split()[0])
    except (IndexError, ValueError):
        return None


def cpu_calibration_ms() -> float:
    """Milliseconds this machine takes for a fixed piece of CPU work (best of three).

    The benchmarks run on a shared host whose speed drifts by a factor of 1.5 within an hour;
    each result carries this figure so that runs can be compared (lower is faster; 350-570 ms
    on the machine of docs/performance.md). Pure Python arithmetic, SHA-256 and an in-memory
    SQLite GROUP BY, single-threaded.
    """
    import sqlite3

    def once() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i * i % 7
        digest = b"x"
        for _ in range(200_000):
            digest = hashlib.sha256(digest).digest()
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (a, b)")
        db.executemany("INSERT INTO t VALUES (?, ?)", ((i % 1000, i) for i in range(200_000)))
        db.execute("SELECT a, SUM(b) FROM t GROUP BY a ORDER BY 2 DESC LIMIT 10").fetchall()
        db.close()
        return (time.perf_counter() - started) * 1000

    return round(min(once() for _ in range(3)), 1)
