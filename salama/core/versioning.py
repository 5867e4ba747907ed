"""The optimistic version check every versioned record shares.

A form or API call sends the ``version`` it read; the write goes through only if the row still
has that version, and bumps it in the same statement, so two people saving at once cannot both
win. Each app passes its own message, written for the people who meet the conflict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db.models import F, Model
from django.utils import timezone

from salama.core.errors import ConflictError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _Versioned(Protocol):
    version: int


def bump_version(record: Model, expected: int | None, message: StrOrPromise) -> None:
    """Raise ConflictError(message) unless `record` still has version `expected` in the database;
    otherwise add one to its version (and touch ``updated_at``), on the row and on `record`.

    ``expected=None`` checks against the version `record` was loaded with: a change made by
    someone else since then is still refused.
    """
    versioned = cast(_Versioned, record)
    version = versioned.version if expected is None else expected
    manager: Any = type(record)._default_manager
    updated: int = manager.filter(pk=record.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ConflictError(message)
    versioned.version = version + 1
