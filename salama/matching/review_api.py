"""The duplicate review over the API: the queue, a pair, merge, not the same person, agree to
disclose, a merge and its undo.

Same conventions as the pages (salama.matching.review_views): the access rules fetch the pair or
merge (a 404 for one the caller may not see), the service checks the actor again, refusals are
JSON errors. Across organisations, before both agreed, the other side of a pair is its
organisation's name only: `person_id`, `name` and the rest are null, the probability is a band.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.core.apierrors import call_service
from salama.core.apitypes import Page, Text
from salama.core.policy import request_principal
from salama.core.roles import Perm
from salama.matching import review_queries as queries
from salama.matching import review_services as services
from salama.matching.access import access_candidate, access_merge
from salama.matching.merge_models import MergeReason, NotDuplicateReason, PersonMerge
from salama.people.queries import record_person_view

router = Router(tags=["matching"])

MergeReasonCode = Literal[tuple(MergeReason.values)]  # type: ignore[valid-type]
NotDuplicateReasonCode = Literal[tuple(NotDuplicateReason.values)]  # type: ignore[valid-type]


class ReviewQueueParams(Schema):
    page: Page = Field(1, description="25 pairs a page, most likely first")
    cluster: str = Field("", max_length=36, description="only the pairs of this cluster")


class ReviewReasonOut(Schema):
    field: str
    level: str
    strength: str
    direction: str


class ReviewDocumentOut(Schema):
    type: str
    number: str = Field(description="Masked: the last three characters only.")


class ReviewCaseOut(Schema):
    reference: str
    stage: str
    organisation: str


class ReviewOtherNameOut(Schema):
    name: str
    kind: str


class ReviewSideOut(Schema):
    disclosed: bool
    organisation: str
    person_id: uuid.UUID | None = None
    name: str | None = None
    other_names: list[ReviewOtherNameOut] = []
    date_of_birth: dt.date | None = None
    sex: str | None = None
    nationalities: list[str] = []
    documents: list[ReviewDocumentOut] = []
    cases: list[ReviewCaseOut] = []


class ReviewPairOut(Schema):
    id: uuid.UUID
    status: str
    cross_organisation: bool
    disclosed: bool
    band: str
    probability: float | None
    cluster_key: str | None
    sides: list[ReviewSideOut]
    reasons: list[ReviewReasonOut]
    we_agreed: bool
    they_agreed: bool


class ReviewQueueRowOut(Schema):
    id: uuid.UUID
    band: str
    cross_organisation: bool
    status: str
    sides: list[ReviewSideOut]


class ReviewQueueOut(Schema):
    page: int
    has_next: bool
    pairs: list[ReviewQueueRowOut]


class ReviewMergeIn(Schema):
    keep: uuid.UUID = Field(description="The person of the pair to keep.")
    reason_code: MergeReasonCode
    note: Text = Field("", max_length=services.MAX_NOTE_LENGTH)


class ReviewNotDuplicateIn(Schema):
    reason_code: NotDuplicateReasonCode


class ReviewMergeOut(Schema):
    id: uuid.UUID
    kept_id: uuid.UUID
    merged_id: uuid.UUID
    reason_code: str
    note: str
    merged_at: dt.datetime
    undone_at: dt.datetime | None
    moved_counts: dict[str, int]


def _side_out(side: dict[str, Any]) -> dict[str, Any]:
    if not side["disclosed"]:
        return {"disclosed": False, "organisation": side["organisation"]}
    return {
        "disclosed": True,
        "organisation": side["organisation"],
        "person_id": side["id"],
        "name": side["full_name"],
        "other_names": side["other_names"],
        "date_of_birth": side["date_of_birth"],
        "sex": side["sex_code"],
        "nationalities": side["nationalities"],
        "documents": side["documents"],
        "cases": side["cases"],
    }


def _pair_out(request: HttpRequest, principal: Any, pair: Any) -> dict[str, Any]:
    view = queries.pair_view(principal, pair)
    for side in view["sides"]:
        if side["disclosed"]:
            record_person_view(
                principal,
                side["person"],
                "given_name",
                "family_name",
                "other_names",
                "date_of_birth",
                request=request,
            )
    return {
        "id": pair.pk,
        "status": pair.status,
        "cross_organisation": pair.cross_organisation,
        "disclosed": view["disclosed"],
        "band": view["band"],
        "probability": view["probability"],
        "cluster_key": pair.cluster_key if view["disclosed"] else None,
        "sides": [_side_out(s) for s in view["sides"]],
        "reasons": view["reasons"],
        "we_agreed": view["we_agreed"],
        "they_agreed": view["they_agreed"],
    }


def _merge_out(merge: PersonMerge) -> dict[str, Any]:
    moved = merge.moved or {}
    return {
        "id": merge.pk,
        "kept_id": merge.kept_id,
        "merged_id": merge.merged_id,
        "reason_code": merge.reason_code,
        "note": merge.note,
        "merged_at": merge.merged_at,
        "undone_at": merge.undone_at,
        "moved_counts": {
            "names": len(merge.added_names or []),
            **{
                key: len(moved.get(key, []))
                for key in ("documents", "contacts", "consents", "cases")
            },
        },
    }


@router.get(
    "/review",
    response=ReviewQueueOut,
    summary="Possible duplicates waiting for review",
    url_name="review_queue",
)
def review_queue(request: HttpRequest, params: Query[ReviewQueueParams]) -> dict[str, Any]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    page = queries.queue_page(principal, params.page, cluster=params.cluster)
    org_id = principal.organisation.pk
    rows = []
    for pair in page:
        sides = []
        for person in (pair.person_a, pair.person_b):
            if pair.cross_organisation and person.registered_by_id != org_id:
                sides.append({"disclosed": False, "organisation": person.registered_by.name})
            else:
                sides.append(
                    {
                        "disclosed": True,
                        "organisation": person.registered_by.name,
                        "person_id": person.pk,
                        "name": person.full_name,
                    }
                )
        rows.append(
            {
                "id": pair.pk,
                "band": queries.band_words(pair.probability),
                "cross_organisation": pair.cross_organisation,
                "status": pair.status,
                "sides": sides,
            }
        )
    return {"page": page.number, "has_next": page.has_next(), "pairs": rows}


@router.get(
    "/review/pairs/{pair_id}",
    response=ReviewPairOut,
    summary="A possible duplicate, side by side",
    url_name="review_pair",
)
def review_pair(request: HttpRequest, pair_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    return _pair_out(request, principal, access_candidate(principal, pair_id))


@router.post(
    "/review/pairs/{pair_id}/merge",
    response={201: ReviewMergeOut},
    summary="Merge the pair into the person kept",
    url_name="review_pair_merge",
)
def review_pair_merge(
    request: HttpRequest, pair_id: uuid.UUID, payload: ReviewMergeIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    keep = (
        pair.person_a
        if payload.keep == pair.person_a_id
        else pair.person_b
        if payload.keep == pair.person_b_id
        else None
    )
    merge = call_service(
        lambda: services.merge_pair(
            actor=principal,
            pair=pair,
            keep=keep if keep is not None else _NotInPair(),
            reason_code=payload.reason_code,
            note=payload.note,
            request=request,
        )
    )
    return Status(201, _merge_out(merge))


class _NotInPair:
    """Stands for a `keep` that is neither person of the pair: the service refuses it (422)."""

    pk = None


@router.post(
    "/review/pairs/{pair_id}/not-duplicate",
    response={200: ReviewPairOut},
    summary="Mark the pair as two different persons",
    url_name="review_pair_not_duplicate",
)
def review_pair_not_duplicate(
    request: HttpRequest, pair_id: uuid.UUID, payload: ReviewNotDuplicateIn
) -> dict[str, Any]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    call_service(
        lambda: services.mark_not_duplicate(
            actor=principal, pair=pair, reason_code=payload.reason_code, request=request
        )
    )
    pair.refresh_from_db()
    return _pair_out(request, principal, pair)


@router.post(
    "/review/pairs/{pair_id}/disclose",
    response={200: ReviewPairOut},
    summary="Agree to disclose a cross-organisation pair",
    url_name="review_pair_disclose",
)
def review_pair_disclose(request: HttpRequest, pair_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    call_service(lambda: services.agree_to_disclose(actor=principal, pair=pair, request=request))
    return _pair_out(request, principal, pair)


@router.get(
    "/review/merges/{merge_id}",
    response=ReviewMergeOut,
    summary="A merge: who, when, why, what moved",
    url_name="review_merge",
)
def review_merge(request: HttpRequest, merge_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    return _merge_out(access_merge(principal, merge_id))


@router.post(
    "/review/merges/{merge_id}/undo",
    response={200: ReviewMergeOut},
    summary="Undo a merge",
    url_name="review_merge_undo",
)
def review_merge_undo(request: HttpRequest, merge_id: uuid.UUID) -> dict[str, Any]:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    merge = access_merge(principal, merge_id)
    merge = call_service(lambda: services.undo_merge(actor=principal, merge=merge, request=request))
    return _merge_out(merge)
