"""Retention: persons whose cases have all been closed for longer than the holders keep them.

Source: docs/design.md#retention (closed cases are kept for a configured period, then
crypto-shredded) and issue 3 §6. Each organisation sets `retention_days`. A person is due when
every case of theirs is closed and each case's closure is older than its organisation's period
(so the longest period among the holders wins). Erasure is `people.services.erase_person`, one
person per transaction, so one failure leaves the others unaffected. The report never decrypts.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from salama.accounts.models import Organisation
from salama.cases.models import Case
from salama.people.models import Person
from salama.people.services import erase_person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionItem:
    """One person due for erasure, with the (non-identifying) facts that make them due."""

    person_id: uuid.UUID
    organisations: tuple[str, ...]
    references: tuple[str, ...]
    closed_at: dt.datetime
    due_since: dt.date

    @property
    def organisation(self) -> str:
        return ", ".join(self.organisations)


def _cutoff(today: dt.date, days: int) -> dt.datetime:
    """The moment before which a closure of `days` retention has run out by `today`."""
    start = dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min)
    return timezone.make_aware(start, dt.UTC)


def retention_report(
    today: dt.date | None = None, *, organisation: Organisation | None = None
) -> list[RetentionItem]:
    """Persons due for erasure on `today` (a dry run; nothing changes).

    With `organisation`, only persons who have a case held by that organisation.
    """
    today = today or timezone.localdate()
    orgs = list(Organisation.objects.only("pk", "retention_days"))
    if not orgs:
        return []
    # A case still inside its organisation's retention period keeps the person.
    retained = reduce(
        or_,
        (Q(organisation_id=o.pk, closed_at__gte=_cutoff(today, o.retention_days)) for o in orgs),
    )
    person_cases = Case.objects.filter(person=OuterRef("person_id"))
    held = (
        Case.objects.filter(person__erased_at__isnull=True, closed_at__isnull=False)
        .exclude(Exists(person_cases.filter(closed_at__isnull=True)))
        .exclude(Exists(person_cases.filter(retained)))
    )
    if organisation is not None:
        held = held.filter(Exists(person_cases.filter(organisation=organisation)))
    rows = held.select_related("organisation").order_by("person_id", "closed_at")
    grouped: dict[uuid.UUID, list[Case]] = {}
    for case in rows.only(
        "person_id", "reference", "closed_at", "organisation__name", "organisation__retention_days"
    ):
        grouped.setdefault(case.person_id, []).append(case)
    items = []
    for person_id, cases in grouped.items():
        closed = [c.closed_at for c in cases if c.closed_at is not None]
        due = max(
            c.closed_at.date() + dt.timedelta(days=c.organisation.retention_days)
            for c in cases
            if c.closed_at is not None
        )
        items.append(
            RetentionItem(
                person_id=person_id,
                organisations=tuple(sorted({c.organisation.name for c in cases})),
                references=tuple(c.reference for c in cases),
                closed_at=max(closed),
                due_since=due,
            )
        )
    return sorted(items, key=lambda i: (i.due_since, str(i.person_id)))


def apply_retention(
    today: dt.date | None = None, *, organisation: Organisation | None = None
) -> list[RetentionItem]:
    """Erase every person the report lists; returns those erased (failures are logged)."""
    erased: list[RetentionItem] = []
    for item in retention_report(today, organisation=organisation):
        try:
            with transaction.atomic():
                person = Person.objects.select_related("data_key").get(pk=item.person_id)
                # Re-check inside the transaction: a case may have been reopened since the report.
                if (
                    person.is_erased
                    or Case.objects.filter(person=person, closed_at__isnull=True).exists()
                ):
                    logger.info(
                        "retention: person %s skipped (changed since the report)", item.person_id
                    )
                    continue
                erase_person(actor=None, person=person, reason="retention")
                Case.objects.filter(person=person).update(retention_erased_at=timezone.now())
        except Exception:
            logger.exception("retention: erasing person %s failed", item.person_id)
            continue
        logger.info(
            "retention: person %s erased (cases %s)", item.person_id, ", ".join(item.references)
        )
        erased.append(item)
    return erased


# Other apps' retention sweeps (e.g. abandoned imports), run by `salama retention`: each is
# called with apply=False (count only) or True (delete) and returns how many records it found.
_SWEEPS: dict[str, Callable[..., int]] = {}


def register_sweep(label: str, sweep: Callable[..., int]) -> None:
    _SWEEPS[label] = sweep


def run_sweeps(*, apply: bool) -> dict[str, int]:
    return {label: sweep(apply=apply) for label, sweep in _SWEEPS.items()}
