"""Moving encrypted rows from one person to another: decrypt under the old key, re-encrypt under
the new one.

Every encrypted value is sealed under its data subject's data key and bound to its own record
(associated data: model, record id, field). Moving a document, a consent or a whole case to
another person therefore changes the key, never the associated data: each value is read with the
old key, the link is changed, and the value is written again under the new person's key.
Ciphertext is never copied from one key to another.

`reseal(rows, change)` does that for any set of rows: it reads every encrypted value (and every
encrypted file) of the rows, calls `change()` (which moves the links in the database), fetches
the rows again, so each finds its data key through its new links, and writes each value back
sealed under that key. Rows of a moved case are found by following foreign keys down from the
case (`case_rows`), whatever app they belong to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction

from salama.core.fields import EncryptedField, EncryptedFileField

Rows = dict[type[models.Model], set[Any]]
# How far down from a case rows are followed (case → screening → answer → …).
MAX_DEPTH = 4


def _encrypted(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def _files(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFileField)]


def _children(parent: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key that points at `parent`."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is parent:
                found.append((model, field.name))
    return found


def case_rows(case_ids: Iterable[Any]) -> Rows:
    """Every row that hangs off the cases (at any depth up to MAX_DEPTH), the cases included."""
    case_model = apps.get_model("cases", "Case")
    person_model = apps.get_model("people", "Person")
    ids = set(case_ids)
    rows: Rows = {case_model: set(ids)}
    frontier: list[tuple[type[models.Model], set[Any]]] = [(case_model, ids)]
    for _depth in range(MAX_DEPTH):
        following: list[tuple[type[models.Model], set[Any]]] = []
        for parent, parent_ids in frontier:
            if not parent_ids:
                continue
            for model, name in _children(parent):
                if model in (case_model, person_model) or model._meta.app_label == "matching":
                    continue
                pks = set(
                    model._base_manager.filter(**{f"{name}__in": parent_ids}).values_list(
                        "pk", flat=True
                    )
                )
                new = pks - rows.setdefault(model, set())
                if new:
                    rows[model] |= new
                    following.append((model, new))
        frontier = following
    return {model: pks for model, pks in rows.items() if pks}


def reseal(rows: Rows, change: Callable[[], None]) -> None:
    """Read the rows' encrypted values, apply `change`, and seal them again under their new keys."""
    plain: dict[tuple[type[models.Model], Any], dict[str, Any]] = {}
    files: dict[tuple[type[models.Model], Any], dict[str, tuple[str, bytes]]] = {}
    for model, pks in rows.items():
        fields, file_fields = _encrypted(model), _files(model)
        if not fields and not file_fields:
            continue
        for row in model._base_manager.filter(pk__in=pks):
            plain[(model, row.pk)] = {f.attname: getattr(row, f.attname) for f in fields}
            for f in file_fields:
                stored = getattr(row, f.attname)
                if stored and stored.name:
                    files.setdefault((model, row.pk), {})[f.attname] = (
                        stored.name,
                        stored.read_plain(),
                    )
    change()
    old_files: list[tuple[Any, str]] = []
    for model, pks in rows.items():
        fields, file_fields = _encrypted(model), _files(model)
        if not fields and not file_fields:
            continue
        for row in model._base_manager.filter(pk__in=pks):
            updates: dict[str, Any] = {}
            for f in fields:
                row.__dict__[f.attname] = plain[(model, row.pk)][f.attname]
                updates[f.attname] = f.pre_save(row, False)
            for attname, (old_name, data) in files.get((model, row.pk), {}).items():
                stored = getattr(row, attname)
                stored.save(old_name, ContentFile(data), save=False)
                updates[attname] = stored.name
                old_files.append((stored.storage, old_name))
            if updates:
                model._base_manager.filter(pk=row.pk).update(**updates)

    def _delete_old() -> None:
        for storage, name in old_files:
            storage.delete(name)

    if old_files:
        transaction.on_commit(_delete_old)
