"""Households: links between two persons of the registry, and a child's guardians.

A link is stored once, from `person` to `other` with the relationship of `person` to `other`
("A is the parent of B"); the other side reads the inverse ("B is the child of A"). A link is
shown only to someone who may see both persons (salama.people.access); its notes are encrypted
under the data key of `person`. A guardian is either a person of the registry or someone outside
it, recorded by name and contact, encrypted under the child's key. Erasing either person removes
their links and guardian records (salama.people.household).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField


class Relationship(models.TextChoices):
    """What `person` is to `other` in a household link."""

    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    PARTNER = "partner", _("spouse or partner")
    RELATIVE = "relative", _("other relative")
    GUARDIAN = "guardian", _("guardian")
    WARD = "ward", _("under the guardianship of")
    OTHER = "other", _("other household member")


# A is `key` of B  ⇔  B is `value` of A.
INVERSE: dict[str, str] = {
    Relationship.PARENT: Relationship.CHILD,
    Relationship.CHILD: Relationship.PARENT,
    Relationship.GUARDIAN: Relationship.WARD,
    Relationship.WARD: Relationship.GUARDIAN,
    Relationship.SIBLING: Relationship.SIBLING,
    Relationship.PARTNER: Relationship.PARTNER,
    Relationship.RELATIVE: Relationship.RELATIVE,
    Relationship.OTHER: Relationship.OTHER,
}


class GuardianKind(models.TextChoices):
    PARENT = "parent", _("parent")
    RELATIVE = "relative", _("relative")
    LEGAL_GUARDIAN = "legal_guardian", _("appointed legal guardian")
    INSTITUTION = "institution", _("institution")


class HouseholdLink(models.Model):
    """Two persons of the registry who belong to one family or household."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="household_links"
    )
    other = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    notes = EncryptedTextField(_("notes"), max_length_plain=1000)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("household link")
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="people_household_pair"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("other")), name="people_household_not_self"
            ),
        ]
        indexes = [models.Index(fields=["other"], name="people_household_other_idx")]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()}"

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()

    def relationship_of(self, person_id: object) -> str:
        """What the person `person_id` is to the other member of this link."""
        if person_id == self.person_id:
            return self.relationship
        return INVERSE[self.relationship]

    def member_other_than(self, person_id: object) -> Any:
        return self.other if person_id == self.person_id else self.person


class Guardian(models.Model):
    """Who holds parental responsibility or guardianship for a child."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="guardians")
    kind = models.CharField(_("kind of guardian"), max_length=16, choices=GuardianKind.choices)
    guardian_person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian in the registry"),
    )
    name = EncryptedTextField(_("guardian's name"), max_length_plain=200)
    contact = EncryptedTextField(_("guardian's contact"), max_length_plain=500)
    appointed_by = EncryptedTextField(_("appointed by"), max_length_plain=200)
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("guardian")
        indexes = [
            models.Index(fields=["guardian_person"], name="people_guardian_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"

    def get_data_key(self) -> bytes:
        return self.child.get_data_key()
