"""The data database no longer holds wrapped data keys: they are in the key store (0005)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0005_move_wrapped_keys_to_keystore")]

    operations = [migrations.RemoveField(model_name="datakey", name="wrapped")]
