"""What the review of possible duplicates decides: merges (undoable), "not the same person",
and, across organisations, each side's agreement to disclose the two records to the other.

A merge stores who merged, when and why (a reason code and an encrypted note) and exactly what
moved, as ids only, so `undo_merge` can move exactly those things back. The names copied onto the
kept person are kept encrypted here too, so the undo removes exactly those and nothing else.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField


class MergeReason(models.TextChoices):
    SAME_DOCUMENT = "same_document", _("The same identity document")
    CONFIRMED_WITH_PERSON = "confirmed_with_person", _("Confirmed with the person")
    REGISTERED_TWICE = "registered_twice", _("Registered twice by mistake")
    SAME_HISTORY = "same_history", _("Same family and history")
    OTHER = "other", _("Other (explained in the note)")


class NotDuplicateReason(models.TextChoices):
    DIFFERENT_DOCUMENTS = "different_documents", _("Different identity documents")
    NAMESAKES = "namesakes", _("Namesakes: different people with the same name")
    FAMILY_MEMBERS = "family_members", _("Members of one family")
    CONFIRMED_WITH_PERSON = "confirmed_with_person", _("Confirmed with the person")
    OTHER = "other", _("Other")


class PersonMerge(models.Model):
    """One person merged into another; undone when `undone_at` is set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kept = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(
        "matching.CandidatePair", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    cross_organisation = models.BooleanField(default=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    reason_code = models.CharField(_("reason"), max_length=32, choices=MergeReason.choices)
    note = EncryptedTextField(_("note"), max_length_plain=1000)
    # Ids only: {"documents": [...], "contacts": [...], "consents": [...], "links_person": [...],
    # "links_other": [...], "guardians_child": [...], "guardians_person": [...],
    # "cases": [{"id", "organisation", "open"}], "kept_links": [...]}.
    moved = models.JSONField(default=dict)
    # The names copied onto the kept person ([{"name", "script", "kind"}]), encrypted.
    added_names = EncryptedJSONField(default=list)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge of two persons")
        indexes = [models.Index(fields=["merged", "undone_at"], name="matching_merge_merged_idx")]

    def __str__(self) -> str:
        return f"PersonMerge {self.id}"

    def get_data_key(self) -> bytes:
        return self.kept.get_data_key()

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class NotDuplicate(models.Model):
    """A supervisor's decision that two persons are not one, so later runs do not propose them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # person_low.id < person_high.id (as strings): a pair of persons is decided once.
    person_low = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    person_high = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reason_code = models.CharField(_("reason"), max_length=32, choices=NotDuplicateReason.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision: not the same person")
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high"], name="matching_not_duplicate_once"
            )
        ]

    def __str__(self) -> str:
        return f"NotDuplicate {self.id}"


class DisclosureAgreement(models.Model):
    """One organisation's agreement to show its side of a cross-organisation pair to the other."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pair = models.ForeignKey(
        "matching.CandidatePair", on_delete=models.CASCADE, related_name="disclosures"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement to disclose a possible match")
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "organisation"], name="matching_disclosure_once"
            )
        ]

    def __str__(self) -> str:
        return f"DisclosureAgreement {self.id}"
