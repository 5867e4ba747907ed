"""A candidate pair without the engine: a run and a pair written directly, as the engine would."""

from __future__ import annotations

from typing import Any

from salama.matching.models import CandidatePair, MatchRun

REASONS = [
    {"field": "name", "level": "cross_script", "weight": 6.2},
    {"field": "birth_date", "level": "exact", "weight": 4.1},
    {"field": "sex", "level": "exact", "weight": 0.4},
]


def make_pair(
    first: Any,
    second: Any,
    *,
    requested_by: Any,
    probability: float = 0.97,
    reasons: list[dict[str, Any]] | None = None,
    cluster_key: str = "",
) -> CandidatePair:
    a, b = sorted([first, second], key=lambda p: str(p.pk))
    run = MatchRun.objects.create(
        organisation=a.registered_by,
        requested_by=requested_by,
        status=MatchRun.Status.FINISHED,
        persons=2,
        pairs=1,
    )
    return CandidatePair.objects.create(
        run=run,
        person_a=a,
        person_b=b,
        probability=probability,
        match_weight=10.7,
        reasons=REASONS if reasons is None else reasons,
        cluster_key=cluster_key or str(a.pk),
        cross_organisation=a.registered_by_id != b.registered_by_id,
    )
