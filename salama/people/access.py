"""Who may see a person.

A person is visible through a visible case of theirs (the cases app's rule, read through the
registry), or, before any case exists, to the organisation that registered them: its supervisors
and the caseworker who registered them. Once a case exists (in any organisation, e.g. after a
transfer) only the case decides. Referral recipients see referral packets, never persons.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from salama.core.policy import Principal, get_or_404, has_perm, in_organisation, register, visible
from salama.core.roles import Perm
from salama.people.household_models import Guardian, HouseholdLink
from salama.people.models import Consent, Person


def visible_people(principal: Principal | None) -> QuerySet[Person]:
    if not in_organisation(principal) or not has_perm(principal, Perm.PERSON_VIEW):
        return Person.objects.none()
    assert principal is not None
    org = principal.organisation
    cases = visible(principal, "cases.case")
    visible_case = cases.filter(person=OuterRef("pk"))
    any_case = cases.model._default_manager.filter(person=OuterRef("pk"))
    registered_here = Q(registered_by=org) & Q(~Exists(any_case))
    if not has_perm(principal, Perm.CASE_VIEW_ALL):
        registered_here &= Q(created_by=principal.user)
    return Person.objects.filter(
        Q(Exists(visible_case)) | registered_here, erased_at__isnull=True, merged_at__isnull=True
    )


def through_visible_person(principal: Principal | None, path: str) -> Exists:
    """A filter: the person at `path` is one the principal may see. A correlated EXISTS, not
    ``person__in=visible_people(...)``: SQLite answers that IN by first listing every visible
    person (each tested against the cases: seconds at a million), where EXISTS tests only the
    record's own person."""
    return Exists(visible_people(principal).filter(pk=OuterRef(path)))


def access_person(
    principal: Principal | None, person_id: Any, *, for_write: bool = False
) -> Person:
    person = get_or_404(visible_people(principal).select_related("data_key"), id=person_id)
    if for_write and not has_perm(principal, Perm.PERSON_CHANGE):
        raise Http404("Not found")
    return person


def visible_consents(principal: Principal | None) -> QuerySet[Consent]:
    return Consent.objects.filter(through_visible_person(principal, "person"))


# Households (docs/domain.md#households-and-guardians): a link, or a guardian who is a person of
# the registry, is visible only to someone who may see both persons; otherwise it does not exist
# for them at all. A guardian recorded by name only is seen with the child.


def visible_household_links(principal: Principal | None) -> QuerySet[HouseholdLink]:
    return HouseholdLink.objects.filter(
        through_visible_person(principal, "person"), through_visible_person(principal, "other")
    )


def visible_guardians(principal: Principal | None) -> QuerySet[Guardian]:
    return Guardian.objects.filter(through_visible_person(principal, "child")).filter(
        Q(guardian_person__isnull=True) | Q(through_visible_person(principal, "guardian_person"))
    )


def access_household_link(
    person: Person, principal: Principal | None, link_id: Any
) -> HouseholdLink:
    """One link of `person` (already fetched through access_person) the principal may see."""
    return get_or_404(
        visible_household_links(principal).filter(Q(person=person) | Q(other=person)),
        id=link_id,
    )


def access_guardian(child: Person, principal: Principal | None, guardian_id: Any) -> Guardian:
    return get_or_404(visible_guardians(principal).filter(child=child), id=guardian_id)


def register_rules() -> None:
    register(Person, visible_people)
    register(Consent, visible_consents)
    register(HouseholdLink, visible_household_links)
    register(Guardian, visible_guardians)
