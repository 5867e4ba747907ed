"""The data subject: encrypted identity, documents, contacts, consent, and the search index."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import (
    EncryptedDateField,
    EncryptedFileField,
    EncryptedJSONField,
    EncryptedTextField,
)
from salama.core.models import DataKey
from salama.people.choices import (
    BirthDateAccuracy,
    ConsentMethod,
    ConsentPurpose,
    ContactKind,
    DocumentType,
    Gender,
    Sex,
    TraffickingStatus,
    age_band,
)

# HTCDS consent checklist (docs/domain.md#consent): what the person was told before consenting.
CONSENT_CHECKLIST: tuple[tuple[str, Any], ...] = (
    ("told_purpose", _("The purpose of collecting their data")),
    ("told_uses", _("The actual and potential uses of the data")),
    ("told_research_use", _("Non-identifying use for research and statistics")),
    ("told_right_of_access", _("Their right to ask for their data at any time")),
    ("told_retention", _("How long the data is kept")),
    ("told_how_to_withdraw", _("How to withdraw consent")),
)


class Person(models.Model):
    """A data subject. Identifying fields are encrypted under the person's own data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="registered_people"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    # Identifying (encrypted).
    given_name = EncryptedTextField(_("given name"), max_length_plain=200)
    family_name = EncryptedTextField(_("family name"), max_length_plain=200)
    # [{"name": str, "script": str, "kind": NameKind}]
    other_names = EncryptedJSONField(_("other names and spellings"), default=list)
    date_of_birth = EncryptedDateField(_("date of birth"))
    place_of_birth = EncryptedTextField(_("place of birth"), max_length_plain=200)
    photo = EncryptedFileField(_("photo"), blank=True)

    # Non-identifying facts kept in clear for statistics (docs/design.md#data-flows-one-way: evidence never decrypts).
    name_script = models.CharField(_("script of the name"), max_length=12, blank=True)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(_("gender"), max_length=24, choices=Gender.choices, blank=True)
    birth_date_accuracy = models.CharField(
        _("accuracy of the birth date"),
        max_length=12,
        choices=BirthDateAccuracy.choices,
        default=BirthDateAccuracy.UNKNOWN,
    )
    age_at_registration = models.PositiveSmallIntegerField(
        _("age at registration"), null=True, blank=True
    )
    age_band = models.CharField(_("age band at registration"), max_length=8, blank=True)
    is_minor = models.BooleanField(_("minor at registration"), null=True, blank=True)
    nationalities = models.JSONField(_("nationalities (ISO 3166)"), default=list, blank=True)
    citizenships = models.JSONField(_("citizenships (ISO 3166)"), default=list, blank=True)
    languages = models.JSONField(_("languages (ISO 639)"), default=list, blank=True)
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=32, choices=TraffickingStatus.choices, blank=True
    )
    # First contact: when and where the organisation first met the person (e.g. at a border post).
    # The day is kept in clear for statistics (arrivals by month); the place can identify.
    first_contact_on = models.DateField(_("date of first contact"), null=True, blank=True)
    first_contact_place = EncryptedTextField(_("place of first contact"), max_length_plain=200)
    erased_at = models.DateTimeField(null=True, blank=True)
    # Set while this person is merged into another (salama.matching): hidden from lists and search.
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["registered_by", "-created_at"], name="people_person_org_idx"),
        ]

    def __str__(self) -> str:
        return f"Person {self.short_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("people:person-detail", args=[self.id])

    def get_data_key(self) -> bytes:
        return self.data_key.unwrap()

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    def all_names(self) -> list[str]:
        names = [self.full_name]
        names += [n.get("name", "") for n in (self.other_names or []) if n.get("name")]
        return [n for n in names if n]

    def age_on(self, day: dt.date) -> int | None:
        dob = self.date_of_birth
        if dob is None:
            return None
        years: int = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        return years

    def current_age(self, today: dt.date | None = None) -> int | None:
        """Age today: from the date of birth, else the age estimated at registration plus the
        whole years since (see `age_is_estimated`)."""
        today = today or timezone.localdate()
        if self.date_of_birth is not None:
            return self.age_on(today)
        if self.age_at_registration is None:
            return None
        registered = timezone.localdate(self.created_at)
        years = (
            today.year
            - registered.year
            - ((today.month, today.day) < (registered.month, registered.day))
        )
        return self.age_at_registration + max(years, 0)

    @property
    def age_is_estimated(self) -> bool:
        """True unless the age comes from an exact date of birth."""
        return self.date_of_birth is None or self.birth_date_accuracy != BirthDateAccuracy.EXACT

    def set_age_facts(self, age: int | None) -> None:
        self.age_at_registration = age
        self.age_band = age_band(age)
        self.is_minor = None if age is None else age < 18


class IdentityDocument(models.Model):
    """An identity document of a person; its number is found through a blind index only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("type"), max_length=24, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"), max_length_plain=64)
    number_index = models.CharField(max_length=32, db_index=True, blank=True)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    expiry = EncryptedDateField(_("expiry date"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} ({self.issuing_country})"

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()


class Contact(models.Model):
    """A way to reach a person (phone, email, address); phones and emails are blind-indexed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=12, choices=ContactKind.choices)
    value = EncryptedTextField(_("value"), max_length_plain=500)
    value_index = models.CharField(max_length=32, db_index=True, blank=True)
    note = EncryptedTextField(_("note"), max_length_plain=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()


class Consent(models.Model):
    """Consent for one purpose (and, for referrals, one recipient), until it expires or is withdrawn."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The organisation that recorded the consent."),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient organisation"),
    )
    service_type = models.CharField(_("service type"), max_length=32, blank=True)
    method = models.CharField(
        _("how consent was given"), max_length=16, choices=ConsentMethod.choices
    )
    guardian_name = EncryptedTextField(_("guardian's name"), max_length_plain=200)
    checklist = models.JSONField(_("what the person was told"), default=dict, blank=True)
    given_on = models.DateField(_("date given"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = EncryptedTextField(_("withdrawal note"), max_length_plain=1000)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["person", "purpose"], name="people_consent_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.status})"

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()

    def is_active_on(self, day: dt.date) -> bool:
        if self.withdrawn_at is not None or self.given_on > day:
            return False
        return self.expires_on is None or self.expires_on >= day

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.expires_on is not None and self.expires_on < timezone.localdate():
            return "expired"
        return "active"


class NameToken(models.Model):
    """One posting of the name index: a keyed token of a person's name (docs/design.md#search-over-encrypted-names)."""

    pk = models.CompositePrimaryKey("token", "person")
    token = models.BigIntegerField()
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=True)
    weight = models.FloatField(default=1.0)

    class Meta:
        verbose_name = _("name token")

    def __str__(self) -> str:
        return f"{self.token}"


class TokenFrequency(models.Model):
    """How many persons carry a token, so a query can keep its rarest tokens first."""

    token = models.BigIntegerField(primary_key=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token}: {self.count}"


# Households and guardians live in their own module (salama.people.household_models).
from salama.people.household_models import Guardian, HouseholdLink  # noqa: E402, F401
