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


def review_world(cw: Any, sup: Any, cw_b: Any) -> dict[str, Any]:
    """For the service and URL matrices: a pair of A's persons, a merge of two more, and a pair
    across A and B. Persons registered by A's caseworker with no case: A's supervisor sees them."""
    from salama.matching.review_services import merge_pair
    from salama.people import services as people

    def twice(actor: Any, given: str) -> tuple[Any, Any]:
        first = people.register_person(actor=actor, given_name=given, family_name="Haddad")
        second = people.register_person(actor=actor, given_name=given, family_name="حداد")
        return first, second

    pair = make_pair(*twice(cw, "Samira"), requested_by=sup.user)
    merged_pair = make_pair(*twice(cw, "Layla"), requested_by=sup.user)
    merge = merge_pair(
        actor=sup, pair=merged_pair, keep=merged_pair.person_a, reason_code="registered_twice"
    )
    own = people.register_person(actor=cw, given_name="Nadia", family_name="Saleh")
    theirs = people.register_person(actor=cw_b, given_name="Nadia", family_name="Salih")
    cross_pair = make_pair(own, theirs, requested_by=sup.user)
    return {"review_pair": pair, "review_merge": merge, "review_cross_pair": cross_pair}
