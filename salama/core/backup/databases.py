"""Databases in a backup: a consistent snapshot, a scratch copy to check, the swap into place.

SQLite is copied with its online backup API (one step, under a read lock: a consistent file).
PostgreSQL is dumped by `pg_dump -Fc` inside an exported REPEATABLE READ snapshot, and the row
counts, migrations and audit head of the manifest are read in that same snapshot, so they
describe exactly what the dump holds.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.utils import load_backend

from salama.core.backup.archive import ArchiveError


def backed_up_databases() -> list[str]:
    """The database aliases an archive holds. Only the data database: the key store (alias
    "keys") is backed up apart, with its own short retention, so that an erasure becomes final
    in every archive once that window has passed."""
    return ["default"]


class BackupError(Exception):
    """A database could not be dumped or loaded; the message says what to fix."""


def engine_of(alias: str) -> str:
    return str(connections[alias].vendor)


def facts(cursor: Any, vendor: str) -> dict[str, Any]:
    """Row counts per table, applied migrations and the audit head, read through `cursor`."""
    quote = connections["default"].ops.quote_name
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    tables = [row[0] for row in cursor.fetchall()]
    counts: dict[str, int] = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from catalog
        counts[table] = int(cursor.fetchone()[0])
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[app, name] for app, name in cursor.fetchall()]
    head = {"id": 0, "hash": "0" * 64}
    if "core_audithead" in counts:
        cursor.execute("SELECT last_id, last_hash FROM core_audithead WHERE id = 1")
        row = cursor.fetchone()
        if row is not None:
            head = {"id": int(row[0]), "hash": str(row[1])}
    return {"tables": counts, "migrations": migrations, "audit_head": head}


# Snapshots ------------------------------------------------------------------------------------


def snapshot(alias: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    """Dump database `alias` into `folder`; the dump's path and the facts of the manifest."""
    vendor = engine_of(alias)
    if vendor == "sqlite":
        return _snapshot_sqlite(alias, folder)
    if vendor == "postgresql":
        return _snapshot_postgresql(alias, folder)
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")


def _snapshot_sqlite(alias: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    target = folder / f"{alias}.sqlite3"
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # all pages in one step: a consistent copy
        copy.execute("PRAGMA journal_mode=DELETE")
        found = facts(copy.cursor(), "sqlite")
    finally:
        copy.close()
    return target, {"engine": "sqlite", "member": f"database/{target.name}", **found}


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_args(settings_dict: dict[str, Any]) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    return args


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: SALAMA_PG_BIN_DIR, then PATH."""
    folder = getattr(settings, "SALAMA_PG_BIN_DIR", "")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client of the server's major version, "
            "or set SALAMA_PG_BIN_DIR to the folder that holds it."
        )
    return found


def _run(command: list[str], settings_dict: dict[str, Any], what: str) -> None:
    done = subprocess.run(  # noqa: S603 - fixed program, arguments are not a shell line
        command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' / '.join(detail[-3:]) or done.returncode}")


def _snapshot_postgresql(alias: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    target = folder / f"{alias}.pgdump"
    connection = connections.create_connection(alias)  # its own session, for the snapshot
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            found = facts(cursor, "postgresql")
            settings_dict = connection.settings_dict
            _run(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    *_pg_args(settings_dict),
                    str(settings_dict["NAME"]),
                ],
                settings_dict,
                "pg_dump",
            )
            cursor.execute("COMMIT")
    finally:
        connection.close()
    return target, {"engine": "postgresql", "member": f"database/{target.name}", **found}


# Scratch copies ------------------------------------------------------------------------------


@contextmanager
def registered(settings_dict: dict[str, Any]) -> Iterator[str]:
    """A temporary connection alias for `settings_dict`, removed afterwards. The connection is
    made here rather than declared in the settings, so `connections.all()` never lists it."""
    alias = f"salama_scratch_{secrets.token_hex(4)}"
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


class _Everything:
    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return self.alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return self.alias


@contextmanager
def routed_to(alias: str) -> Iterator[None]:
    """Send the ORM's queries to `alias` (the audit verification reads through the ORM)."""
    saved = router.__dict__.get("routers")
    router.routers = [_Everything(alias)]
    try:
        yield
    finally:
        if saved is None:
            router.__dict__.pop("routers", None)
        else:
            router.routers = saved


@contextmanager
def scratch(alias: str, dump: Path, *, place: Path | None = None) -> Iterator[str]:
    """Load `dump` into a scratch database beside live database `alias` and yield its alias.

    SQLite: the dump is moved to `place` (default: where it is) and used as it is.
    PostgreSQL: a database salama_drill_<random> is created, loaded, and dropped afterwards."""
    live = dict(connections[alias].settings_dict)
    live["CONN_MAX_AGE"] = 0
    live["TEST"] = dict(live.get("TEST") or {})
    vendor = engine_of(alias)
    if vendor == "sqlite":
        path = dump
        if place is not None:
            move_into_place(dump, place)
            path = place
        with registered({**live, "NAME": str(path)}) as scratch_alias:
            yield scratch_alias
        return
    name = f"salama_drill_{secrets.token_hex(6)}"
    quote = connections[alias].ops.quote_name
    with connections[alias].cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(name)}")
    try:
        scratch_settings = {**live, "NAME": name}
        _run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *_pg_args(scratch_settings),
                f"--dbname={name}",
                str(dump),
            ],
            scratch_settings,
            "pg_restore into the scratch database",
        )
        with registered(scratch_settings) as scratch_alias:
            yield scratch_alias
    finally:
        with connections[alias].cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")


def move_into_place(source: Path, target: Path) -> None:
    """Move a file into place atomically, copying beside the target first across file systems."""
    try:
        os.replace(source, target)
    except OSError:
        beside = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        shutil.copyfile(source, beside)
        os.replace(beside, target)
        source.unlink()


def replace_live(alias: str, dump: Path, verified: Path | None) -> None:
    """Make the verified copy the live database `alias`.

    SQLite: `verified` (a file beside the live one) replaces it in one rename, after the live
    file's write-ahead log is removed so it cannot be replayed onto the restored file.
    PostgreSQL: `pg_restore --clean --single-transaction` into the configured database."""
    connections.close_all()
    settings_dict = connections[alias].settings_dict
    if engine_of(alias) == "sqlite":
        assert verified is not None
        target = Path(settings_dict["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(verified, target)
        return
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *_pg_args(settings_dict),
            f"--dbname={settings_dict['NAME']}",
            str(dump),
        ],
        settings_dict,
        "pg_restore into the configured database",
    )


def sqlite_scratch_place(alias: str) -> Path:
    """Where a SQLite restore puts the copy it verifies: beside the live file (one rename)."""
    target = Path(connections[alias].settings_dict["NAME"])
    return target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")


def check_engine(alias: str, recorded: str) -> None:
    if engine_of(alias) != recorded:
        raise ArchiveError(
            f"This archive holds a {recorded} database, but this server's database is "
            f"{engine_of(alias)}. Restore it on a server configured for {recorded}."
        )
