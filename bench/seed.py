"""Seed a benchmark database with N synthetic persons: real encryption, real search index.

    .venv/bin/python bench/seed.py 1000000 --db sqlite
    .venv/bin/python bench/seed.py 1000000 --db postgres

Persons come from ``salama.demo.synthetic.generate_people`` (multilingual names with the
namesakes of a real caseload). Each gets its own data key wrapped under the KEK, encrypted name
and birth-date fields (the same AES-GCM format and associated data as the model fields) and the
same name tokens ``salama.people.name_index.index_person`` writes, plain and year-bound.

The ORM's per-row path is bypassed: worker processes do the crypto and token work, the main
process bulk-loads (executemany on SQLite, COPY on PostgreSQL) and builds the token indexes once
at the end. Existing persons in the benchmark database are removed first. Ends with one line
``key=value ...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

CHUNK = 5_000
REFERENCE_DAY = dt.date(2025, 1, 1)

_state: dict[str, Any] = {}


def _init_worker(db: str, seed: int, org_id: int, user_id: int, now: str) -> None:
    _state.update(db=db, seed=seed, org_id=org_id, user_id=user_id, now=now)


def _uuid_text(value: Any, db: str) -> str:
    return value.hex if db == "sqlite" else str(value)


def _encode_chunk(
    task: tuple[int, list[Any]],
) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]], Any]:
    """Encrypt and tokenise one chunk of synthetic persons (runs in a worker process)."""
    from salama.core import crypto
    from salama.people.choices import age_band
    from salama.people.name_index import person_token_hashes

    start, people = task
    db, seed = _state["db"], _state["seed"]
    ring = crypto.keyring()
    keys: list[tuple[Any, ...]] = []
    persons: list[dict[str, Any]] = []
    token_lines: list[str] = []
    token_rows: list[tuple[int, str]] = []
    for offset, sp in enumerate(people):
        pid = common.person_uuid(seed, start + offset)
        key_id = common.person_uuid(seed + 1_000_003, start + offset)
        dek = crypto.new_data_key()
        kek_id, wrapped = crypto.wrap_data_key(dek, str(key_id), ring)
        keys.append((_uuid_text(key_id, db), kek_id, wrapped, _state["now"], None, None, key_id))

        def seal(field: str, text: str, pid: Any = pid, dek: bytes = dek) -> str:
            return crypto.encrypt_text(
                dek, text, crypto.field_aad("people.person", str(pid), field)
            )

        dob: dt.date = sp.date_of_birth
        age = REFERENCE_DAY.year - dob.year - ((1, 1) < (dob.month, dob.day))
        persons.append(
            {
                "id": _uuid_text(pid, db),
                "data_key_id": _uuid_text(key_id, db),
                "registered_by_id": _state["org_id"],
                "created_by_id": _state["user_id"],
                "created_at": _state["now"],
                "updated_at": _state["now"],
                "version": 1,
                "given_name": seal("given_name", sp.given_name),
                "family_name": seal("family_name", sp.family_name),
                "other_names": None,
                "date_of_birth": seal("date_of_birth", dob.isoformat()),
                "place_of_birth": None,
                "photo": "",
                "name_script": sp.script,
                "sex": sp.sex,
                "gender": "",
                "birth_date_accuracy": "exact",
                "age_at_registration": age,
                "age_band": age_band(age),
                "is_minor": (age < 18) if db != "sqlite" else int(age < 18),
                "nationalities": json.dumps([sp.nationality]),
                "citizenships": "[]",
                "languages": "[]",
                "trafficking_status": "",
                "first_contact_on": None,
                "first_contact_place": None,
                "erased_at": None,
            }
        )
        full_name = f"{sp.given_name} {sp.family_name}"
        person_text = _uuid_text(pid, db)
        for token in person_token_hashes([full_name], dob.year):
            if db == "sqlite":
                token_rows.append((token, person_text))
            else:
                token_lines.append(f"{token}\t{person_text}\t1\n")
    tokens: Any = token_rows if db == "sqlite" else "".join(token_lines).encode()
    return keys, persons, tokens


def _chunks(n: int, seed: int) -> Iterator[tuple[int, list[Any]]]:
    from salama.demo.synthetic import generate_people

    people = generate_people(n, seed)
    start = 0
    while start < n:
        batch = list(islice(people, CHUNK))
        if not batch:
            return
        yield start, batch
        start += len(batch)


def _owner() -> tuple[int, int]:
    from salama.accounts.models import Membership, Organisation, User
    from salama.core.roles import Role

    org, _ = Organisation.objects.get_or_create(
        name=common.BENCH_ORG,
        defaults={"org_type": "NGO", "country": "JO", "reference_prefix": "BENCH"},
    )
    user = User.objects.filter(email=common.BENCH_USER).first()
    if user is None:
        user = User.objects.create_user(
            email=common.BENCH_USER, password=None, full_name="Benchmark supervisor"
        )
    Membership.objects.get_or_create(
        user=user, organisation=org, defaults={"role": Role.SUPERVISOR}
    )
    return org.pk, user.pk


def _store_keys(chunk_keys: list[tuple[Any, ...]]) -> None:
    """Put a chunk's wrapped keys in the key store's database (``keys``), in one transaction."""
    from django.db import connections, transaction

    keys_db = connections["keys"]
    sqlite = keys_db.vendor == "sqlite"
    rows = [(k[6].hex if sqlite else str(k[6]), k[1], k[2]) for k in chunk_keys]
    with transaction.atomic(using="keys"), keys_db.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO core_wrappedkey (id, kek_id, wrapped) VALUES (%s, %s, %s)", rows
        )


def _wipe(cursor: Any, vendor: str) -> None:
    from django.db import connections

    with connections["keys"].cursor() as keys_cursor:
        keys_cursor.execute("DELETE FROM core_wrappedkey")
    tables = [
        "people_nametoken",
        "people_tokenfrequency",
        "people_contact",
        "people_identitydocument",
        "people_consent",
        "people_person",
    ]
    if vendor == "postgresql":
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cursor.execute("DELETE FROM core_datakey")
    else:
        cursor.execute("PRAGMA foreign_keys=OFF")
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM core_datakey")
        cursor.execute("DROP TABLE IF EXISTS bench_nametoken_stage")


def _token_indexes(cursor: Any, vendor: str) -> list[str]:
    """DDL to re-create the secondary indexes (and on PostgreSQL the primary key) of tokens."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'people_nametoken'::regclass AND contype IN ('p', 'f')"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_nametoken'"
        )
        indexes = cursor.fetchall()
        ddl: list[str] = []
        constraint_names = {name for name, _ in constraints}
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE people_nametoken DROP CONSTRAINT "{name}"')
            ddl.append(f'ALTER TABLE people_nametoken ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            if name in constraint_names:
                continue
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            ddl.append(definition)
        return ddl
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'people_nametoken' AND sql IS NOT NULL"
    )
    ddl = []
    for name, definition in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
        ddl.append(definition)
    return ddl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of persons")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--stop-after",
        type=float,
        default=0,
        help="seconds: stop loading then (with fewer than N persons) and build the indexes",
    )
    args = parser.parse_args()
    common.setup_django(args.db)

    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from salama.people.models import Person

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    org_id, user_id = _owner()
    now = timezone.now()
    vendor = connection.vendor
    now_text = now.strftime("%Y-%m-%d %H:%M:%S.%f") if vendor == "sqlite" else now.isoformat()
    columns = [f.column for f in Person._meta.concrete_fields]
    attnames = [f.attname for f in Person._meta.concrete_fields]

    with connection.cursor() as cursor:
        _wipe(cursor, vendor)
        index_ddl = _token_indexes(cursor, vendor)
        if vendor == "sqlite":
            cursor.execute(
                "CREATE TABLE bench_nametoken_stage (token bigint NOT NULL, person_id char(32))"
            )
    connection.commit() if not connection.get_autocommit() else None
    connections.close_all()

    raw = connection.cursor().connection  # the DB-API connection, for executemany / COPY
    if vendor == "sqlite":
        # Per connection: a big page cache matters most when the token indexes are built.
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-6000000")
        raw.execute("PRAGMA temp_store=FILE")
    person_sql_cols = ", ".join(columns)
    persons_done = tokens_done = 0
    t_load = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(
        args.workers, _init_worker, (args.db, args.seed, org_id, user_id, now_text)
    ) as pool:
        for chunk_keys, persons, tokens in pool.imap(_encode_chunk, _chunks(args.n, args.seed)):
            rows = [tuple(p[a] for a in attnames) for p in persons]
            # The wrapped keys go to the key store (its own database); the data rows keep the rest.
            _store_keys(chunk_keys)
            keys = [(k[0], k[1], k[3], k[4], k[5]) for k in chunk_keys]
            if vendor == "sqlite":
                cur = raw.cursor()
                cur.execute("BEGIN")
                cur.executemany(
                    "INSERT INTO core_datakey (id, kek_id, created_at, rotated_at, "
                    "shredded_at) VALUES (?, ?, ?, ?, ?)",
                    keys,
                )
                marks = ", ".join(["?"] * len(columns))
                cur.executemany(
                    f"INSERT INTO people_person ({person_sql_cols}) VALUES ({marks})", rows
                )
                cur.executemany("INSERT INTO bench_nametoken_stage VALUES (?, ?)", tokens)
                cur.execute("COMMIT")
                tokens_done += len(tokens)
            else:
                with raw.cursor() as cur:
                    with cur.copy(
                        "COPY core_datakey (id, kek_id, created_at, rotated_at, "
                        "shredded_at) FROM STDIN"
                    ) as copy:
                        for row in keys:
                            copy.write_row(row)
                    with cur.copy(f"COPY people_person ({person_sql_cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    with cur.copy(
                        "COPY people_nametoken (token, person_id, weight) FROM STDIN"
                    ) as copy:
                        copy.write(tokens)
                raw.commit()
                tokens_done += tokens.count(b"\n")
            persons_done += len(persons)
            if args.stop_after and time.perf_counter() - started > args.stop_after:
                print(f"  stopped after {args.stop_after:.0f} s at {persons_done:,} persons")
                pool.terminate()
                break
            if persons_done % 100_000 == 0 or persons_done == args.n:
                rate = persons_done / (time.perf_counter() - t_load)
                print(
                    f"  {persons_done:,} persons, {tokens_done:,} postings, {rate:,.0f}/s",
                    flush=True,
                )
    load_seconds = time.perf_counter() - t_load
    requested, args.n = args.n, persons_done  # what the database holds, if stopped early

    t_index = time.perf_counter()
    if vendor == "sqlite":
        cur = raw.cursor()
        cur.execute(
            "INSERT INTO people_nametoken (token, person_id, weight) "
            "SELECT token, person_id, 1.0 FROM bench_nametoken_stage ORDER BY token, person_id"
        )
        cur.execute("DROP TABLE bench_nametoken_stage")
        for ddl in index_ddl:
            cur.execute(ddl)
        cur.execute(
            "INSERT INTO people_tokenfrequency (token, count) "
            "SELECT token, COUNT(*) FROM people_nametoken GROUP BY token"
        )
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    else:
        with raw.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '1GB'")
            for ddl in index_ddl:
                cur.execute(ddl)
            cur.execute(
                "INSERT INTO people_tokenfrequency (token, count) "
                "SELECT token, COUNT(*) FROM people_nametoken GROUP BY token"
            )
            raw.commit()
        raw.autocommit = True
        with raw.cursor() as cur:
            # As after any bulk import (docs/operations.md): the postings in token order.
            cur.execute("CLUSTER people_nametoken USING people_nametoken_pkey")
            cur.execute("VACUUM ANALYZE people_nametoken")
            cur.execute("VACUUM ANALYZE people_tokenfrequency")
            cur.execute("VACUUM ANALYZE people_person")
            cur.execute("VACUUM ANALYZE core_datakey")
        raw.autocommit = False
    index_seconds = time.perf_counter() - t_index
    total = time.perf_counter() - started
    common.write_manifest(
        args.db,
        {
            "n": args.n,
            "requested": requested,
            "seed": args.seed,
            "db": args.db,
            "postings": tokens_done,
            "load_seconds": round(load_seconds, 1),
            "index_seconds": round(index_seconds, 1),
            "total_seconds": round(total, 1),
            "seeded_at": now.isoformat(),
        },
    )
    print(
        f"db={args.db} n={args.n} postings={tokens_done} postings_per_person="
        f"{tokens_done / max(args.n, 1):.1f} load_s={load_seconds:.1f} index_s={index_seconds:.1f} "
        f"total_s={total:.1f} persons_per_s={args.n / total:.0f}"
    )


if __name__ == "__main__":
    main()
