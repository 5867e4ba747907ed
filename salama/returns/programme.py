"""The programme view's figures: monitoring coverage, score distributions, scores by country of
return and by kind of assistance, and the return journey's departures and arrivals.

Only aggregates of the organisation's own schedules (as host or as monitor) leave this module:
counts and means, never a person or a case. Shared by the page and the API.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import mean
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from salama.assistance.models import AssistanceItem
from salama.core.countries import COUNTRIES
from salama.core.policy import Principal
from salama.core.taxonomy import ServiceType
from salama.returns import monitoring_access as access
from salama.returns.monitoring_models import MonitoringVisit, VisitStatus

SCORE_KEYS = ("economic", "social", "psychosocial", "composite")
# Score bands of the distributions: [0, .25), [.25, .5), [.5, .75), [.75, 1].
BANDS = ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0001))
COVERAGE = ("due", "upcoming", "done", "lost_contact", "cancelled")


def band_label(index: int) -> str:
    low, high = BANDS[index]
    return f"{low:.2f}–{min(high, 1.0):.2f}"


def coverage_label(key: str) -> str:
    return {
        "due": _("Due or overdue"),
        "upcoming": _("Not yet due"),
        "done": _("Done"),
        "lost_contact": _("Lost contact"),
        "cancelled": _("Cancelled"),
    }[key]


# The return journey's figures --------------------------------------------------------------
#
# The return journey's own figures (salama.returns.journey_queries.programme_counts): departures,
# arrivals, receptions by the origin organisation, no-shows and cancellations in the period, each
# with its label in the reader's language.

JOURNEY_LABELS: dict[str, Any] = {}


def _journey_labels() -> dict[str, str]:
    return {
        "departures": _("Departures"),
        "arrivals": _("Arrivals"),
        "receptions": _("Received in the country of origin"),
        "no_shows": _("Did not come to departure"),
        "cancellations": _("Returns cancelled"),
        **{k: str(v) for k, v in JOURNEY_LABELS.items()},
    }


def journey_counts(
    principal: Principal | None,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    country: str,
) -> list[dict[str, Any]] | None:
    """Departures, arrivals, receptions, no-shows and cancellations of the period (totals)."""
    from salama.returns.journey_queries import programme_counts

    counts = programme_counts(principal, date_from=date_from, date_to=date_to, country=country)
    labels = _journey_labels()
    return [
        {"code": str(code), "label": labels.get(str(code), _("Other figure")), "count": count}
        for code, count in dict((counts or {}).get("totals", {})).items()
    ]


# Monitoring figures --------------------------------------------------------------------------


def _visits(
    principal: Principal | None,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    country: str,
) -> list[MonitoringVisit]:
    schedules = access.programme_schedules(principal)
    if country:
        schedules = schedules.filter(country=country)
    visits = MonitoringVisit.objects.filter(schedule__in=schedules)
    if date_from:
        visits = visits.filter(due_on__gte=date_from)
    if date_to:
        visits = visits.filter(due_on__lte=date_to)
    return list(
        visits.select_related("schedule__reception_referral").only(
            "id",
            "status",
            "due_on",
            "economic",
            "social",
            "psychosocial",
            "composite",
            "schedule__id",
            "schedule__case_id",
            "schedule__country",
            "schedule__host_organisation_id",
            "schedule__reception_referral__service_type",
        )
    )


def _kinds_of_assistance(
    principal: Principal | None, visits: list[MonitoringVisit]
) -> dict[Any, set[str]]:
    """Per schedule, the kinds of assistance given: the host's assistance items (for the host
    organisation only) and the reception referral's service."""
    kinds: dict[Any, set[str]] = defaultdict(set)
    cases = {v.schedule.case_id for v in visits}
    organisation = principal.organisation if principal is not None else None
    # Counted, never listed: the organisation's own cases only.
    items = (
        AssistanceItem.objects.filter(case_id__in=cases, case__organisation=organisation)
        .exclude(status__in=("rejected", "cancelled"))
        .values_list("case_id", "service_type")
    )
    by_case: dict[Any, set[str]] = defaultdict(set)
    for case_id, kind in items:
        by_case[case_id].add(kind)
    for v in visits:
        schedule = v.schedule
        kinds[schedule.id] |= by_case.get(schedule.case_id, set())
        if schedule.reception_referral_id and schedule.reception_referral is not None:
            kinds[schedule.id].add(schedule.reception_referral.service_type)
    return kinds


def _group_means(groups: dict[str, list[float]], labels: dict[str, str]) -> list[dict[str, Any]]:
    rows = [
        {
            "code": code,
            "label": labels.get(code) or _("Not recorded"),
            "visits": len(values),
            "mean": round(mean(values), 2),
        }
        for code, values in groups.items()
        if values
    ]
    return sorted(rows, key=lambda r: (-r["visits"], r["label"]))


def programme_figures(
    principal: Principal | None,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    country: str = "",
) -> dict[str, Any]:
    """Everything the programme view shows, for visits due in the period (and the country)."""
    today = timezone.localdate()
    visits = _visits(principal, date_from=date_from, date_to=date_to, country=country)
    coverage = dict.fromkeys(COVERAGE, 0)
    for v in visits:
        if v.status == VisitStatus.SCHEDULED:
            coverage["due" if v.due_on <= today else "upcoming"] += 1
        else:
            coverage[v.status] += 1
    done = [v for v in visits if v.status == VisitStatus.DONE]
    distribution = {
        key: [
            sum(
                1
                for v in done
                if getattr(v, key) is not None and low <= float(getattr(v, key)) < high
            )
            for low, high in BANDS
        ]
        for key in SCORE_KEYS
    }
    means = {
        key: (
            round(mean(values), 2)
            if (values := [getattr(v, key) for v in done if getattr(v, key) is not None])
            else None
        )
        for key in SCORE_KEYS
    }
    by_country: dict[str, list[float]] = defaultdict(list)
    for v in done:
        if v.composite is not None:
            by_country[v.schedule.country].append(v.composite)
    kinds = _kinds_of_assistance(principal, done)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for v in done:
        if v.composite is None:
            continue
        for kind in kinds.get(v.schedule.id) or {""}:
            by_kind[kind].append(v.composite)
    reached = coverage["done"] + coverage["lost_contact"]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "country": country,
        "coverage": [
            {"code": k, "label": coverage_label(k), "count": coverage[k]} for k in COVERAGE
        ],
        "visits_total": len(visits),
        "contact_rate": round(coverage["done"] / reached, 2) if reached else None,
        "means": means,
        "distribution": distribution,
        "bands": [band_label(i) for i in range(len(BANDS))],
        "by_country": _group_means(by_country, {str(k): str(v) for k, v in COUNTRIES.items()}),
        "by_assistance": _group_means(by_kind, {k: str(v) for k, v in ServiceType.choices}),
        "journey": journey_counts(principal, date_from=date_from, date_to=date_to, country=country),
    }
