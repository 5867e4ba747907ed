"""The key store's table. The router (salama.core.keystore.KeyStoreRouter) creates it only in the
key store's database (the ``keys`` alias), never in the data database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_keyed_chain")]

    operations = [
        migrations.CreateModel(
            name="WrappedKey",
            fields=[
                ("id", models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ("kek_id", models.CharField(db_index=True, max_length=16)),
                ("wrapped", models.BinaryField()),
            ],
            options={"verbose_name": "wrapped data key"},
        ),
    ]
