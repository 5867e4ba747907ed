"""Bulk import benchmark: N synthetic rows through the whole import path.

    .venv/bin/python bench/import.py 100000 --db sqlite

Writes a CSV of N synthetic persons (``salama.demo.synthetic``: multilingual names, birth dates,
nationalities), then, as a caseworker of a fresh benchmark organisation, uploads it
(``create_import``: parse, encrypt the table), keeps the guessed mapping and runs the import
(``run_import``: every row checked by the rules of ``register_person`` and ``open_case``, one
duplicate look-up for the file, then persons, keys, name index, cases, audit entries and events
written in bulk in one transaction). The database is a new
SQLite file under ``var/bench-import`` (or ``--db postgres`` with ``$DATABASE_URL`` naming a
database whose name contains "bench"), so earlier runs do not weigh on this one. Prints a table;
the last line is ``key=value …``. ``cpu_s`` is this process's CPU time for upload and run
(on SQLite that includes the database's work; on PostgreSQL the server's is not in it), a figure
that depends less than the wall time on what else the machine runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="rows to import")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    var = ROOT / "var" / "bench-import"
    if args.db == "sqlite":
        shutil.rmtree(var, ignore_errors=True)
        os.environ.pop("DATABASE_URL", None)
    elif "bench" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("--db postgres needs DATABASE_URL naming a database with 'bench' in it")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALAMA_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "salama.settings"
    os.environ.setdefault("SALAMA_AUDIT_ANCHOR_INTERVAL", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from salama.accounts.models import Membership, Organisation, User
    from salama.core.policy import Principal
    from salama.core.roles import Role
    from salama.demo.synthetic import generate_people
    from salama.integrations import import_services as imports
    from salama.integrations.import_models import ImportJob

    org = Organisation.objects.create(
        name=f"Import bench {time.time_ns()}", org_type="NGO", country="JO", reference_prefix="IMPB"
    )
    user = User.objects.create_user(
        email=f"import-{time.time_ns()}@bench.invalid", password=None, full_name="Import bench"
    )
    membership = Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
    actor = Principal(user=user, membership=membership, verified=True)

    started = time.perf_counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["given_name", "family_name", "date_of_birth", "sex", "nationality"])
    for p in generate_people(args.n, seed=args.seed):
        writer.writerow(
            [p.given_name, p.family_name, p.date_of_birth.isoformat(), p.sex, p.nationality]
        )
    content = buffer.getvalue().encode()
    generate_s = time.perf_counter() - started

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    job = imports.create_import(actor=actor, file_name="bench.csv", content=content)
    upload_s = time.perf_counter() - t0
    imports.start_import(actor=actor, job=job, commit=True, background=False)
    t1 = time.perf_counter()
    status = imports.run_import(str(job.pk))
    run_s = time.perf_counter() - t1
    cpu_s = time.process_time() - cpu0
    job = ImportJob.objects.get(pk=job.pk)
    total_s = upload_s + run_s
    load = os.getloadavg()

    rows = [
        ("rows", f"{args.n}"),
        ("file", f"{len(content) / 2**20:.1f} MiB CSV (generated in {generate_s:.1f} s)"),
        ("upload (parse + encrypt)", f"{upload_s:.1f} s"),
        ("run (check + register + open)", f"{run_s:.1f} s"),
        ("total", f"{total_s:.1f} s  ({args.n / total_s:.0f} rows/s)"),
        ("CPU of this process", f"{cpu_s:.1f} s  ({args.n / cpu_s:.0f} rows per CPU second)"),
        ("status", f"{status}: imported {job.imported}, duplicates {job.duplicate_rows}"),
        ("load average", f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"),
    ]
    width = max(len(k) for k, _v in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    print(
        f"db={args.db} rows={args.n} upload_s={upload_s:.2f} run_s={run_s:.2f} "
        f"total_s={total_s:.2f} rows_per_s={args.n / total_s:.0f} cpu_s={cpu_s:.2f} "
        f"imported={job.imported} "
        f"duplicates={job.duplicate_rows} status={status} load1={load[0]:.2f}"
    )


if __name__ == "__main__":
    main()
