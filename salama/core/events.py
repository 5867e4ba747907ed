"""Domain events: a service announces what happened; other apps subscribe.

Core knows no domain app, and an app that reacts to another's events (webhooks, a dashboard kept
current, a return's monitoring schedule) must not make the announcing app import it. So a service
calls ``emit("case.opened", organisation_id=..., record_id=..., data={...})`` inside its
transaction, and every handler registered with ``subscribe`` from an ``AppConfig.ready`` is called
once that transaction commits (never for a rolled-back write). ``data`` holds only identifiers,
codes and dates, never a name or free text: a subscriber that needs more reads it through the
policy like any other reader.

Event names are ``<record>.<what happened>`` in the past tense (``referral.accepted``,
``return.departed``, ``submission.received``); ``EVENT_NAMES`` lists the known ones so an
integration can subscribe to them by name.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    organisation_id: int | None
    record_id: int | str | None
    data: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: dt.datetime = field(default_factory=timezone.now)


Handler = Callable[[Event], None]

_HANDLERS: dict[str, Handler] = {}
EVENT_NAMES: dict[str, str] = {}


def declare(name: str, description: str) -> None:
    """Make an event name known (called from the announcing app's ready())."""
    EVENT_NAMES[name] = description


def subscribe(key: str, handler: Handler) -> None:
    """Register a handler under a key (registering the key again replaces it)."""
    _HANDLERS[key] = handler


def emit(
    name: str,
    *,
    organisation_id: int | None,
    record_id: int | str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Announce an event; handlers run after the current transaction commits.

    A failing handler is logged and does not undo the write that raised the event (it has
    committed already) nor stop the other handlers.
    """
    event = Event(
        name=name, organisation_id=organisation_id, record_id=record_id, data=dict(data or {})
    )

    def dispatch() -> None:
        for key, handler in list(_HANDLERS.items()):
            try:
                handler(event)
            except Exception:  # noqa: BLE001 - one subscriber must not break the others
                logger.exception("event handler %s failed on %s", key, name)

    transaction.on_commit(dispatch)
