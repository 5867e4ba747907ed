"""Move every wrapped data key from the data database to the key store.

Runs on the data database only (the router keeps it off the key store's). The key store's
database is another connection, which the router cannot give a migration of ``default``; so this
migration writes to it explicitly, first migrating it if it has no table yet. It copies in
batches, each committed in the key store and read back to compare before the next, and it is
safe to run again: a key already in the store is overwritten by the same bytes. The next migration
drops the column only after this one has been recorded as applied.
"""

from django.core.management import call_command
from django.db import connections, migrations, transaction

BATCH = 5000


def move_wrapped_keys(apps, schema_editor):
    from salama.core.keystore import KEYSTORE_ALIAS

    if schema_editor.connection.alias == KEYSTORE_ALIAS:
        return
    DataKey = apps.get_model("core", "DataKey")
    WrappedKey = apps.get_model("core", "WrappedKey")
    alias = schema_editor.connection.alias
    live = DataKey.objects.using(alias).filter(wrapped__isnull=False).order_by("id")
    if not live.exists():
        return  # a fresh database: nothing to move (and the key store is left to `migrate`)
    if "core_wrappedkey" not in connections[KEYSTORE_ALIAS].introspection.table_names():
        call_command("migrate", database=KEYSTORE_ALIAS, verbosity=0, interactive=False)
    store = WrappedKey.objects.using(KEYSTORE_ALIAS)
    after = None
    moved = 0
    while True:
        batch = live if after is None else live.filter(id__gt=after)
        rows = list(batch.values_list("id", "kek_id", "wrapped")[:BATCH])
        if not rows:
            break
        with transaction.atomic(using=KEYSTORE_ALIAS):
            store.bulk_create(
                [WrappedKey(id=i, kek_id=k, wrapped=bytes(w)) for i, k, w in rows],
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["kek_id", "wrapped"],
            )
        held = {
            i: (k, bytes(w))
            for i, k, w in store.filter(id__in=[r[0] for r in rows]).values_list(
                "id", "kek_id", "wrapped"
            )
        }
        for i, k, w in rows:
            if held.get(i) != (k, bytes(w)):
                raise RuntimeError(
                    f"data key {i} did not arrive intact in the key store; nothing was dropped, "
                    "run `salama migrate` again"
                )
        moved += len(rows)
        after = rows[-1][0]
    if moved:
        print(f"\n  moved {moved} wrapped data keys to the key store", end="")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_keystore_wrappedkey")]

    operations = [migrations.RunPython(move_wrapped_keys, migrations.RunPython.noop)]
