"""``migrate``, which also migrates the key store's database when it migrates the data's.

The wrapped data keys live in a database of their own (the ``keys`` alias, see
salama/core/keystore.py). Django migrates one database per run; a fresh ``salama migrate`` must
nevertheless leave a working system, so migrating the data database (the default) migrates the
key store's too. ``migrate --database keys`` still works on its own.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from salama.core.keystore import KEYSTORE_ALIAS


def keystore_needs_migrate() -> bool:
    """Whether the key store's database is missing its table or is managed by migrations.

    A test database made without migrations (``TEST: {"MIGRATE": False}``) has the table and no
    migration records, and is left alone."""
    if KEYSTORE_ALIAS not in connections.settings:
        return False
    connection = connections[KEYSTORE_ALIAS]
    tables = connection.introspection.table_names()
    return "core_wrappedkey" not in tables or MigrationRecorder(connection).has_table()


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Migrating the default database also migrates the key store's."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if options["database"] != DEFAULT_DB_ALIAS or options.get("plan"):
            return
        if options.get("app_label") or not keystore_needs_migrate():
            return
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.MIGRATE_HEADING("Migrating the key store:"))
        call_command(
            "migrate",
            database=KEYSTORE_ALIAS,
            verbosity=options["verbosity"],
            interactive=False,
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
