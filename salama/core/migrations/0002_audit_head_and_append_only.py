"""Create the audit chain's head row and make audit entries append-only in the database too.

Triggers refuse UPDATE on both engines and DELETE on PostgreSQL. (On SQLite a DELETE trigger would
also stop the test runner's table flush; deletions there are caught by `salama audit verify`.)
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditentry_no_update;"]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();",
]


def create_head(apps, schema_editor):
    AuditHead = apps.get_model("core", "AuditHead")
    AuditHead.objects.get_or_create(pk=1)


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements:
            schema_editor.execute(sql)

    return run


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(vendor, []))(apps, schema_editor)


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, []))(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(triggers_up, triggers_down),
    ]
