"""``salama compact_index``: lay the name index's postings out in token order (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, router

from salama.people.models import NameToken


class Command(BaseCommand):
    help = (
        "PostgreSQL: rewrite the name index's postings in token order (CLUSTER on its primary "
        "key) and refresh the planner's statistics, so that a search reads each token's "
        "postings from neighbouring pages. Locks the postings table while it runs: use a "
        "maintenance window. SQLite keeps the postings in token order already."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database", default=None, help="Database alias (default: where postings are written)."
        )

    def handle(self, *args: Any, database: str | None, **options: Any) -> None:
        alias = database or router.db_for_write(NameToken)
        if alias not in connections.settings:
            known = ", ".join(sorted(connections.settings))
            raise CommandError(f"No database '{alias}' in DATABASES (known: {known}).")
        connection = connections[alias]
        if connection.vendor != "postgresql":
            self.stdout.write(
                "Nothing to do: on SQLite the postings are a b-tree in token order already."
            )
            return
        table = connection.ops.quote_name(NameToken._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND x.indisprimary",
                [NameToken._meta.db_table],
            )
            index = connection.ops.quote_name(cursor.fetchone()[0])
            self.stdout.write(f"Clustering {table} on {index} (the table is locked meanwhile)…")
            # Inside a caller's transaction, deferred foreign-key checks would refuse CLUSTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"CLUSTER {table} USING {index}")
            # CLUSTER writes a new table whose pages are not yet marked all-visible: until a
            # VACUUM does, index-only scans read the table too. VACUUM cannot run inside a
            # transaction; there autovacuum will do it later.
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {table}")
            else:
                cursor.execute(f"VACUUM ANALYZE {table}")
        self.stdout.write(self.style.SUCCESS("Done: the postings are in token order."))
