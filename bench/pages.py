"""Case list, case view, search and home pages under concurrent simulated users.

Usage (after bench/seed.py N --db sqlite|postgres):

    .venv/bin/python bench/pages.py --db sqlite --users 50 --duration 60

It gives every seeded person a case (one SQL statement, once), then the work the home pages read
(once): a bench caseworker carrying one case in 4,096 (about 244 at a million) with a task on
each, due from ten days ago to twenty days ahead, and a bench service provider of the same
organisation whose service received a referral from each of those cases (open and closed,
some past their deadline). It starts gunicorn on the benchmark database, opens logged-in,
two-factor-verified sessions of the supervisor, the caseworker and the provider per simulated
user, and lets the users loop over: the case list (a random page of the first 20), a random case
page, a name search (POST, as the UI does), and the home pages of the caseworker, the supervisor
(cases by stage and team workload over every case of the organisation) and the provider. It
prints median, p95, throughput and errors per page and ends with one `key=value` line. Targets
(issue 3, and issue 15 for the home pages): p95 ≤ 150 ms, no errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_USER, ROOT, cpu_calibration_ms, percentile, setup_django, warm_cache  # noqa: E402

PORT = 8799
PAGES = ("case_list", "case_view", "search", "home_caseworker", "home_supervisor", "home_provider")
# The evidence dashboard (the supervisor's, exact counts), read from the pre-aggregated counts.
PAGES += ("dashboard",)
# Who asks for each page (the others are the supervisor's).
HOME_OF = {"home_caseworker": "caseworker", "home_provider": "provider"}
BENCH_CASEWORKER = "bench-caseworker@salama.invalid"
BENCH_PROVIDER = "bench-provider@salama.invalid"
# The caseworker carries the cases whose id ends in these hex digits: one in 4,096.
CASELOAD_SUFFIX = "000"
QUERIES = (
    "Mohammed Hassan",
    "Mamadou Diallo",
    "Fatima",
    "Олександр",
    "محمد علي",
    "Tesfaye",
    "Aminata Traore",
)


def _ensure_cases() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        existing = cursor.fetchone()[0]
        if existing:
            return int(existing)
        now = "2026-01-01 00:00:00"
        cursor.execute(
            "INSERT INTO cases_case (id, reference, organisation_id, person_id, case_type, stage, "
            "stage_table_version, stage_changed_at, assigned_to_id, supervisor_id, jurisdiction, "
            "opened_at, reflection_starts, reflection_ends, closed_at, closure_reason, "
            "stage_before_closure, is_child_case, best_interests_flag, summary, version, updated_at, "
            "retention_erased_at) "
            "SELECT id, 'B-' || CAST(id AS TEXT), registered_by_id, id, 'trafficking', 'screened', "
            "'1', %s, created_by_id, NULL, 'KE', created_at, NULL, NULL, NULL, '', '', "
            "false, false, NULL, 1, %s, NULL FROM people_person",
            [now, now],
        )
        # Statistics for the planner, as autovacuum gathers them on a live PostgreSQL database:
        # right after this bulk insert PostgreSQL otherwise sorted a whole organisation's
        # million cases for one page of the case list (27 s).
        cursor.execute("ANALYZE")
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        return int(cursor.fetchone()[0])


def _ensure_home_work() -> dict[str, int]:
    """The bench caseworker and provider, and the work their home pages read (made once)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from salama.accounts.models import Membership, User
    from salama.cases.models import Case, Task
    from salama.core.roles import Role
    from salama.referrals.choices import ReferralStatus
    from salama.referrals.directory import ensure_provider
    from salama.referrals.models import Referral, Service

    supervisor = User.objects.get(email=BENCH_USER)
    org = supervisor.memberships.get().organisation
    users = {}
    for email, name, role in (
        (BENCH_CASEWORKER, "Benchmark caseworker", Role.CASEWORKER),
        (BENCH_PROVIDER, "Benchmark service provider", Role.SERVICE_PROVIDER),
    ):
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=None, full_name=name
        )
        Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})
        users[role] = user
    caseworker = users[Role.CASEWORKER]
    if not Task.objects.filter(assigned_to=caseworker).exists():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET assigned_to_id = %s "
                "WHERE organisation_id = %s AND CAST(id AS TEXT) LIKE %s",
                [caseworker.pk, org.pk, f"%{CASELOAD_SUFFIX}"],
            )
    cases = list(
        Case.objects.filter(assigned_to=caseworker).values_list("id", "person_id", "opened_at")
    )
    today, now = timezone.localdate(), timezone.now()
    if not Task.objects.filter(assigned_to=caseworker).exists():
        Task.objects.bulk_create(
            Task(
                case_id=case_id,
                due_on=today + dt.timedelta(days=i % 30 - 10),
                assigned_to=caseworker,
                created_by=caseworker,
            )
            for i, (case_id, _person, _opened) in enumerate(cases)
        )
    service, _ = Service.objects.get_or_create(
        provider=ensure_provider(org),
        name="Benchmark shelter",
        defaults={"service_type": "accommodation", "country": org.country},
    )
    statuses = [
        ReferralStatus.SENT,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.COMPLETED,
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
    ]
    referrals = []
    # Made once, like the tasks (a reference is unique, so each gets its own).
    made = Referral.objects.filter(service=service).exists()
    for i, (case_id, person_id, _opened) in enumerate([] if made else cases):
        status = statuses[i % len(statuses)]
        is_open = status in (
            ReferralStatus.SENT,
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.ACCEPTED,
        )
        referrals.append(
            Referral(
                case_id=case_id,
                person_id=person_id,
                service=service,
                from_organisation=org,
                to_organisation=org,
                sent_by=caseworker,
                reference=f"BENCH-REF-{i:06d}",
                status=status,
                service_type=service.service_type,
                packet_fields=["age_band"],
                sent_at=now - dt.timedelta(days=i % 12),
                due_at=now + dt.timedelta(days=i % 10 - 4) if is_open else None,
            )
        )
    if referrals:
        Referral.objects.bulk_create(referrals)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "caseload": Case.objects.filter(assigned_to=caseworker).count(),
        "referrals": Referral.objects.filter(to_organisation=org).count(),
    }


def _sessions(n: int, email: str) -> list[tuple[str, str]]:
    """(session cookie, csrf secret) for n verified sessions of the bench user `email`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from salama.accounts.models import User

    user = User.objects.get(email=email)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    out = []
    for _ in range(n):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["otp_device_id"] = device.persistent_id
        session.set_expiry(3600)
        session.save()
        out.append((session.session_key, _get_new_csrf_string()))
    return out


def _case_ids(limit: int = 2000) -> list[str]:
    from salama.cases.models import Case

    return [
        str(pk) for pk in Case.objects.order_by("-opened_at").values_list("id", flat=True)[:limit]
    ]


def _ensure_evidence_counts() -> float:
    """Rebuild the dashboards' counts of every organisation (what `evidence_refresh --all` does
    in the background); returns the seconds it took."""
    from salama.accounts.models import Organisation
    from salama.evidence import counts

    start = time.perf_counter()
    for org_id in Organisation.objects.values_list("pk", flat=True):
        counts.refresh(org_id)
    elapsed = time.perf_counter() - start
    print(f"evidence counts rebuilt in {elapsed:.1f} s", flush=True)
    return round(elapsed, 1)


Sessions = list[dict[str, tuple[str, str]]]  # per simulated user: role → (cookie, csrf secret)


def _user_loop(args: tuple[Sessions, list[str], float, int, float]) -> dict[str, Any]:
    sessions, case_ids, deadline, seed, think = args
    results: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: dict[str, int] = {p: 0 for p in PAGES}
    lock = threading.Lock()

    def one_user(own: dict[str, tuple[str, str]], rng: random.Random) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.time() < deadline:
            if think:
                # A person reads the page before the next click (uniform, mean `think` s).
                time.sleep(rng.uniform(0, 2 * think))
            page = rng.choice(PAGES)
            cookie, csrf = own[HOME_OF.get(page, "supervisor")]
            headers = {"Cookie": f"sessionid={cookie}; csrftoken={csrf}", "Host": "127.0.0.1"}
            if page.startswith("home_"):
                method, path, body = "GET", "/", None
            elif page == "case_list":
                method, path, body = "GET", f"/cases/?page={rng.randint(1, 20)}", None
            elif page == "case_view":
                method, path, body = "GET", f"/cases/{rng.choice(case_ids)}/", None
            elif page == "dashboard":
                method, path, body = "GET", "/evidence/", None
            else:
                from urllib.parse import urlencode

                method, path = "POST", "/people/"
                body = urlencode({"q": rng.choice(QUERIES), "csrfmiddlewaretoken": csrf})
            h = dict(headers)
            if body is not None:
                h.update(
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": csrf,
                        "Referer": f"http://127.0.0.1:{PORT}/people/",
                    }
                )
            start = time.perf_counter()
            ok = False
            for attempt in range(2):
                try:
                    conn.request(method, path, body=body, headers=h)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                    break
                except (http.client.HTTPException, OSError):
                    # A kept-alive connection the server closed while the user was reading is
                    # not a failed page: reconnect once; a second failure counts as an error.
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                    if attempt == 0:
                        start = time.perf_counter()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    results[page].append(elapsed)
                else:
                    errors[page] += 1

    threads = [
        threading.Thread(target=one_user, args=(own, random.Random(seed * 1000 + i)))  # noqa: S311
        for i, own in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"results": results, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--think", type=float, default=3.0, help="mean seconds a user reads a page (0: no pause)"
    )
    parser.add_argument(
        "--cold", action="store_true", help="skip reading the database into the page cache"
    )
    args = parser.parse_args()
    setup_django(args.db)
    from django.db import connection

    cases = _ensure_cases()
    home_work = _ensure_home_work()
    counts_s = _ensure_evidence_counts()
    if not args.cold:
        print(warm_cache(), flush=True)
    sessions = [
        dict(zip(("supervisor", "caseworker", "provider"), trio, strict=True))
        for trio in zip(
            _sessions(args.users, BENCH_USER),
            _sessions(args.users, BENCH_CASEWORKER),
            _sessions(args.users, BENCH_PROVIDER),
            strict=True,
        )
    ]
    case_ids = _case_ids()
    connection.close()
    calibration = cpu_calibration_ms()
    # The simulated users share one account, so the per-user search limit is lifted here.
    env = dict(
        os.environ, DEBUG="0", SALAMA_DEMO="0", LOG_LEVEL="ERROR", SALAMA_SEARCHES_PER_MINUTE="0"
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
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # Warm-up: one pass of each page per process before measuring.
        _user_loop((sessions[:2], case_ids, time.time() + 3, 0, 0.0))
        deadline = time.time() + args.duration
        half = len(sessions) // 2
        chunks = [sessions[:half], sessions[half:]]
        with mp.get_context("spawn").Pool(2) as pool:
            parts = pool.map(
                _user_loop,
                [(chunk, case_ids, deadline, i + 1, args.think) for i, chunk in enumerate(chunks)],
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()  # keep-alive connections of the clients hold graceful shutdown
            server.wait()
    merged = {p: sum((part["results"][p] for part in parts), []) for p in PAGES}
    errors = {p: sum(part["errors"][p] for part in parts) for p in PAGES}
    print(
        f"\nPages under {args.users} concurrent users, {args.duration:.0f} s, {args.db}, {cases:,} cases"
        f" (the caseworker's {home_work['caseload']:,}, {home_work['referrals']:,} referrals)"
    )
    print(
        f"{'page':<16}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>8}   target p95"
    )
    figures: dict[str, Any] = {
        "db": args.db,
        "users": args.users,
        "think_s": args.think,
        "cases": cases,
        "caseload": home_work["caseload"],
        "cpu_ms": calibration,
        "evidence_refresh_s": counts_s,
    }
    for p in PAGES:
        values = merged[p]
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        rate = len(values) / args.duration
        print(f"{p:<16}{len(values):>10}{errors[p]:>8}{p50:>10.1f}{p95:>10.1f}{rate:>8.1f}   ≤ 150")
        figures.update(
            {
                f"{p}_p50_ms": round(p50, 1),
                f"{p}_p95_ms": round(p95, 1),
                f"{p}_rps": round(rate, 1),
                f"{p}_errors": errors[p],
            }
        )
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "bench" / f"pages-{args.db}-think{args.think:g}.json").write_text(
        json.dumps(figures), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
