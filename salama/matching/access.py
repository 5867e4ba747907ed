"""Who may see candidate pairs and merges (docs/domain.md#duplicates-and-merges).

A pair within one organisation is reviewed by a supervisor (matching.review) who may see both
persons. A pair across organisations (`cross_organisation`) is shown to each side's supervisor
as the bare fact of a possible match with a person of another organisation, until both
organisations have agreed to disclose: then both see both records and may merge. The side of an
organisation is the person it registered and may see. Everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from salama.core.policy import Principal, get_or_404, has_perm, in_organisation, register, visible
from salama.core.roles import Perm
from salama.matching.merge_models import DisclosureAgreement, PersonMerge
from salama.matching.models import CandidatePair

OPEN_STATUSES = (CandidatePair.Status.OPEN, CandidatePair.Status.UNDONE)


def _person_visible(principal: Principal, path: str) -> Exists:
    return Exists(visible(principal, "people.person").filter(pk=OuterRef(path)))


def visible_candidates(principal: Principal | None) -> QuerySet[CandidatePair]:
    """Pairs the principal may review: both persons visible, or their own side of a
    cross-organisation pair."""
    if not in_organisation(principal) or not has_perm(principal, Perm.MATCHING_REVIEW):
        return CandidatePair.objects.none()
    assert principal is not None
    org = principal.organisation
    both = (
        Q(cross_organisation=False)
        & Q(_person_visible(principal, "person_a"))
        & Q(_person_visible(principal, "person_b"))
    )
    own_side = Q(cross_organisation=True) & (
        (Q(person_a__registered_by=org) & Q(_person_visible(principal, "person_a")))
        | (Q(person_b__registered_by=org) & Q(_person_visible(principal, "person_b")))
    )
    return CandidatePair.objects.filter(both | own_side)


def open_candidates(principal: Principal | None) -> QuerySet[CandidatePair]:
    """The queue: pairs still waiting for a decision, neither person merged away."""
    return visible_candidates(principal).filter(
        status__in=OPEN_STATUSES,
        person_a__merged_at__isnull=True,
        person_b__merged_at__isnull=True,
        person_a__erased_at__isnull=True,
        person_b__erased_at__isnull=True,
    )


def access_candidate(principal: Principal | None, pair_id: Any) -> CandidatePair:
    return get_or_404(
        visible_candidates(principal).select_related(
            "person_a__registered_by", "person_b__registered_by", "run"
        ),
        id=pair_id,
    )


def sides(pair: CandidatePair) -> set[Any]:
    """The organisations of a pair: each registered one of its persons."""
    return {pair.person_a.registered_by_id, pair.person_b.registered_by_id}


def is_disclosed(pair: CandidatePair) -> bool:
    """Both persons' details may be shown: one organisation, or every side agreed."""
    if not pair.cross_organisation:
        return True
    agreed = set(
        DisclosureAgreement.objects.filter(pair=pair).values_list("organisation_id", flat=True)
    )
    return sides(pair) <= agreed


def ensure_can_decide(actor: Principal | None, pair: CandidatePair) -> None:
    """Refuse (404) unless the actor may see both records of the pair: merge, not-duplicate."""
    if not visible_candidates(actor).filter(pk=pair.pk).exists():
        raise Http404("Not found")
    if not is_disclosed(pair):
        raise Http404("Not found")


def ensure_own_side(actor: Principal | None, pair: CandidatePair) -> None:
    """Refuse (404) unless the pair is on the actor's queue (for agreeing to disclose)."""
    if not visible_candidates(actor).filter(pk=pair.pk).exists():
        raise Http404("Not found")


def visible_merges(principal: Principal | None) -> QuerySet[PersonMerge]:
    """Merges whose kept person the principal may see (a merged person's page says where to)."""
    if not in_organisation(principal) or not has_perm(principal, Perm.PERSON_VIEW):
        return PersonMerge.objects.none()
    assert principal is not None
    return PersonMerge.objects.filter(_person_visible(principal, "kept"))


def access_merge(principal: Principal | None, merge_id: Any) -> PersonMerge:
    if not has_perm(principal, Perm.MATCHING_REVIEW):
        raise Http404("Not found")
    return get_or_404(
        visible_merges(principal).select_related("kept", "merged", "merged_by"), id=merge_id
    )


def ensure_can_undo(actor: Principal | None, merge: PersonMerge) -> None:
    """Refuse (404) unless the actor reviews duplicates, sees the kept person, and acts for an
    organisation of the merge (the one that merged, or one whose person it was)."""
    if actor is None or not has_perm(actor, Perm.MATCHING_REVIEW):
        raise Http404("Not found")
    if not visible_merges(actor).filter(pk=merge.pk).exists():
        raise Http404("Not found")
    org_id = actor.organisation.pk
    allowed = {merge.organisation_id, merge.kept.registered_by_id, merge.merged.registered_by_id}
    if org_id not in allowed:
        raise Http404("Not found")


def register_rules() -> None:
    register(CandidatePair, visible_candidates)
    register(PersonMerge, visible_merges)
