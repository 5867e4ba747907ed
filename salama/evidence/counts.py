"""Keeping the dashboards' counts current: one organisation's cube, rebuilt from its records.

Every dashboard figure is a sum over ``CaseCount`` rows, never a scan of the case table. A
refresh rebuilds one organisation's rows in one transaction from a handful of ``GROUP BY``
statements over its records (cases with their person's sex and age band at registration,
screenings, identification decisions, referrals, overdue work, assistance paid, vulnerability
factors, forms of exploitation). It runs:

- from the task worker, after any domain event of the organisation (``salama.core.events``: the
  subscriber marks the organisation stale and enqueues one refresh);
- from ``manage.py evidence_refresh`` (all organisations, or only the stale ones, once or every
  N seconds), for a deployment that wants a schedule;
- on the first dashboard visit of an organisation that was never counted.

Each measure is dated by the month its event happened: a case by the month it was opened (its
current stage, type and forms of exploitation too), a screening by the month it was finalised,
a decision by its date, a referral by the month it was sent, a payment by the month it was paid,
overdue work by the month it fell due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from salama.core import events
from salama.evidence.dashboard_models import CaseCount, CountsFreshness

# The measures of the cube and what their keys are.
MEASURES = (
    "opened",  # key: case type
    "stage",  # key: current stage
    "exploitation",  # key: HTCDS type of exploitation
    "screening",  # key: screening outcome
    "identification",  # key: "<step>:<outcome>"
    "referral",  # key: referral status
    "referral_accept",  # key: service type; total: days from sending to acceptance
    "referral_service",  # key: service type; total: days from sending to delivery
    "overdue",  # key: "task" or "referral"
    "assistance",  # key: "<fund id>|<currency>"; total: amount paid
    "vulnerability",  # key: risk factor present
)

BATCH = 5000

_Cell = tuple[dt.date, str, str, str, str, str]  # month, country, sex, band, measure, key


def first_of_month(value: dt.date | dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.replace(day=1)


def _case_dims(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}jurisdiction", f"{prefix}person__sex", f"{prefix}person__age_band")


def _grouped(
    queryset: Any,
    when: str,
    case_prefix: str,
    measure: str,
    key_fields: tuple[str, ...],
    **aggregates: Any,
) -> Iterator[tuple[_Cell, int, Decimal]]:
    """``GROUP BY`` month, the case's dimensions and `key_fields` (joined by ``|`` into the
    key); yields cells with n and total."""
    country, sex, band = _case_dims(case_prefix)
    fields = ["m", country, sex, band, *key_fields]
    rows = (
        queryset.annotate(m=TruncMonth(when))
        .values(*fields)
        .annotate(n=aggregates.pop("n", Count("pk")), **aggregates)
        .order_by()
    )
    for row in rows:
        month = first_of_month(row["m"])
        if month is None:
            continue
        key = "|".join("" if row[f] is None else str(row[f]) for f in key_fields)
        cell = (month, row[country] or "", row[sex] or "", row[band] or "", measure, key)
        yield cell, row["n"], Decimal(row.get("total") or 0)


def _cells(organisation_id: int, today: dt.date) -> Iterator[tuple[_Cell, int, Decimal]]:
    from salama.assistance.choices import ItemStatus
    from salama.assistance.models import AssistanceItem
    from salama.cases.choices import TaskStatus
    from salama.cases.models import Case, ExploitationRecord, Task
    from salama.referrals.choices import ReferralStatus
    from salama.referrals.models import Referral
    from salama.screening.choices import Presence, RecordStatus
    from salama.screening.models import FactorAnswer, IdentificationDecision, Screening

    cases = Case.objects.filter(organisation_id=organisation_id)
    yield from _grouped(cases, "opened_at", "", "opened", ("case_type",))
    yield from _grouped(cases, "opened_at", "", "stage", ("stage",))
    yield from _grouped(
        Screening.objects.filter(case__organisation_id=organisation_id, status=RecordStatus.FINAL),
        "finalised_at",
        "case__",
        "screening",
        ("outcome",),
    )
    decisions = IdentificationDecision.objects.filter(
        case__organisation_id=organisation_id, replaced_by__isnull=True
    )
    for cell, n, total in _grouped(decisions, "decided_on", "case__", "identification", ("step",)):
        yield cell, n, total  # the step alone, then each step with its outcome
    for outcome in ("positive", "negative"):
        for cell, n, total in _grouped(
            decisions.filter(outcome=outcome),
            "decided_on",
            "case__",
            "identification",
            ("step",),
        ):
            yield (*cell[:5], f"{cell[5]}:{outcome}"), n, total
    referrals = Referral.objects.filter(from_organisation_id=organisation_id)
    yield from _grouped(referrals, "sent_at", "case__", "referral", ("status",))
    yield from _durations(referrals, organisation_id)
    for cell, n, total in _grouped(
        Task.objects.filter(
            case__organisation_id=organisation_id, status=TaskStatus.OPEN, due_on__lt=today
        ),
        "due_on",
        "case__",
        "overdue",
        (),
    ):
        yield (*cell[:5], "task"), n, total
    for cell, n, total in _grouped(
        referrals.filter(
            status__in=(ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED),
            due_at__lt=timezone.now(),
        ),
        "due_at",
        "case__",
        "overdue",
        (),
    ):
        yield (*cell[:5], "referral"), n, total
    # The currency is part of the key: amounts in different currencies are never added up.
    yield from _grouped(
        AssistanceItem.objects.filter(
            case__organisation_id=organisation_id, status=ItemStatus.DISBURSED
        ),
        "disbursed_at",
        "case__",
        "assistance",
        ("fund_id", "currency"),
        total=Sum("amount"),
    )
    yield from _grouped(
        FactorAnswer.objects.filter(
            assessment__case__organisation_id=organisation_id,
            assessment__status=RecordStatus.FINAL,
            present=Presence.YES,
            polarity="risk",
        ),
        "assessment__finalised_at",
        "assessment__case__",
        "vulnerability",
        ("factor",),
        n=Count("assessment", distinct=True),
    )
    yield from _exploitation(
        ExploitationRecord.objects.filter(case__organisation_id=organisation_id)
    )


def _durations(referrals: Any, organisation_id: int) -> Iterator[tuple[_Cell, int, Decimal]]:
    """Days from sending to acceptance and to delivery, summed per cell (the page divides)."""
    sums: Counter[_Cell] = Counter()
    counts: Counter[_Cell] = Counter()
    rows = referrals.filter(accepted_at__isnull=False).values_list(
        "sent_at",
        "accepted_at",
        "delivered_at",
        "service_type",
        "case__jurisdiction",
        "case__person__sex",
        "case__person__age_band",
    )
    for sent, accepted, delivered, service, country, sex, band in rows.iterator(chunk_size=BATCH):
        month = first_of_month(sent)
        assert month is not None
        for measure, end in (("referral_accept", accepted), ("referral_service", delivered)):
            if end is None or end < sent:
                continue
            cell = (month, country or "", sex or "", band or "", measure, service)
            sums[cell] += int((end - sent).total_seconds() // 86400)
            counts[cell] += 1
    for cell, n in counts.items():
        yield cell, n, Decimal(sums[cell])


def _exploitation(records: Any) -> Iterator[tuple[_Cell, int, Decimal]]:
    """Forms of exploitation are a list per case: counted in Python, a case once per form."""
    counts: Counter[_Cell] = Counter()
    rows = records.values_list(
        "case__opened_at",
        "case__jurisdiction",
        "case__person__sex",
        "case__person__age_band",
        "types_of_exploitation",
    )
    for opened, country, sex, band, types in rows.iterator(chunk_size=BATCH):
        month = first_of_month(opened)
        assert month is not None
        for code in dict.fromkeys(types or []):
            counts[(month, country or "", sex or "", band or "", "exploitation", str(code))] += 1
    for cell, n in counts.items():
        yield cell, n, Decimal(0)


def _merge(cells: Iterable[tuple[_Cell, int, Decimal]]) -> dict[_Cell, tuple[int, Decimal]]:
    merged: dict[_Cell, tuple[int, Decimal]] = {}
    for cell, n, total in cells:
        before = merged.get(cell, (0, Decimal(0)))
        merged[cell] = (before[0] + n, before[1] + total)
    return merged


@transaction.atomic
def refresh(organisation_id: int, *, today: dt.date | None = None) -> int:
    """Rebuild one organisation's counts; returns how many cells it now has."""
    today = today or timezone.localdate()
    CountsFreshness.objects.select_for_update().filter(organisation_id=organisation_id).first()
    started = timezone.now()
    merged = _merge(_cells(organisation_id, today))
    CaseCount.objects.filter(organisation_id=organisation_id).delete()
    batch: list[CaseCount] = []
    for (month, country, sex, band, measure, key), (n, total) in merged.items():
        batch.append(
            CaseCount(
                organisation_id=organisation_id,
                month=month,
                country=country,
                sex=sex,
                age_band=band,
                measure=measure,
                key=key[:80],
                n=n,
                total=total,
            )
        )
        if len(batch) >= BATCH:
            CaseCount.objects.bulk_create(batch)
            batch = []
    CaseCount.objects.bulk_create(batch)
    freshness, _created = CountsFreshness.objects.get_or_create(organisation_id=organisation_id)
    freshness.refreshed_at = started
    # An event that arrived while counting keeps the organisation stale, and counts it again.
    if freshness.stale_since is not None and freshness.stale_since <= started:
        freshness.stale_since = None
    elif freshness.stale_since is not None and freshness.stale_since <= timezone.now():
        transaction.on_commit(lambda: _enqueue(organisation_id))
    freshness.cells = len(merged)
    freshness.save()
    return len(merged)


def stale_organisations() -> list[int]:
    """Organisations never counted, or changed since they were."""
    from salama.accounts.models import Organisation

    counted = CountsFreshness.objects.filter(stale_since__isnull=True, refreshed_at__isnull=False)
    return list(
        Organisation.objects.exclude(pk__in=counted.values("organisation_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def refresh_stale() -> dict[int, int]:
    return {org_id: refresh(org_id) for org_id in stale_organisations()}


def ensure_counted(organisation_ids: Iterable[int] | None) -> None:
    """Count now the organisations (None: all) that were never counted (a first visit; later
    visits read what the background refresh keeps current)."""
    from salama.accounts.models import Organisation

    if organisation_ids is None:
        organisation_ids = Organisation.objects.values_list("pk", flat=True)
    ids = set(organisation_ids)
    done = set(
        CountsFreshness.objects.filter(
            organisation_id__in=ids, refreshed_at__isnull=False
        ).values_list("organisation_id", flat=True)
    )
    for org_id in sorted(ids - done):
        refresh(org_id)


def on_event(event: events.Event) -> None:
    """A domain event of an organisation makes its counts stale; the first one since the last
    refresh enqueues a refresh on the task worker."""
    if event.organisation_id is None:
        return
    org_id = event.organisation_id
    marked = CountsFreshness.objects.filter(
        organisation_id=org_id, stale_since__isnull=True
    ).update(stale_since=event.occurred_at)
    if not marked:
        # Already stale: a refresh is queued. Moving the mark on makes a refresh that is running
        # now count again when it ends.
        if CountsFreshness.objects.filter(organisation_id=org_id).update(
            stale_since=event.occurred_at
        ):
            return
        CountsFreshness.objects.get_or_create(
            organisation_id=org_id, defaults={"stale_since": event.occurred_at}
        )
    _enqueue(org_id)


def _enqueue(organisation_id: int) -> None:
    from salama.evidence.tasks import refresh_counts

    refresh_counts.enqueue(organisation_id=organisation_id)
