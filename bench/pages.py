"""Case list, case view and search pages under concurrent simulated caseworkers.

Usage (after bench/seed.py N --db sqlite|postgres):

    .venv/bin/python bench/pages.py --db sqlite --users 50 --duration 60

It gives every seeded person a case (one SQL statement, once), starts gunicorn on the
benchmark database, opens one logged-in, two-factor-verified session per simulated user, and
lets the users loop over: the case list (a random page of the first 20), a random case page, and
a name search (POST, as the UI does). It prints median, p95, throughput and errors per page and
ends with one `key=value` line. Targets (issue 3): p95 ≤ 150 ms, no errors.
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
from common import ROOT, cpu_calibration_ms, percentile, setup_django, warm_cache  # noqa: E402

PORT = 8799
PAGES = ("case_list", "case_view", "search")
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


def _sessions(n: int) -> list[tuple[str, str]]:
    """(session cookie, csrf secret) for n verified sessions of the bench supervisor."""
    from common import BENCH_USER
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from salama.accounts.models import User

    user = User.objects.get(email=BENCH_USER)
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


def _user_loop(args: tuple[list[tuple[str, str]], list[str], float, int, float]) -> dict[str, Any]:
    sessions, case_ids, deadline, seed, think = args
    results: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: dict[str, int] = {p: 0 for p in PAGES}
    lock = threading.Lock()

    def one_user(cookie: str, csrf: str, rng: random.Random) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Cookie": f"sessionid={cookie}; csrftoken={csrf}", "Host": "127.0.0.1"}
        while time.time() < deadline:
            if think:
                # A person reads the page before the next click (uniform, mean `think` s).
                time.sleep(rng.uniform(0, 2 * think))
            page = rng.choice(PAGES)
            if page == "case_list":
                method, path, body = "GET", f"/cases/?page={rng.randint(1, 20)}", None
            elif page == "case_view":
                method, path, body = "GET", f"/cases/{rng.choice(case_ids)}/", None
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
        threading.Thread(target=one_user, args=(c, s, random.Random(seed * 1000 + i)))  # noqa: S311
        for i, (c, s) in enumerate(sessions)
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
    if not args.cold:
        print(warm_cache(), flush=True)
    sessions = _sessions(args.users)
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
    )
    print(
        f"{'page':<12}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>8}   target p95"
    )
    figures: dict[str, Any] = {
        "db": args.db,
        "users": args.users,
        "think_s": args.think,
        "cases": cases,
        "cpu_ms": calibration,
    }
    for p in PAGES:
        values = merged[p]
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        rate = len(values) / args.duration
        print(f"{p:<12}{len(values):>10}{errors[p]:>8}{p50:>10.1f}{p95:>10.1f}{rate:>8.1f}   ≤ 150")
        figures.update(
            {
                f"{p}_p50_ms": round(p50, 1),
                f"{p}_p95_ms": round(p95, 1),
                f"{p}_rps": round(rate, 1),
                f"{p}_errors": errors[p],
            }
        )
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    (ROOT / "var" / "bench" / f"pages-{args.db}-think{args.think:g}.json").write_text(
        json.dumps(figures), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
