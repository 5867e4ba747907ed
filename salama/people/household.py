"""Every write to households: links between persons and a child's guardians.

Rules (docs/domain.md#households-and-guardians): a link joins two persons the actor may see and
change, once per pair, never a person to themself; a guardian is recorded for a child only, either
a person of the registry the actor may see or someone outside it by name. Each function is one
transaction, checks the actor against every person it touches before it looks at the input, and
writes the audit entry. Notes, names and contacts are audited by field name only.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core import audit
from salama.core.policy import Principal, ensure
from salama.core.roles import Perm
from salama.core.versioning import bump_version
from salama.people.household_models import (
    INVERSE,
    Guardian,
    GuardianKind,
    HouseholdLink,
    Relationship,
)
from salama.people.models import Person

NOTES_LENGTH = 1000
NAME_LENGTH = 200
CONTACT_LENGTH = 500
APPOINTED_BY_LENGTH = 200
MAX_LINKS = 30
MAX_GUARDIANS = 5

LINK_CHANGED = gettext_lazy(
    "Someone else changed or removed this household link meanwhile. Reload the page and try again."
)
GUARDIAN_CHANGED = gettext_lazy(
    "Someone else changed or removed this guardian record meanwhile. Reload the page and try again."
)


def is_child(person: Person, on: dt.date | None = None) -> bool:
    """Under 18 on `on` (today) by the date of birth, else by the age estimated at registration."""
    day = on or timezone.localdate()
    age = person.age_on(day) if person.date_of_birth else None
    if age is not None:
        return age < 18
    return bool(person.is_minor)


def _usable(person: Person) -> None:
    if person.is_erased:
        raise ValidationError(_("This person was erased; nothing more can be recorded."))


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            {field: _("At most %(limit)s characters; shorten it.") % {"limit": limit}}
        )
    return value


@transaction.atomic
def link_household(
    *,
    actor: Principal,
    person: Person,
    other: Person,
    relationship: str,
    notes: str = "",
    request: HttpRequest | None = None,
) -> HouseholdLink:
    """Record that `person` is `relationship` of `other` (and so `other` the inverse of `person`)."""
    ensure(actor, person, Perm.PERSON_CHANGE)
    ensure(actor, other, Perm.PERSON_CHANGE)
    _usable(person)
    _usable(other)
    if person.pk == other.pk:
        raise ValidationError(
            {"other": _("A person cannot be linked to themself; choose another.")}
        )
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose the relationship from the list.")})
    notes = _text(notes, "notes", NOTES_LENGTH)
    pair = Q(person=person, other=other) | Q(person=other, other=person)
    if HouseholdLink.objects.filter(pair).exists():
        raise ValidationError(
            {"other": _("These two persons are already linked; remove that link to change it.")}
        )
    if HouseholdLink.objects.filter(Q(person=person) | Q(other=person)).count() >= MAX_LINKS:
        raise ValidationError(
            _("A person holds at most %(max)s household links.") % {"max": MAX_LINKS}
        )
    link = HouseholdLink(
        person=person,
        other=other,
        relationship=relationship,
        notes=notes,
        organisation=actor.organisation,
        created_by=actor.user,
    )
    link.save()
    for subject, counterpart, role in (
        (person, other, relationship),
        (other, person, INVERSE[relationship]),
    ):
        audit.record(
            "person.household_link",
            actor=actor.user,
            obj=link,
            organisation=actor.organisation,
            fields=["notes"] if notes and subject is person else [],
            changes={"relationship": (None, role), "member": (None, str(counterpart.pk))},
            request=request,
            scope=subject,
        )
    return link


@transaction.atomic
def unlink_household(
    *,
    actor: Principal,
    link: HouseholdLink,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Remove a household link (recorded in error, or no longer true)."""
    ensure(actor, link, Perm.PERSON_CHANGE)
    bump_version(link, expected_version, LINK_CHANGED)
    for subject, counterpart in ((link.person, link.other), (link.other, link.person)):
        audit.record(
            "person.household_unlink",
            actor=actor.user,
            obj=link,
            organisation=actor.organisation,
            changes={
                "relationship": (link.relationship_of(subject.pk), None),
                "member": (str(counterpart.pk), None),
            },
            request=request,
            scope=subject,
        )
    link.delete()


@transaction.atomic
def set_guardian(
    *,
    actor: Principal,
    child: Person,
    kind: str,
    guardian_person: Person | None = None,
    name: str = "",
    contact: str = "",
    appointed_by: str = "",
    appointed_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Guardian:
    """Record a guardian of a child: a person of the registry, or someone outside it by name."""
    ensure(actor, child, Perm.PERSON_CHANGE)
    if guardian_person is not None:
        ensure(actor, guardian_person, Perm.PERSON_VIEW)
    _usable(child)
    if not is_child(child):
        raise ValidationError(
            _("A guardian is recorded for a child only; this person is 18 or older.")
        )
    if kind not in GuardianKind.values:
        raise ValidationError({"kind": _("Choose the kind of guardian from the list.")})
    name = _text(name, "name", NAME_LENGTH)
    contact = _text(contact, "contact", CONTACT_LENGTH)
    appointed_by = _text(appointed_by, "appointed_by", APPOINTED_BY_LENGTH)
    if guardian_person is not None:
        _usable(guardian_person)
        if guardian_person.pk == child.pk:
            raise ValidationError({"guardian_person": _("A child cannot be their own guardian.")})
        if name or contact:
            raise ValidationError(
                {"name": _("Give either a person of the registry or a name and contact, not both.")}
            )
    elif not name:
        raise ValidationError(
            {"name": _("Give the guardian's name, or choose them from the registry.")}
        )
    if appointed_on is not None and appointed_on > timezone.localdate():
        raise ValidationError({"appointed_on": _("The date is in the future.")})
    if Guardian.objects.filter(child=child).count() >= MAX_GUARDIANS:
        raise ValidationError(
            _("A child has at most %(max)s guardians recorded.") % {"max": MAX_GUARDIANS}
        )
    guardian = Guardian(
        child=child,
        kind=kind,
        guardian_person=guardian_person,
        name=name,
        contact=contact,
        appointed_by=appointed_by,
        appointed_on=appointed_on,
        organisation=actor.organisation,
        created_by=actor.user,
    )
    guardian.save()
    audit.record(
        "person.guardian_add",
        actor=actor.user,
        obj=guardian,
        organisation=actor.organisation,
        fields=[
            f
            for f, v in (("name", name), ("contact", contact), ("appointed_by", appointed_by))
            if v
        ],
        changes={
            "kind": (None, kind),
            "guardian_person": (None, str(guardian_person.pk) if guardian_person else None),
            "appointed_on": (None, appointed_on.isoformat() if appointed_on else None),
        },
        request=request,
        scope=child,
    )
    return guardian


@transaction.atomic
def remove_guardian(
    *,
    actor: Principal,
    guardian: Guardian,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Remove a guardian record (recorded in error, or the guardianship ended)."""
    ensure(actor, guardian, Perm.PERSON_CHANGE)
    bump_version(guardian, expected_version, GUARDIAN_CHANGED)
    audit.record(
        "person.guardian_remove",
        actor=actor.user,
        obj=guardian,
        organisation=actor.organisation,
        changes={"kind": (guardian.kind, None)},
        request=request,
        scope=guardian.child,
    )
    guardian.delete()


def forget_household_of(person: Person) -> None:
    """Erasure: the person's links and guardian records go with them (both sides)."""
    HouseholdLink.objects.filter(Q(person=person) | Q(other=person)).delete()
    Guardian.objects.filter(Q(child=person) | Q(guardian_person=person)).delete()
