"""Households over the API: a person's household links and a child's guardians.

Same conventions as the people API (`salama.people.api`): the policy fetches the person, the
service checks the actor again, refusals map to JSON errors. A link appears only when the caller
may see both persons; a person the caller may not see is a 404, whether or not it exists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.core.apierrors import call_service
from salama.core.apitypes import Text, Version
from salama.core.policy import get_or_404, request_principal
from salama.core.roles import Perm
from salama.people import household, queries
from salama.people.access import (
    access_guardian,
    access_household_link,
    access_person,
    visible_people,
)
from salama.people.household_models import Guardian, GuardianKind, Relationship
from salama.people.models import Person

router = Router(tags=["people"])

RelationshipCode = Literal[tuple(Relationship.values)]  # type: ignore[valid-type]
GuardianKindCode = Literal[tuple(GuardianKind.values)]  # type: ignore[valid-type]


class HouseholdMemberOut(Schema):
    link_id: uuid.UUID
    link_version: int
    person_id: uuid.UUID
    name: str
    relationship: str = Field(description="What this member is to the person asked about.")
    notes: str
    created_at: dt.datetime


class GuardianOut(Schema):
    id: uuid.UUID
    version: int
    kind: str
    guardian_person_id: uuid.UUID | None
    name: str
    contact: str
    appointed_by: str
    appointed_on: dt.date | None
    created_at: dt.datetime


class HouseholdOut(Schema):
    person_id: uuid.UUID
    is_child: bool
    members: list[HouseholdMemberOut]
    guardians: list[GuardianOut]


class HouseholdLinkIn(Schema):
    other: uuid.UUID = Field(description="The person to link (one you may see and change).")
    relationship: RelationshipCode = Field(
        description="What the person in the path is to `other` (parent: they are other's parent)."
    )
    notes: Text = Field("", max_length=household.NOTES_LENGTH)


class GuardianIn(Schema):
    kind: GuardianKindCode
    guardian_person: uuid.UUID | None = Field(
        None, description="A person of the registry you may see; or give a name instead."
    )
    name: Text = Field("", max_length=household.NAME_LENGTH)
    contact: Text = Field("", max_length=household.CONTACT_LENGTH)
    appointed_by: Text = Field("", max_length=household.APPOINTED_BY_LENGTH)
    appointed_on: dt.date | None = None


def _guardian_out(g: Guardian) -> dict[str, Any]:
    person = g.guardian_person
    return {
        "id": g.id,
        "version": g.version,
        "kind": g.kind,
        "guardian_person_id": person.pk if person else None,
        "name": person.full_name if person else g.name,
        "contact": "" if person else g.contact,
        "appointed_by": g.appointed_by,
        "appointed_on": g.appointed_on,
        "created_at": g.created_at,
    }


def _household_out(request: HttpRequest, person: Person) -> dict[str, Any]:
    principal = request_principal(request)
    queries.record_person_view(principal, person, "household", request=request)
    return {
        "person_id": person.pk,
        "is_child": household.is_child(person),
        "members": [
            {
                "link_id": row["link"].pk,
                "link_version": row["link"].version,
                "person_id": row["member"].pk,
                "name": row["member"].full_name,
                "relationship": row["relationship"],
                "notes": row["link"].notes,
                "created_at": row["link"].created_at,
            }
            for row in queries.household_of(principal, person)
        ],
        "guardians": [_guardian_out(g) for g in queries.guardians_of(principal, person)],
    }


@router.get(
    "/{person_id}/household",
    response=HouseholdOut,
    summary="The person's household members you may see, and guardians",
)
def get_household(request: HttpRequest, person_id: uuid.UUID) -> dict[str, Any]:
    person = access_person(request_principal(request, Perm.PERSON_VIEW), person_id)
    return _household_out(request, person)


@router.post(
    "/{person_id}/household/links",
    response={201: HouseholdOut},
    summary="Link a household member",
)
def add_household_link(
    request: HttpRequest, person_id: uuid.UUID, payload: HouseholdLinkIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    other = get_or_404(visible_people(principal), id=payload.other)
    call_service(
        lambda: household.link_household(
            actor=principal,
            person=person,
            other=other,
            relationship=payload.relationship,
            notes=payload.notes,
            request=request,
        )
    )
    return Status(201, _household_out(request, person))


@router.delete(
    "/{person_id}/household/links/{link_id}",
    response={204: None},
    summary="Remove a household link",
)
def remove_household_link(
    request: HttpRequest, person_id: uuid.UUID, link_id: uuid.UUID, version: Query[Version]
) -> Status[None]:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    link = access_household_link(person, principal, link_id)
    call_service(
        lambda: household.unlink_household(
            actor=principal, link=link, expected_version=version, request=request
        )
    )
    return Status(204, None)


@router.post(
    "/{person_id}/household/guardians",
    response={201: GuardianOut},
    summary="Record a child's guardian",
)
def add_guardian(
    request: HttpRequest, person_id: uuid.UUID, payload: GuardianIn
) -> Status[dict[str, Any]]:
    principal = request_principal(request, Perm.PERSON_VIEW)
    child = access_person(principal, person_id, for_write=True)
    chosen = None
    if payload.guardian_person is not None:
        chosen = get_or_404(visible_people(principal), id=payload.guardian_person)
    guardian = call_service(
        lambda: household.set_guardian(
            actor=principal,
            child=child,
            kind=payload.kind,
            guardian_person=chosen,
            name=payload.name,
            contact=payload.contact,
            appointed_by=payload.appointed_by,
            appointed_on=payload.appointed_on,
            request=request,
        )
    )
    return Status(201, _guardian_out(guardian))


@router.delete(
    "/{person_id}/household/guardians/{guardian_id}",
    response={204: None},
    summary="Remove a guardian record",
)
def remove_guardian(
    request: HttpRequest, person_id: uuid.UUID, guardian_id: uuid.UUID, version: Query[Version]
) -> Status[None]:
    principal = request_principal(request, Perm.PERSON_VIEW)
    child = access_person(principal, person_id, for_write=True)
    guardian = access_guardian(child, principal, guardian_id)
    call_service(
        lambda: household.remove_guardian(
            actor=principal, guardian=guardian, expected_version=version, request=request
        )
    )
    return Status(204, None)
