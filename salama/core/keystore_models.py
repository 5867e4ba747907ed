"""The key store's one table: wrapped data keys, kept in the `keys` database, apart from the data.

Only this model lives in the key store's database (``salama.core.keystore.KeyStoreRouter``);
the data database keeps ``core.DataKey`` (id, KEK id, timestamps) so that every foreign key to a
data key stays valid, but never the wrapped bytes. Destroying a key deletes its row here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WrappedKey(models.Model):
    """One data key, wrapped by a key-encryption key; its id is the ``core.DataKey`` id."""

    id = models.UUIDField(primary_key=True, editable=False)
    kek_id = models.CharField(max_length=16, db_index=True)
    wrapped = models.BinaryField()

    class Meta:
        app_label = "core"
        verbose_name = _("wrapped data key")

    def __str__(self) -> str:
        return f"WrappedKey {self.id}"
