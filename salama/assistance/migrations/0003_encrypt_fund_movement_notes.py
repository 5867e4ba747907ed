"""Encrypt the notes of fund movements written while they were stored in clear.

Each note is sealed under its fund's organisation's data key (created here when the organisation
has none yet), bound to the movement's UUID and the field name, exactly as
``salama.core.fields.EncryptedTextField`` seals it (see FundMovement.encryption_id_field).
Empty notes become NULL. A note that already opens under the organisation's key is left alone,
so the migration can be run again after an interruption.

Reversible: going back decrypts the notes into the column in clear again (empty ones as "").
"""

import uuid

from django.db import connections, migrations

from salama.core import crypto

BATCH = 500
LABEL = "assistance.fundmovement"


def _aad(movement_uuid):
    return crypto.field_aad(LABEL, str(movement_uuid), "note")


def _raw(value):
    # The encrypted field hands back what it read wrapped in a Sealed holder.
    return getattr(value, "token", value)


class _OrganisationKeys:
    def __init__(self, apps, create):
        self.Organisation = apps.get_model("accounts", "Organisation")
        self.DataKey = apps.get_model("core", "DataKey")
        self.create = create
        self.keys = {}

    def get(self, organisation_id):
        if organisation_id not in self.keys:
            self.keys[organisation_id] = self._load(organisation_id)
        return self.keys[organisation_id]

    def _load(self, organisation_id):
        key_id = (
            self.Organisation.objects.filter(pk=organisation_id)
            .values_list("data_key_id", flat=True)
            .get()
        )
        # Once core.0006 has run, the wrapped keys live in the key store (salama.core.keystore)
        # and the table has no column for them: use the model as it is now.
        table = self.DataKey._meta.db_table
        connection = connections[self.DataKey.objects.db]
        with connection.cursor() as cursor:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
        if "wrapped" not in columns:
            from salama.core.models import DataKey

            if key_id is None:
                if not self.create:
                    return None
                new = DataKey.new()
                new.save()
                key_id = new.id
                self.Organisation.objects.filter(pk=organisation_id).update(data_key_id=key_id)
            return DataKey.objects.get(pk=key_id).unwrap()
        if key_id is None:
            if not self.create:
                return None
            key_id = uuid.uuid4()
            kek_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), str(key_id))
            self.DataKey.objects.create(id=key_id, kek_id=kek_id, wrapped=wrapped)
            self.Organisation.objects.filter(pk=organisation_id).update(data_key_id=key_id)
        key = self.DataKey.objects.get(pk=key_id)
        if key.wrapped is None:
            raise crypto.SubjectErased(f"data key {key.id} of organisation {organisation_id}")
        return crypto.unwrap_data_key(key.kek_id, bytes(key.wrapped), str(key.id))


def _batches(FundMovement):
    last = 0
    while True:
        rows = list(
            FundMovement.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "uuid", "note", "fund__organisation_id")[:BATCH]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _opens(dek, token, movement_uuid):
    if not token.startswith(crypto.CIPHERTEXT_PREFIX):
        return False
    try:
        crypto.decrypt_text(dek, token, _aad(movement_uuid))
    except crypto.DecryptionError:
        return False
    return True


def encrypt_notes(apps, schema_editor):
    FundMovement = apps.get_model("assistance", "FundMovement")
    keys = _OrganisationKeys(apps, create=True)
    for rows in _batches(FundMovement):
        changed = []
        for pk, movement_uuid, note, organisation_id in rows:
            text = _raw(note)
            if text is None:
                continue
            if text == "":
                changed.append(FundMovement(pk=pk, note=None))
                continue
            dek = keys.get(organisation_id)
            if _opens(dek, text, movement_uuid):
                continue
            token = crypto.encrypt_text(dek, text, _aad(movement_uuid))
            changed.append(FundMovement(pk=pk, note=token))
        if changed:
            FundMovement.objects.bulk_update(changed, ["note"])


def decrypt_notes(apps, schema_editor):
    # The encrypted field refuses plaintext, so the clear values go back through SQL.
    FundMovement = apps.get_model("assistance", "FundMovement")
    connection = schema_editor.connection
    table = connection.ops.quote_name(FundMovement._meta.db_table)
    keys = _OrganisationKeys(apps, create=False)
    sql = f"UPDATE {table} SET note = %s WHERE id = %s"  # noqa: S608 (table name is ours)
    for rows in _batches(FundMovement):
        params = []
        for pk, movement_uuid, note, organisation_id in rows:
            token = _raw(note)
            if token is None or token == "":
                params.append(("", pk))
                continue
            dek = keys.get(organisation_id)
            if dek is not None and _opens(dek, token, movement_uuid):
                params.append((crypto.decrypt_text(dek, token, _aad(movement_uuid)), pk))
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_data_key"),
        ("assistance", "0002_fund_movement_note_encrypted"),
        ("core", "0002_audit_head_and_append_only"),
    ]

    operations = [migrations.RunPython(encrypt_notes, decrypt_notes)]
