"""Encrypted model fields: the only types an identifying field may use (docs/contributing.md#models).

A model that carries encrypted fields implements ``get_data_key() -> bytes`` (usually by
following its data subject) and has a UUID primary key, assigned before the first save, which is
bound into every ciphertext together with the model label and field name. A model whose primary
key the database assigns sets ``encryption_id_field`` to a UUID field filled on creation instead.

Values read from the database stay sealed until an attribute is read, so listing rows costs no
decryption; a field that is not touched on save is written back as the same ciphertext.
Look-ups on encrypted fields are refused: search goes through blind indexes instead.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.core.files.base import ContentFile, File
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from salama.core import crypto


class Sealed:
    """A ciphertext read from the database and not yet decrypted."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<Sealed>"


def _record_id(instance: models.Model) -> Any:
    # A model whose primary key the database assigns names a UUID field set on creation instead.
    id_field: str | None = getattr(instance, "encryption_id_field", None)
    return instance.pk if id_field is None else getattr(instance, id_field)


def _aad(instance: models.Model, field_name: str) -> bytes:
    record_id = _record_id(instance)
    if record_id is None:
        raise crypto.CryptoError(
            f"{instance._meta.label} needs its primary key before an encrypted field is used"
        )
    return crypto.field_aad(instance._meta.label_lower, str(record_id), field_name)


def _data_key(instance: models.Model) -> bytes:
    getter = getattr(instance, "get_data_key", None)
    if getter is None:
        raise crypto.CryptoError(
            f"{instance._meta.label} has encrypted fields but no get_data_key()"
        )
    key: bytes = getter()
    return key


class EncryptedDescriptor:
    """Decrypts on first read and caches the plaintext beside the sealed value."""

    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__:
            instance.refresh_from_db(fields=[attname])
        raw = instance.__dict__[attname]
        if not isinstance(raw, Sealed):
            return raw
        cache: dict[str, tuple[str, Any]] = instance.__dict__.setdefault("_salama_plain", {})
        cached = cache.get(attname)
        if cached is not None and cached[0] == raw.token:
            return cached[1]
        text = crypto.decrypt_text(_data_key(instance), raw.token, _aad(instance, self.field.name))
        value = self.field.deserialise(text)
        cache[attname] = (raw.token, value)
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.TextField):  # type: ignore[type-arg]
    """Base class: stores ``v1:<base64(nonce | AES-GCM ciphertext)>`` or NULL when empty."""

    descriptor_class = EncryptedDescriptor
    empty_value: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    # Conversions between plaintext values and the text that is encrypted.
    def serialise(self, value: Any) -> str:
        return str(value)

    def deserialise(self, text: str) -> Any:
        return text

    def is_empty(self, value: Any) -> bool:
        return value is None or value == ""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return self.empty_value if value is None else Sealed(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        raw = model_instance.__dict__.get(self.attname)
        if isinstance(raw, Sealed):
            return raw
        value = self.to_python(raw)
        if self.is_empty(value):
            return None
        return crypto.encrypt_text(
            _data_key(model_instance), self.serialise(value), _aad(model_instance, self.name)
        )

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if value is None:
            return None
        if isinstance(value, str) and value.startswith(crypto.CIPHERTEXT_PREFIX):
            return value
        raise crypto.CryptoError(
            f"refusing to write plaintext into encrypted field {self.model.__name__}.{self.name}"
        )

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted and cannot be filtered by "
                f"'{lookup_name}'; use its blind index"
            )
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisers (dumpdata) get the ciphertext, never the plaintext.
        raw = obj.__dict__.get(self.attname)
        return raw.token if isinstance(raw, Sealed) else ""

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("null") is True:
            del kwargs["null"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs


class EncryptedTextField(EncryptedField):
    empty_value = ""

    def __init__(self, *args: Any, max_length_plain: int | None = None, **kwargs: Any) -> None:
        self.max_length_plain = max_length_plain
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {"max_length": self.max_length_plain}
        if self.max_length_plain and self.max_length_plain <= 255:
            defaults["widget"] = forms.TextInput
        defaults.update(kwargs)
        return super().formfield(**defaults)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.max_length_plain is not None:
            kwargs["max_length_plain"] = self.max_length_plain
        return name, path, args, kwargs


class EncryptedDateField(EncryptedField):
    def to_python(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, dt.date):
            return value or None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a date in YYYY-MM-DD form"), params={"value": value}
            ) from None

    def serialise(self, value: Any) -> str:
        return value.isoformat()

    def deserialise(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def formfield(self, **kwargs: Any) -> Any:
        return forms.DateField(
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.DateInput(attrs={"type": "date"}),
            **kwargs,
        )


class EncryptedJSONField(EncryptedField):
    def to_python(self, value: Any) -> Any:
        return value

    def is_empty(self, value: Any) -> bool:
        return value is None

    def serialise(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def deserialise(self, text: str) -> Any:
        return json.loads(text)

    def formfield(self, **kwargs: Any) -> Any:
        return forms.JSONField(required=not self.blank, label=self.verbose_name, **kwargs)


# Files -------------------------------------------------------------------------------------------


class EncryptedFieldFile(FieldFile):
    """A stored file whose bytes are AES-GCM ciphertext under the owner's data key."""

    def save(self, name: str, content: File, save: bool = True) -> None:  # type: ignore[type-arg]
        content.seek(0)
        blob = crypto.encrypt_bytes(
            _data_key(self.instance), content.read(), _aad(self.instance, self.field.name)
        )
        # The stored name is random: an original file name can itself be identifying.
        super().save(f"{uuid.uuid4().hex}.bin", ContentFile(blob), save=save)

    def read_plain(self) -> bytes:
        if not self.name:
            raise crypto.CryptoError(f"{self.instance._meta.label}.{self.field.name} has no file")
        with self.storage.open(self.name, "rb") as handle:
            blob = handle.read()
        return crypto.decrypt_bytes(
            _data_key(self.instance), blob, _aad(self.instance, self.field.name)
        )


class EncryptedFileField(models.FileField):
    attr_class = EncryptedFieldFile

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("upload_to", "encrypted/%Y/%m/")
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
