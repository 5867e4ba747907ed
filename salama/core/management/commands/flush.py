"""Django's `flush`, lifting the audit chain's append-only guard for its own transaction.

The test runner empties every table between transactional tests with `flush`, and the guard
triggers (core migrations 0002 and 0003) refuse DELETE of audit entries on SQLite and TRUNCATE
on PostgreSQL. Emptying the whole database is the one removal of audit entries Salama performs,
so this command drops (SQLite) or disables (PostgreSQL) the triggers, flushes, and puts them
back in one transaction: if anything fails, the guard stays as it was. Anchors taken before a
flush no longer match the emptied chain, and `salama audit verify` says so; start a new anchor
file after deliberately wiping a database.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


class Command(flush.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        with transaction.atomic(using=options["database"]):
            restore = _lift_audit_guard(connection)
            super().handle(*args, **options)
            with connection.cursor() as cursor:
                for sql in restore:
                    cursor.execute(sql)


def _lift_audit_guard(connection: BaseDatabaseWrapper) -> list[str]:
    """Lift the guard triggers; return the statements that put them back."""
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditentry'"
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
                restore.append(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('core_auditentry') "
                "AND tgname = 'core_auditentry_no_truncate' AND tgenabled <> 'D'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE core_auditentry DISABLE TRIGGER "{name}"')
                restore.append(f'ALTER TABLE core_auditentry ENABLE TRIGGER "{name}"')
    return restore
