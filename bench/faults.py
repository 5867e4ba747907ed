"""Drill: PostgreSQL restarted under load (a crash, `-m immediate`) loses no committed write.

Usage (as root, which runs PostgreSQL's programs as the `postgres` user, or as `postgres`):

    .venv/bin/python bench/faults.py --writers 8 --duration 30 --restarts 2

It makes a scratch PostgreSQL cluster in a temporary folder (``initdb``; ``fsync`` and
``synchronous_commit`` left on, as in production — unlike the seeding cluster of bench/README.md),
migrates a database there with throwaway keys, and registers an organisation, a caseworker,
a person and a case through the services. Then ``--writers`` threads add notes to the case
through ``salama.cases.services.add_note`` in a loop, each with its own connection, and record the
id of every note whose transaction returned (committed: the server acknowledged it). In the
middle the server is killed and restarted ``--restarts`` times with ``pg_ctl restart -m immediate``
(no checkpoint, no clean shut-down: PostgreSQL recovers from its write-ahead log, as after a power
cut). A writer whose call fails (the connection died) closes its connection and tries again; a
write whose answer was lost is counted as *unknown* — it may or may not have committed, which the
caller cannot know, and a user would see an error and check. Attempts refused while the server
was down are counted with them (``failed_attempts``); ``stored - acknowledged`` is how many of
them had in fact committed.

Afterwards: every acknowledged note must be in the database, the audit chain must verify
(``salama.core.audit.iter_problems``), and there must be exactly one audit entry per stored note.
The scratch cluster is removed at the end (``--keep`` keeps it). Last line ``key=value …``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise SystemExit("no PostgreSQL programs under /usr/lib/postgresql/*/bin")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    """Run a PostgreSQL program as the postgres user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port
        self.data, self.log = base / "data", base / "log"
        self.bin = _pg_bin()

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True)  # noqa: S603

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-N")  # fmt: skip
        # -N only skips initdb's own final fsync; the server runs with fsync on.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n")

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, *args)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def _writer(
    stop: threading.Event, actor: Any, case_id: Any, number: int, out: dict[str, Any]
) -> None:
    from django.db import connection

    from salama.cases.models import Case
    from salama.cases.services import add_note

    acked, unknown, errors = out["acked"], [0], []
    n = 0
    case = None
    while not stop.is_set():
        n += 1
        try:
            if case is None:
                case = Case.objects.get(pk=case_id)
            note = add_note(actor=actor, case=case, body=f"writer {number} note {n}")
            acked.append(note.pk)
        except Exception as exc:  # noqa: BLE001 - the server died under us: reconnect, retry
            unknown[0] += 1
            errors.append(type(exc).__name__)
            connection.close()
            case = None
            time.sleep(0.1)
    connection.close()
    with out["lock"]:
        out["unknown"] += unknown[0]
        out["errors"].extend(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30, help="seconds of writing")
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch cluster")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="salama-pgdrill-"))
    cluster = Cluster(base, _free_port())
    var = base / "var"
    var.mkdir()
    started_at = time.time()
    try:
        print(f"scratch cluster in {base} on port {cluster.port} (fsync on)", flush=True)
        cluster.create()
        cluster.pg_ctl("start")
        subprocess.run(  # noqa: S603
            _as_postgres([str(cluster.bin / "createdb"), "-h", "127.0.0.1", "-p",
                          str(cluster.port), "-U", "postgres", "salama_drill"]),
            check=True,
        )  # fmt: skip
        os.environ.update(
            DJANGO_SETTINGS_MODULE="salama.settings",
            DATABASE_URL=cluster.url("salama_drill"),
            SALAMA_VAR_DIR=str(var),
            SALAMA_ENV="development",
            DEBUG="0",
            DB_CONN_MAX_AGE="0",
            CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
            TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
            LOG_LEVEL="CRITICAL",
        )
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        print("migrating the scratch database…", flush=True)
        call_command("migrate", verbosity=0)
        report = _drill(cluster, args)
    finally:
        from django.db import connections

        connections.close_all()
        try:
            cluster.pg_ctl("stop", "-m", "fast")
        except subprocess.CalledProcessError:
            pass
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    report["total_s"] = round(time.time() - started_at, 1)
    print(" ".join(f"{k}={v}" for k, v in report.items()))
    if report["lost"] or report["audit_problems"] or report["audit_mismatch"]:
        raise SystemExit(1)


def _drill(cluster: Cluster, args: argparse.Namespace) -> dict[str, Any]:
    import datetime as dt

    from salama.accounts.models import Membership, Organisation, User
    from salama.cases.models import CaseNote
    from salama.cases.services import open_case
    from salama.core import audit
    from salama.core.models import AuditEntry
    from salama.core.policy import Principal
    from salama.core.roles import Role
    from salama.people.services import register_person

    org = Organisation.objects.create(
        name="Drill organisation", org_type="NGO", country="KE", reference_prefix="DRL"
    )
    user = User.objects.create_user(email="drill@salama.invalid", password=None, full_name="Drill")
    membership = Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    actor = Principal(user=user, membership=membership, verified=True)
    person = register_person(
        actor=actor, given_name="Amina", family_name="Drill", date_of_birth=dt.date(1994, 5, 17)
    )
    case = open_case(actor=actor, person=person, case_type="trafficking")
    from django.db import connection

    connection.close()

    out: dict[str, Any] = {"acked": [], "unknown": 0, "errors": [], "lock": threading.Lock()}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(stop, actor, case.pk, i, out))
        for i in range(args.writers)
    ]
    print(
        f"{args.writers} writers for {args.duration:g} s, {args.restarts} immediate restart(s)…",
        flush=True,
    )
    for t in threads:
        t.start()
    restart_times = []
    gap = args.duration / (args.restarts + 1)
    for _ in range(args.restarts):
        time.sleep(gap)
        before = len(out["acked"])
        t0 = time.perf_counter()
        cluster.pg_ctl("restart", "-m", "immediate")
        restart_times.append(round(time.perf_counter() - t0, 1))
        print(f"  restarted (immediate) after {before} acknowledged notes", flush=True)
    time.sleep(gap)
    stop.set()
    for t in threads:
        t.join()

    acked = set(out["acked"])
    stored = set(CaseNote.objects.filter(case=case).values_list("id", flat=True))
    lost = acked - stored
    notes_audited = AuditEntry.objects.filter(action="case.note").count()
    problems = list(audit.iter_problems())
    print(
        f"acknowledged {len(acked)}, stored {len(stored)}, lost {len(lost)}, "
        f"failed attempts {out['unknown']} ({', '.join(sorted(set(out['errors']))) or 'none'}); "
        f"audit chain: {'verified' if not problems else f'{len(problems)} problem(s)'}"
    )
    return {
        "writers": args.writers,
        "duration_s": args.duration,
        "restarts": args.restarts,
        "restart_s": ",".join(map(str, restart_times)),
        "acknowledged": len(acked),
        "stored": len(stored),
        "lost": len(lost),
        "failed_attempts": out["unknown"],
        "committed_unacknowledged": len(stored - acked),
        "audit_entries": AuditEntry.objects.count(),
        "audit_problems": len(problems),
        # One audit entry per stored note: a note without its entry (or the reverse) is a
        # half-written transaction.
        "audit_mismatch": abs(notes_audited - len(stored)),
    }


if __name__ == "__main__":
    main()
