"""Appending many audit entries at once, and announcing many events at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from salama.core import audit, events
from salama.core.audit_batch import PendingEntry, append_many
from salama.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def test_append_many_chains_entries_that_verify_between_single_ones(caseworker_a: Any) -> None:
    org = caseworker_a.memberships.get().organisation
    audit.record("test.before", actor=caseworker_a, organisation=org)
    entries = append_many(
        [
            PendingEntry("test.one", object_type="x.y", object_id="1", fields=["name"]),
            PendingEntry("test.two", obj=org, changes={"count": (1, 2.5)}, scope=org),
        ],
        actor=caseworker_a,
        organisation=org,
    )
    audit.record("test.after", actor=caseworker_a, organisation=org)
    assert [e.action for e in AuditEntry.objects.order_by("id")][-4:] == [
        "test.before",
        "test.one",
        "test.two",
        "test.after",
    ]
    two = AuditEntry.objects.get(pk=entries[1].pk)
    assert two.changes == {"count": [1, "2.5"]} and two.fields == ["count"]
    assert two.object_type == "accounts.organisation" and two.actor_id == caseworker_a.pk
    assert AuditHead.objects.get().last_id == AuditEntry.objects.order_by("-id").first().id
    assert list(audit.iter_problems()) == []


def test_append_many_rolled_back_leaves_neither_entries_nor_a_moved_head() -> None:
    head_before = AuditHead.objects.filter(pk=1).values_list("last_id", flat=True).first()
    with pytest.raises(RuntimeError), transaction.atomic():
        append_many([PendingEntry("test.gone") for _ in range(3)])
        raise RuntimeError
    assert not AuditEntry.objects.filter(action="test.gone").exists()
    assert AuditHead.objects.filter(pk=1).values_list("last_id", flat=True).first() == head_before
    assert list(audit.iter_problems()) == []


def test_emit_many_gives_each_subscriber_the_events_as_it_asked(
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: dict[str, list[Any]] = {"one": [], "batch": [], "stale": []}
    saved = dict(events._HANDLERS), dict(events._BATCH_HANDLERS), set(events._COALESCED)
    try:
        events._HANDLERS.clear()
        events.subscribe("t.one", lambda e: seen["one"].append(e.record_id))
        events.subscribe(
            "t.batch",
            lambda e: seen["batch"].append(("single", e.record_id)),
            batch=lambda es: seen["batch"].append(("batch", [e.record_id for e in es])),
        )
        events.subscribe("t.stale", lambda e: seen["stale"].append(e.record_id), coalesce=True)
        with django_capture_on_commit_callbacks(execute=True):
            events.emit_many(
                "case.opened", organisation_id=7, items=[("a", {}), ("b", {}), ("c", {})]
            )
    finally:
        events._HANDLERS.clear()
        events._HANDLERS.update(saved[0])
        events._BATCH_HANDLERS.clear()
        events._BATCH_HANDLERS.update(saved[1])
        events._COALESCED.clear()
        events._COALESCED.update(saved[2])
    assert seen == {"one": ["a", "b", "c"], "batch": [("batch", ["a", "b", "c"])], "stale": ["c"]}
