"""One migrated SQLite test database, copied to each test process instead of migrated in each.

Migrating the test database costs about 7 s of CPU (Django renders the model state of every
migration). With two pytest-xdist workers that was paid twice a run. Now the first process to
need the database migrates it as before and saves a copy, ``var/test-template-<key>.sqlite3``;
every other process (the other worker, and the next runs) copies that file and lets Django's
``keepdb`` path check it: ``migrate`` still runs on the copy, finds every migration applied and
does nothing, so a migration missing from the copy would still be applied.

The key is a hash of what migrating an empty database depends on: the migration files, the
modules they import (field types, country lists, models' default callables), and the Django and
SQLite versions. Change any of them and the next run migrates afresh and replaces the copy.
PostgreSQL runs (``DATABASE_URL``), ``--reuse-db``, ``--create-db`` and ``--nomigrations`` are
left entirely to pytest-django.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import sqlite3
from pathlib import Path
from typing import IO, Any

SALAMA = Path(__file__).resolve().parents[1] / "salama"
# What a migration of an empty database reads besides the migration files themselves.
MIGRATION_INPUTS = ("core/fields.py", "core/countries.py", "core/crypto.py")


def template_key() -> str:
    import django

    digest = hashlib.sha256()
    digest.update(f"{django.get_version()} {sqlite3.sqlite_version}".encode())
    files = sorted(SALAMA.glob("*/migrations/*.py")) + sorted(SALAMA.glob("*/models*.py"))
    files += sorted(SALAMA.glob("*/models/*.py")) + [SALAMA / name for name in MIGRATION_INPUTS]
    for path in files:
        digest.update(str(path.relative_to(SALAMA)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Template:
    """The shared copy for this run's settings, made under a lock the other processes wait on."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.path = var_dir / f"test-template-{template_key()}.sqlite3"
        self._lock: IO[str] | None = None

    def copy_or_lock(self, test_db: Path) -> bool:
        """Copy the template to `test_db` and return True; or, when there is none yet, return
        False and keep the lock until `save_from` (the caller migrates meanwhile, and the other
        processes wait for its copy instead of migrating too)."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        lock = open(self.var_dir / "test-template.lock", "a")  # noqa: SIM115 (held past return)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not self.path.exists():
            self._lock = lock
            return False
        try:
            remove(test_db)
            shutil.copyfile(self.path, test_db)
        finally:
            lock.close()
        return True

    def save_from(self, connection: Any) -> None:
        """Save the freshly migrated test database as the template and release the lock.

        VACUUM INTO writes a consistent copy even while the database is open in WAL mode."""
        if self._lock is None:
            return
        try:
            partial = self.path.with_suffix(".partial")
            remove(partial)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(partial)])
            partial.replace(self.path)
            for old in self.var_dir.glob("test-template-*.sqlite3"):
                if old != self.path:
                    remove(old)
        finally:
            self._lock.close()
            self._lock = None


def remove(database: Path) -> None:
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)
