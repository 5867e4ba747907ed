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

BatchHandler = Callable[[list[Event]], None]

_HANDLERS: dict[str, Handler] = {}
_BATCH_HANDLERS: dict[str, BatchHandler] = {}
_COALESCED: set[str] = set()
EVENT_NAMES: dict[str, str] = {}


def declare(name: str, description: str) -> None:
    """Make an event name known (called from the announcing app's ready())."""
    EVENT_NAMES[name] = description


def subscribe(
    key: str, handler: Handler, *, batch: BatchHandler | None = None, coalesce: bool = False
) -> None:
    """Register a handler under a key (registering the key again replaces it).

    For the many events of one bulk write (``emit_many``): ``batch`` is called once with all
    of them instead of ``handler`` once per event; ``coalesce`` says the handler only needs the
    newest event of each organisation (it marks something stale), so it gets just those.
    """
    _HANDLERS[key] = handler
    _BATCH_HANDLERS.pop(key, None)
    _COALESCED.discard(key)
    if batch is not None:
        _BATCH_HANDLERS[key] = batch
    if coalesce:
        _COALESCED.add(key)


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


def emit_many(
    name: str,
    *,
    organisation_id: int | None,
    items: list[tuple[int | str | None, Mapping[str, Any]]],
) -> None:
    """Announce many events of one kind at once (a bulk write): ``items`` holds each event's
    (record_id, data). Handlers run after the commit as for ``emit``, in one transaction, each
    given the events as ``subscribe`` asked (a batch, the newest per organisation, or one by one).
    """
    batch = [
        Event(name=name, organisation_id=organisation_id, record_id=rid, data=dict(data or {}))
        for rid, data in items
    ]
    if not batch:
        return

    def dispatch() -> None:
        with transaction.atomic():
            for key, handler in list(_HANDLERS.items()):
                many = _BATCH_HANDLERS.get(key)
                chosen = batch
                if many is None and key in _COALESCED:
                    newest: dict[int | None, Event] = {}
                    for event in batch:
                        newest[event.organisation_id] = event
                    chosen = list(newest.values())
                try:
                    with transaction.atomic():
                        if many is not None:
                            many(batch)
                        else:
                            for event in chosen:
                                handler(event)
                except Exception:  # noqa: BLE001 - one subscriber must not break the others
                    logger.exception("event handler %s failed on %s", key, name)

    transaction.on_commit(dispatch)
