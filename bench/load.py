"""Load: 50 caseworkers, 10 supervisors, 10 service providers and 2 data officers, with Locust.

Usage (after bench/seed.py N --db postgres; issue 21 asks for a million cases):

    .venv/bin/python bench/load.py --db postgres --duration 600

It prepares the benchmark database the way bench/pages.py does (a case for every seeded person,
the bench caseworker's caseload with its tasks, the bench provider's referrals, the dashboards'
counts) and adds a bench data officer. It opens one logged-in, two-factor-verified session per
simulated user, starts gunicorn on the benchmark database and lets Locust (headless, driven from
Python: ``locust.env.Environment`` and its local runner) play the users for ``--duration``
seconds, each pausing to read a page (``--think`` seconds on average, uniform between half and
one and a half times that) before the next click:

* caseworkers: their home page, the case list, one of their cases, a name search (POST, as the
  page sends it) and a note added to one of their cases (a write);
* supervisors: their home page (cases by stage, team workload), the case list, any case of the
  organisation, a search, a note;
* service providers: their home page, the referrals inbox and the packet of an open referral;
* data officers: their home page, the evidence dashboard and the indicators.

A request counts as an error unless it answers 200 (302 for a note, which redirects to the
case); redirects are not followed, so a session sent to the login page is an error too. It
prints per page: requests, errors, median and p95; the total errors (0 is the target); then,
with the server stopped, checks that every note the server acknowledged is in the database and
verifies the audit chain (``salama.core.audit.iter_problems``, what ``salama audit verify``
runs). The last line holds the figures as ``key=value``.

Locust patches the standard library for gevent when imported, so the Django work (preparing
the database, verifying afterwards) runs in child processes of this script and the main process
imports Locust only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PORT = 8798
BENCH_DATA_OFFICER = "bench-data-officer@salama.invalid"
ROLES = {  # role → (how many by default, what the user classes call it)
    "caseworker": 50,
    "supervisor": 10,
    "provider": 10,
    "data_officer": 2,
}
NOTE_TEXT = "Load test: called the client back; the appointment is confirmed for next week."


# Child process work (Django) ---------------------------------------------------------------------


def _django(db: str) -> Any:
    sys.path.insert(0, str(BENCH))
    import common

    common.setup_django(db)
    return common


def _ensure_data_officer() -> None:
    from common import BENCH_USER  # type: ignore[import-not-found]

    from salama.accounts.models import Membership, User
    from salama.core.roles import Role

    org = User.objects.get(email=BENCH_USER).memberships.get().organisation
    user = User.objects.filter(email=BENCH_DATA_OFFICER).first() or User.objects.create_user(
        email=BENCH_DATA_OFFICER, password=None, full_name="Benchmark data officer"
    )
    Membership.objects.get_or_create(
        user=user, organisation=org, defaults={"role": Role.DATA_OFFICER}
    )


def _caseload(minimum: int = 100) -> list[str]:
    """The bench caseworker's cases (topped up to `minimum` on a small seed)."""
    import pages  # type: ignore[import-not-found]
    from django.db import connection

    from salama.accounts.models import User
    from salama.cases.models import Case

    caseworker = User.objects.get(email=pages.BENCH_CASEWORKER)
    mine = Case.objects.filter(assigned_to=caseworker, closed_at__isnull=True)
    if mine.count() < minimum:
        extra = list(
            Case.objects.exclude(assigned_to=caseworker).values_list("id", flat=True)[:minimum]
        )
        with connection.cursor() as cursor:
            for pk in extra:
                cursor.execute(
                    "UPDATE cases_case SET assigned_to_id = %s WHERE id = %s", [caseworker.pk, pk]
                )
    return [str(pk) for pk in mine.values_list("id", flat=True)[:2000]]


def _open_referrals() -> list[str]:
    """The bench provider's open referrals, each with the packet a real send stores."""
    from salama.referrals.choices import ReferralStatus
    from salama.referrals.models import Referral
    from salama.referrals.packets import build_packet

    open_ = [ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED, ReferralStatus.ACCEPTED]
    rows = Referral.objects.filter(service__name="Benchmark shelter", status__in=open_)
    for referral in rows.select_related("case__person"):
        if referral.packet is None:  # bench/pages.py makes its referrals without one
            referral.packet = build_packet(referral.case, referral.packet_fields)
            referral.save(update_fields=["packet"])
    return [str(pk) for pk in rows.values_list("id", flat=True)[:2000]]


def prepare(db: str, users: dict[str, int], out: Path, cold: bool) -> None:
    common = _django(db)
    import pages  # type: ignore[import-not-found]
    from django.db import connection

    from salama.cases.models import CaseNote
    from salama.core.models import AuditEntry

    cases = pages._ensure_cases()
    home = pages._ensure_home_work()
    pages._ensure_evidence_counts()
    _ensure_data_officer()
    caseload = _caseload()
    emails = {
        "caseworker": pages.BENCH_CASEWORKER,
        "supervisor": common.BENCH_USER,
        "provider": pages.BENCH_PROVIDER,
        "data_officer": BENCH_DATA_OFFICER,
    }
    plan = {
        "cases": cases,
        "caseload": len(caseload),
        "referrals": home["referrals"],
        "sessions": {role: pages._sessions(n, emails[role]) for role, n in users.items()},
        "caseworker_cases": caseload,
        "org_cases": pages._case_ids(),
        "open_referrals": _open_referrals(),
        "notes_before": CaseNote.objects.count(),
        "audit_before": AuditEntry.objects.count(),
        "warm": "" if cold else common.warm_cache(),
        "cpu_ms": common.cpu_calibration_ms(),
    }
    connection.close()
    out.write_text(json.dumps(plan), encoding="utf-8")


def verify(db: str, out: Path) -> None:
    _django(db)
    from salama.cases.models import CaseNote
    from salama.core import audit

    report = audit.VerifyReport()
    started = time.perf_counter()
    problems = [str(p) for p in audit.iter_problems(report=report)]
    result = {
        "notes_after": CaseNote.objects.count(),
        "audit_entries": report.entries,
        "audit_problems": problems[:5],
        "audit_problem_count": len(problems),
        "verify_s": round(time.perf_counter() - started, 1),
    }
    out.write_text(json.dumps(result), encoding="utf-8")


# The load (Locust, gevent) -----------------------------------------------------------------------


def _user_classes(plan: dict[str, Any], think: float) -> list[type]:
    from locust import HttpUser, between, task

    host = f"http://127.0.0.1:{PORT}"
    pools = {role: list(sessions) for role, sessions in plan["sessions"].items()}
    rng = random.Random(21)  # noqa: S311 - choosing pages, not secrets

    class Staff(HttpUser):
        abstract = True
        role = ""
        wait_time = between(0.5 * think, 1.5 * think)

        def on_start(self) -> None:
            self.cookie, self.csrf = pools[self.role].pop()
            self.client.cookies.set("sessionid", self.cookie)
            self.client.cookies.set("csrftoken", self.csrf)

        def page(self, path: str, name: str) -> None:
            with self.client.get(
                path, name=f"{self.role}: {name}", allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

        def search(self) -> None:
            query = rng.choice(QUERIES)
            with self.client.post(
                "/people/",
                data={"q": query, "csrfmiddlewaretoken": self.csrf},
                headers={"X-CSRFToken": self.csrf, "Referer": f"{host}/people/"},
                name=f"{self.role}: search",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

        def note(self, case_id: str) -> None:
            with self.client.post(
                f"/cases/{case_id}/notes/",
                data={"body": NOTE_TEXT, "csrfmiddlewaretoken": self.csrf},
                headers={"X-CSRFToken": self.csrf, "Referer": f"{host}/cases/{case_id}/"},
                name=f"{self.role}: add note",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code in (200, 302):
                    ACKNOWLEDGED["notes"] += 1
                else:
                    response.failure(f"HTTP {response.status_code}")

    mine, everyone = plan["caseworker_cases"], plan["org_cases"]

    class Caseworker(Staff):
        role = "caseworker"
        fixed_count = len(plan["sessions"]["caseworker"])

        @task(3)
        def home(self) -> None:
            self.page("/", "home")

        @task(2)
        def case_list(self) -> None:
            self.page("/cases/", "case list")

        @task(4)
        def case_page(self) -> None:
            self.page(f"/cases/{rng.choice(mine)}/", "case page")

        @task(2)
        def find(self) -> None:
            self.search()

        @task(2)
        def add_note(self) -> None:
            self.note(rng.choice(mine))

    class Supervisor(Staff):
        role = "supervisor"
        fixed_count = len(plan["sessions"]["supervisor"])

        @task(3)
        def home(self) -> None:
            self.page("/", "home")

        @task(3)
        def case_list(self) -> None:
            self.page(f"/cases/?page={rng.randint(1, 20)}", "case list")

        @task(3)
        def case_page(self) -> None:
            self.page(f"/cases/{rng.choice(everyone)}/", "case page")

        @task(1)
        def find(self) -> None:
            self.search()

        @task(1)
        def add_note(self) -> None:
            self.note(rng.choice(everyone))

    referrals = plan["open_referrals"]

    class Provider(Staff):
        role = "provider"
        fixed_count = len(plan["sessions"]["provider"])

        @task(2)
        def home(self) -> None:
            self.page("/", "home")

        @task(4)
        def inbox(self) -> None:
            self.page("/referrals/inbox/", "referrals inbox")

        @task(2)
        def packet(self) -> None:
            if referrals:
                self.page(f"/referrals/inbox/{rng.choice(referrals)}/", "referral packet")

    class DataOfficer(Staff):
        role = "data_officer"
        fixed_count = len(plan["sessions"]["data_officer"])

        @task(1)
        def home(self) -> None:
            self.page("/", "home")

        @task(3)
        def dashboard(self) -> None:
            self.page("/evidence/", "dashboard")

        @task(1)
        def indicators(self) -> None:
            self.page("/evidence/indicators/", "indicators")

    classes: list[type] = [Caseworker, Supervisor, Provider, DataOfficer]
    return [c for c in classes if c.fixed_count]


QUERIES = ("Mohammed Hassan", "Mamadou Diallo", "Fatima", "Олександр", "محمد علي", "Tesfaye")
ACKNOWLEDGED = {"notes": 0}


def _run_locust(plan: dict[str, Any], args: argparse.Namespace) -> Any:
    import gevent
    from locust import events
    from locust.env import Environment

    classes = _user_classes(plan, args.think)
    # stop_timeout: at the end every user finishes the request it is in, so that each note the
    # server stored was also counted as acknowledged.
    env = Environment(
        user_classes=classes, host=f"http://127.0.0.1:{PORT}", events=events, stop_timeout=120
    )
    runner = env.create_local_runner()
    total = sum(c.fixed_count for c in classes)
    runner.start(total, spawn_rate=max(1, total / 10))
    gevent.spawn_later(args.duration + total / max(1, total / 10), runner.quit)
    runner.greenlet.join()
    return env.stats


# Main ----------------------------------------------------------------------------------------


def _bench_env(db: str) -> dict[str, str]:
    """The environment of the children and the server: the benchmark database (common.py)."""
    env = dict(os.environ)
    env.setdefault("SALAMA_VAR_DIR", str(ROOT / "var" / "bench"))
    if db == "postgres":
        url = env.get("BENCH_DATABASE_URL") or env.get("DATABASE_URL")
        env["DATABASE_URL"] = url or "postgres://postgres@127.0.0.1:54332/salama_bench"
    else:
        env.pop("DATABASE_URL", None)
    return env


def _child(mode: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, f"--{mode}", str(out), "--db", args.db]
    command += [f"--{role.replace('_', '-')}s={n}" for role, n in _counts(args).items()]
    if args.cold:
        command.append("--cold")
    subprocess.run(command, check=True, cwd=ROOT, env=_bench_env(args.db))  # noqa: S603
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _counts(args: argparse.Namespace) -> dict[str, int]:
    return {role: getattr(args, f"{role}s") for role in ROLES}


def _start_server(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    # The simulated users of one role share one account, so the per-user search limit is lifted.
    env = dict(
        _bench_env(args.db),
        DEBUG="0",
        SALAMA_DEMO="0",
        LOG_LEVEL="ERROR",
        SALAMA_SEARCHES_PER_MINUTE="0",
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "salama.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-k",
            "gthread",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()  # kept-alive connections hold graceful shutdown
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--duration", type=float, default=600, help="seconds (default 600)")
    for role, n in ROLES.items():
        parser.add_argument(f"--{role.replace('_', '-')}s", type=int, default=n)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between clicks")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--cold", action="store_true", help="skip reading the database into memory")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--verify", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.db, _counts(args), args.prepare, args.cold)
        return
    if args.verify:
        verify(args.db, args.verify)
        return

    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    print("preparing the benchmark database and the sessions…", flush=True)
    plan = _child("prepare", args, work / "load-plan.json")
    if plan["warm"]:
        print(plan["warm"], flush=True)
    server = _start_server(args)
    try:
        started = time.time()
        stats = _run_locust(plan, args)
        elapsed = time.time() - started
    finally:
        _stop(server)
    (work / "load-plan.json").unlink()  # it holds live session cookies
    after = _child("verify", args, work / "load-verify.json")

    users = _counts(args)
    print(
        f"\nLoad: {', '.join(f'{n} {role}s' for role, n in users.items()).replace('_', ' ')}; "
        f"{args.duration:.0f} s, think {args.think:g} s, {args.db}, {plan['cases']:,} cases"
        f" (the caseworker's {plan['caseload']:,}, {plan['referrals']:,} referrals)"
    )
    print(f"{'page':<32}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}")
    figures: dict[str, Any] = {
        "db": args.db,
        "duration_s": args.duration,
        "think_s": args.think,
        "cases": plan["cases"],
        "cpu_ms": plan["cpu_ms"],
        **{f"{role}s": n for role, n in users.items()},
    }
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        p50 = entry.get_response_time_percentile(0.5)
        p95 = entry.get_response_time_percentile(0.95)
        print(f"{entry.name:<32}{entry.num_requests:>10}{entry.num_failures:>8}{p50:>10}{p95:>10}")
        key = entry.name.replace(": ", "_").replace(" ", "_")
        figures.update({f"{key}_n": entry.num_requests, f"{key}_p95_ms": p95})
    total = stats.total
    print(
        f"{'all':<32}{total.num_requests:>10}{total.num_failures:>8}"
        f"{total.get_response_time_percentile(0.5):>10}"
        f"{total.get_response_time_percentile(0.95):>10}"
    )
    for error in stats.errors.values():
        print(f"  error: {error.name} {error.error} ×{error.occurrences}")
    stored = after["notes_after"] - plan["notes_before"]
    lost = max(0, ACKNOWLEDGED["notes"] - stored)
    print(
        f"\ntotal errors: {total.num_failures} (target 0); "
        f"{total.num_requests / elapsed:.1f} requests/s"
    )
    print(f"notes acknowledged by the server: {ACKNOWLEDGED['notes']}, in the database: {stored}")
    if after["audit_problem_count"]:
        print(
            f"audit chain: {after['audit_problem_count']} problem(s), first: {after['audit_problems']}"
        )
    else:
        print(
            f"audit chain: verified, {after['audit_entries']:,} entries, no break"
            f" ({after['verify_s']} s)"
        )
    figures.update(
        requests=total.num_requests,
        errors=total.num_failures,
        rps=round(total.num_requests / elapsed, 1),
        p95_ms=total.get_response_time_percentile(0.95),
        notes_acknowledged=ACKNOWLEDGED["notes"],
        notes_lost=lost,
        audit_entries=after["audit_entries"],
        audit_problems=after["audit_problem_count"],
    )
    line = " ".join(f"{k}={v}" for k, v in figures.items())
    (work / f"load-{args.db}.json").write_text(json.dumps(figures), encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
