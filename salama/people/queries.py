"""What the people pages and the people API read, written once, each with its audit entry.

Reading identifying data is audited (`person.view`, `person.search`, `person.duplicates`); the
search text and the names never enter the audit chain, only what kind of read it was and how many
records it returned. Throttling searches is the caller's (an HTTP answer, 429).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from salama.core import audit
from salama.core.pagination import LightPage
from salama.core.policy import Principal, require_perm
from salama.core.roles import Perm
from salama.people import duplicates, search
from salama.people.access import visible_people
from salama.people.household_models import Guardian, HouseholdLink
from salama.people.models import Person

SEARCH_LIMIT = 25


def record_person_view(
    principal: Principal, person: Person, *fields: str, request: HttpRequest | None
) -> None:
    """Audit that the principal read `person` (the whole record, or only `fields`)."""
    audit.record(
        "person.view",
        actor=principal.user,
        obj=person,
        organisation=principal.organisation,
        fields=fields,
        request=request,
        scope=person,
    )


def _record_search(
    principal: Principal,
    kind: str,
    results: int,
    *,
    birth_year: int | None = None,
    request: HttpRequest | None,
) -> None:
    audit.record(
        "person.search",
        actor=principal.user,
        organisation=principal.organisation,
        changes={
            "kind": (None, kind),
            "with_birth_year": (None, birth_year is not None),
            "results": (None, results),
        },
        request=request,
    )


def recent_people(
    principal: Principal | None, page_number: Any, per_page: int, *, request: HttpRequest | None
) -> LightPage[Person]:
    """The newest persons the principal may see, a page at a time (PermissionDenied without
    person.view)."""
    principal = require_perm(principal, Perm.PERSON_VIEW)
    page: LightPage[Person] = LightPage(
        visible_people(principal).select_related("data_key").order_by("-created_at"),
        page_number,
        per_page=per_page,
    )
    _record_search(principal, "recent", len(page), request=request)
    return page


def find_people(
    principal: Principal | None,
    query: str,
    *,
    birth_year: int | None = None,
    request: HttpRequest | None,
) -> list[search.SearchHit]:
    """The persons the principal may see best matching `query` (any name in any script, or a
    document or phone number), best first; none for an empty query."""
    principal = require_perm(principal, Perm.PERSON_VIEW)
    query = query.strip()
    hits = (
        search.search_people(
            visible_people(principal), query, birth_year=birth_year, limit=SEARCH_LIMIT
        )
        if query
        else []
    )
    _record_search(principal, "query", len(hits), birth_year=birth_year, request=request)
    return hits


def duplicate_candidates(
    principal: Principal | None,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None = None,
    nationalities: Iterable[str] = (),
    document_numbers: Iterable[str] = (),
    request: HttpRequest | None,
) -> list[duplicates.DuplicateCandidate]:
    """Likely existing records of a person about to be registered, with the reasons they match
    (PermissionDenied without person.create)."""
    principal = require_perm(principal, Perm.PERSON_CREATE)
    candidates = duplicates.find_duplicates(
        actor=principal,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        nationalities=nationalities,
        document_numbers=document_numbers,
    )
    if candidates:
        audit.record(
            "person.duplicates",
            actor=principal.user,
            organisation=principal.organisation,
            changes={"candidates": (None, [str(c.person.pk) for c in candidates])},
            request=request,
        )
    return candidates


# Households (docs/domain.md#households-and-guardians) -------------------------------------------


def _seen(principal: Principal | None, ids: Iterable[Any]) -> set[Any]:
    """Which of these persons the principal may see: one statement over their keys."""
    wanted = set(ids)
    if not wanted:
        return set()
    return set(visible_people(principal).filter(pk__in=wanted).values_list("pk", flat=True))


def household_of(principal: Principal | None, person: Person) -> list[dict[str, Any]]:
    """The person's household links the principal may see (both members visible), each with the
    other member and what that member is to `person`.

    The same rule as visible_household_links, read the cheap way round for one person: their
    links first (a handful, on an index), then one visibility check over the members, instead
    of testing the policy on both sides of every link in the registry."""
    links = list(
        HouseholdLink.objects.filter(Q(person=person) | Q(other=person))
        .select_related("person__data_key", "other__data_key", "created_by")
        .order_by("created_at")
    )
    seen = _seen(
        principal, [person.pk, *(m for link in links for m in (link.person_id, link.other_id))]
    )
    return [
        {
            "link": link,
            "member": link.member_other_than(person.pk),
            # What the other member is to `person`.
            "relationship": link.relationship_of(link.member_other_than(person.pk).pk),
        }
        for link in links
        if link.person_id in seen and link.other_id in seen
    ]


def guardians_of(principal: Principal | None, child: Person) -> list[Any]:
    """The child's guardians the principal may see (one of the registry only if they may see that
    person too; none unless they may see the child) — visible_guardians' rule, read for one child
    as household_of reads links."""
    guardians = list(
        Guardian.objects.filter(child=child)
        .select_related("child__data_key", "guardian_person__data_key", "created_by")
        .order_by("created_at")
    )
    if not guardians:
        return []
    seen = _seen(
        principal, [child.pk, *(g.guardian_person_id for g in guardians if g.guardian_person_id)]
    )
    if child.pk not in seen:
        return []
    return [g for g in guardians if g.guardian_person_id is None or g.guardian_person_id in seen]
