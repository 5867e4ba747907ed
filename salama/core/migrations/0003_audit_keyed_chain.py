"""Key the audit chain, and refuse DELETE of audit entries on SQLite too.

Entries gain `chain_version` and `key_id`. Existing entries keep their SHA-256 hashes and are
marked version 1 (the column's database default), so they verify exactly as before; entries
written from now on are version 2, an HMAC-SHA256 under the audit key named by `key_id`. The
chain is not re-computed: re-hashing would need UPDATE on every row (which the guard refuses)
and would replace the evidence an old chain holds with hashes made today. The first keyed entry
covers the hash of the last legacy one, so once keyed entries exist, re-forging the legacy
entries means re-forging keyed ones too.

Guards: UPDATE and DELETE are refused by triggers on both engines, and TRUNCATE on PostgreSQL.
On SQLite, adding these columns rebuilds `core_auditentry`, and a rebuild drops its triggers, so
they are created after the columns (and a later migration that alters this table on SQLite must
recreate them the same way). The test runner's table flush lifts the guard for its own
transaction (salama/core/management/commands/flush.py).
"""

from django.db import migrations, models

SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditentry_no_delete;"]
# Removing the columns again rebuilds the table on SQLite, which drops 0002's UPDATE trigger.
SQLITE_RESTORE_0002 = [SQLITE_UP[0]]

POSTGRES_UP = [
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();""",
]
POSTGRES_DOWN = ["DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;"]


def _for_vendor(sqlite, postgresql):
    def run(apps, schema_editor):
        statements = {"sqlite": sqlite, "postgresql": postgresql}
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_head_and_append_only")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _for_vendor(SQLITE_RESTORE_0002, [])),
        migrations.AddField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(db_default=1),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, db_default="", max_length=16),
        ),
        migrations.RunPython(
            _for_vendor(SQLITE_UP, POSTGRES_UP), _for_vendor(SQLITE_DOWN, POSTGRES_DOWN)
        ),
    ]
