"""Every write to people: registration, identity changes, consent, erasure (docs/domain.md#data-protection).

Each function runs in one transaction, checks the actor against the person itself
(salama.people.access) and writes the audit entry. Identifying
fields are audited by name only; their values never enter the audit chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.accounts.models import Organisation
from salama.core import audit, crypto, events, keys, uploads
from salama.core.countries import COUNTRIES
from salama.core.errors import ConsentMissing
from salama.core.languages import LANGUAGES
from salama.core.models import DataKey
from salama.core.policy import Principal, ensure, require_perm
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType
from salama.core.versioning import bump_version
from salama.people import name_index, search
from salama.people.choices import (
    BirthDateAccuracy,
    ConsentMethod,
    ConsentPurpose,
    ContactKind,
    DocumentType,
    ErasureReason,
    Gender,
    NameKind,
    Sex,
)

# The duplicate warning lives in salama.people.duplicates; its old names here still work.
from salama.people.duplicates import DuplicateCandidate as DuplicateCandidate
from salama.people.duplicates import find_duplicates as find_duplicates
from salama.people.first_contact import check_first_contact
from salama.people.models import CONSENT_CHECKLIST, Consent, Contact, IdentityDocument, Person
from salama.people.names import detect_script

IDENTIFYING_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "place_of_birth",
    "photo",
    "first_contact_place",
)
CLEAR_PERSON_FIELDS = (
    "sex",
    "gender",
    "birth_date_accuracy",
    "age_at_registration",
    "age_band",
    "is_minor",
    "nationalities",
    "citizenships",
    "languages",
    "first_contact_on",
)
OLDEST_BIRTH_YEAR = 1900
# How many of each a person may have (the API's schemas and the forms state the same limits).
MAX_OTHER_NAMES = 20
MAX_COUNTRIES = 5
MAX_LANGUAGES = 10
MAX_NAME_LENGTH = 200
# Service types a referral consent may name (docs/domain.md#service-taxonomy).
SERVICE_TYPES: tuple[tuple[str, Any], ...] = tuple(ServiceType.choices)
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Magic bytes of the photo formats Salama stores (set_photo re-encodes every upload to one of
# them); used only to label stored photos when they are served, never to accept an upload.
_PHOTO_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def _countries(codes: Iterable[str], field: str) -> list[str]:
    cleaned = [c.strip().upper() for c in codes if c and c.strip()]
    if len(set(cleaned)) > MAX_COUNTRIES:
        raise ValidationError({field: _("Choose at most %(n)s countries.") % {"n": MAX_COUNTRIES}})
    unknown = [c for c in cleaned if c not in COUNTRIES]
    if unknown:
        raise ValidationError(
            {
                field: _(
                    "Unknown country code(s): %(codes)s. Use ISO 3166 alpha-2 codes such as SY, ER, UA."
                )
                % {"codes": ", ".join(unknown)}
            }
        )
    return sorted(set(cleaned), key=cleaned.index)


def _languages(codes: Iterable[str]) -> list[str]:
    cleaned = [c.strip().lower() for c in codes if c and c.strip()]
    if len(set(cleaned)) > MAX_LANGUAGES:
        raise ValidationError(
            {"languages": _("Give at most %(n)s languages.") % {"n": MAX_LANGUAGES}}
        )
    bad = [c for c in cleaned if c not in LANGUAGES]
    if bad:
        raise ValidationError(
            {
                "languages": _("“%(codes)s”: use ISO 639 language codes such as ar, ti, fr.")
                % {"codes": ", ".join(bad)}
            }
        )
    return sorted(set(cleaned), key=cleaned.index)


def _check_birth(
    date_of_birth: dt.date | None, estimated_age: int | None, today: dt.date
) -> int | None:
    """Validate birth facts and return the age at registration."""
    if estimated_age is not None and not 0 <= estimated_age <= 120:
        raise ValidationError({"estimated_age": _("An estimated age is between 0 and 120 years.")})
    if date_of_birth is not None:
        if date_of_birth > today:
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
        if date_of_birth.year < OLDEST_BIRTH_YEAR:
            raise ValidationError(
                {
                    "date_of_birth": _("The date of birth is before %(year)s; check the year.")
                    % {"year": OLDEST_BIRTH_YEAR}
                }
            )
        return (
            today.year
            - date_of_birth.year
            - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
        )
    return estimated_age


@dataclass(frozen=True)
class DocumentInput:
    doc_type: str
    number: str
    issuing_country: str = ""
    expiry: dt.date | None = None


@dataclass(frozen=True)
class ContactInput:
    kind: str
    value: str
    note: str = ""


def _clean_other_names(other_names: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for item in other_names:
        name = (item.get("name") or "").strip()
        kind = item.get("kind") or NameKind.SPELLING
        if kind not in NameKind.values:
            raise ValidationError({"other_names": _("Choose a kind of name from the list.")})
        if len(name) > MAX_NAME_LENGTH:
            raise ValidationError(
                {"other_names": _("A name has at most %(n)s characters.") % {"n": MAX_NAME_LENGTH}}
            )
        if name:
            cleaned.append({"name": name, "script": detect_script(name), "kind": str(kind)})
    if len(cleaned) > MAX_OTHER_NAMES:
        raise ValidationError(
            {"other_names": _("Give at most %(n)s other names.") % {"n": MAX_OTHER_NAMES}}
        )
    return cleaned


@transaction.atomic
def register_person(
    *,
    actor: Principal,
    given_name: str,
    family_name: str = "",
    other_names: Iterable[Mapping[str, str]] = (),
    date_of_birth: dt.date | None = None,
    estimated_age: int | None = None,
    birth_date_accuracy: str = "",
    place_of_birth: str = "",
    sex: str = Sex.UNKNOWN,
    gender: str = "",
    nationalities: Iterable[str] = (),
    citizenships: Iterable[str] = (),
    languages: Iterable[str] = (),
    first_contact_on: dt.date | None = None,
    first_contact_place: str = "",
    documents: Iterable[DocumentInput] = (),
    contacts: Iterable[ContactInput] = (),
    request: HttpRequest | None = None,
) -> Person:
    """Register a person in the actor's organisation, encrypt their identity and index their names."""
    require_perm(actor, Perm.PERSON_CREATE)
    if not given_name.strip() and not family_name.strip():
        raise ValidationError({"given_name": _("Enter at least one name (given or family).")})
    if sex not in Sex.values:
        raise ValidationError({"sex": _("Choose a value from the list.")})
    if gender and gender not in Gender.values:
        raise ValidationError({"gender": _("Choose a value from the list.")})
    today = timezone.localdate()
    age = _check_birth(date_of_birth, estimated_age, today)
    first_contact = check_first_contact(first_contact_on, first_contact_place, today)
    if not birth_date_accuracy:
        birth_date_accuracy = (
            BirthDateAccuracy.EXACT
            if date_of_birth
            else BirthDateAccuracy.ESTIMATED
            if estimated_age is not None
            else BirthDateAccuracy.UNKNOWN
        )
    key = DataKey.new()
    key.save()
    person = Person(  # type: ignore[misc]  # encrypted fields take plain values
        data_key=key,
        registered_by=actor.organisation,
        created_by=actor.user,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        other_names=_clean_other_names(other_names),
        date_of_birth=date_of_birth,
        place_of_birth=place_of_birth.strip(),
        name_script=detect_script(f"{given_name} {family_name}"),
        sex=sex,
        gender=gender,
        birth_date_accuracy=birth_date_accuracy,
        nationalities=_countries(nationalities, "nationalities"),
        citizenships=_countries(citizenships, "citizenships"),
        languages=_languages(languages),
        first_contact_on=first_contact[0],
        first_contact_place=first_contact[1],
    )
    person.set_age_facts(age)
    person.save()
    for doc in documents:
        _add_document(person, doc)
    for contact in contacts:
        _add_contact(person, contact)
    name_index.index_person(person)
    audit.record(
        "person.create",
        actor=actor.user,
        obj=person,
        organisation=actor.organisation,
        fields=IDENTIFYING_PERSON_FIELDS,
        changes={f: (None, getattr(person, f)) for f in CLEAR_PERSON_FIELDS},
        request=request,
        scope=person,
    )
    return person


def _add_document(person: Person, doc: DocumentInput) -> IdentityDocument:
    if doc.doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose a document type from the list.")})
    number = doc.number.strip()
    if not crypto.normalise_exact(number):
        raise ValidationError({"number": _("Enter the document number.")})
    country = _countries([doc.issuing_country], "issuing_country")[0] if doc.issuing_country else ""
    document = IdentityDocument(  # type: ignore[misc]  # encrypted fields take plain values
        person=person,
        doc_type=doc.doc_type,
        number=number,
        number_index=document_index(number),
        issuing_country=country,
        expiry=doc.expiry,
    )
    document.save()
    return document


def document_index(number: str) -> str:
    return crypto.blind_index(number, "document")


def contact_index(kind: str, value: str) -> str:
    if kind == ContactKind.PHONE:
        return crypto.blind_index(search.normalise_phone(value), "phone")
    if kind == ContactKind.EMAIL:
        return crypto.blind_index(value.strip().lower(), "email")
    return ""


def reindex_people(people: Sequence[Person]) -> int:
    """Rewrite everything of ``people`` that is keyed by the index key (``salama reindex``).

    Their name tokens, and the blind indexes of their documents and phone/email contacts, so a
    new ``SALAMA_INDEX_KEY`` finds them again by name, document number and phone alike. The
    caller holds the persons locked in a transaction, their data keys loaded. Returns how many
    blind indexes changed.
    """
    name_index.index_people(people)
    by_pk = {person.pk: person for person in people}
    documents: list[IdentityDocument] = []
    for document in IdentityDocument.objects.filter(person_id__in=list(by_pk)):
        document.person = by_pk[document.person_id]
        index = document_index(document.number)
        if index != document.number_index:
            document.number_index = index
            documents.append(document)
    contacts: list[Contact] = []
    for contact in Contact.objects.filter(person_id__in=list(by_pk)):
        contact.person = by_pk[contact.person_id]
        index = contact_index(contact.kind, contact.value)
        if index != contact.value_index:
            contact.value_index = index
            contacts.append(contact)
    IdentityDocument.objects.bulk_update(documents, ["number_index"], batch_size=500)
    Contact.objects.bulk_update(contacts, ["value_index"], batch_size=500)
    return len(documents) + len(contacts)


def _add_contact(person: Person, contact: ContactInput) -> Contact:
    if contact.kind not in ContactKind.values:
        raise ValidationError({"kind": _("Choose a kind of contact from the list.")})
    value = contact.value.strip()
    if not value:
        raise ValidationError({"value": _("Enter the contact details.")})
    if contact.kind == ContactKind.PHONE and len(search.normalise_phone(value)) < 6:
        raise ValidationError({"value": _("A phone number needs at least six digits.")})
    row = Contact(
        person=person,
        kind=contact.kind,
        value=value,
        note=contact.note.strip(),
        value_index=contact_index(contact.kind, value),
    )
    row.save()
    return row


# What someone meets when another person saved the record first (salama.core.versioning).
PERSON_CHANGED = gettext_lazy(
    "Someone else changed this person's record while you were editing. Reload the page, "
    "check their changes, and make yours again."
)


@transaction.atomic
def update_person(
    *,
    actor: Principal,
    person: Person,
    expected_version: int | None,
    changes: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Person:
    """Change identity or facts; refused when the record changed since `expected_version`."""
    ensure(actor, person, Perm.PERSON_CHANGE)
    if person.is_erased:
        raise ValidationError(_("This person was erased; the record cannot change."))
    allowed = set(IDENTIFYING_PERSON_FIELDS) | {
        "sex",
        "gender",
        "nationalities",
        "citizenships",
        "languages",
        "birth_date_accuracy",
        "estimated_age",
        "first_contact_on",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    before = {
        f: getattr(person, f)
        for f in (*CLEAR_PERSON_FIELDS, *IDENTIFYING_PERSON_FIELDS)
        if f != "photo"
    }
    data = dict(changes)
    if "nationalities" in data:
        data["nationalities"] = _countries(data["nationalities"], "nationalities")
    if "citizenships" in data:
        data["citizenships"] = _countries(data["citizenships"], "citizenships")
    if "languages" in data:
        data["languages"] = _languages(data["languages"])
    if "other_names" in data:
        data["other_names"] = _clean_other_names(data["other_names"])
    if {"first_contact_on", "first_contact_place"} & set(data):
        data["first_contact_on"], data["first_contact_place"] = check_first_contact(
            data.get("first_contact_on", person.first_contact_on),
            data.get("first_contact_place", person.first_contact_place or ""),
            timezone.localdate(),
        )
    estimated_age = data.pop("estimated_age", None)
    if "date_of_birth" in data or estimated_age is not None:
        age = _check_birth(
            data.get("date_of_birth", person.date_of_birth), estimated_age, person.created_at.date()
        )
        person.set_age_facts(age)
    for name, value in data.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    bump_version(person, expected_version, PERSON_CHANGED)
    person.name_script = detect_script(f"{person.given_name} {person.family_name}")
    person.save()
    changed_identifying = [
        f for f in IDENTIFYING_PERSON_FIELDS if f in before and before[f] != getattr(person, f)
    ]
    if {"given_name", "family_name", "other_names", "date_of_birth"} & set(changed_identifying):
        name_index.index_person(person)
    audit.record(
        "person.update",
        actor=actor.user,
        obj=person,
        organisation=actor.organisation,
        fields=changed_identifying,
        changes=audit.diff(person, {f: before[f] for f in CLEAR_PERSON_FIELDS if f in before}),
        request=request,
        scope=person,
    )
    return person


@transaction.atomic
def add_document(
    *, actor: Principal, person: Person, document: DocumentInput, request: HttpRequest | None = None
) -> IdentityDocument:
    ensure(actor, person, Perm.PERSON_CHANGE)
    doc = _add_document(person, document)
    bump_version(person, None, PERSON_CHANGED)
    audit.record(
        "person.add_document",
        actor=actor.user,
        obj=doc,
        organisation=actor.organisation,
        fields=["number", "expiry"],
        changes={"doc_type": (None, doc.doc_type)},
        request=request,
        scope=person,
    )
    return doc


@transaction.atomic
def add_contact(
    *, actor: Principal, person: Person, contact: ContactInput, request: HttpRequest | None = None
) -> Contact:
    ensure(actor, person, Perm.PERSON_CHANGE)
    row = _add_contact(person, contact)
    bump_version(person, None, PERSON_CHANGED)
    audit.record(
        "person.add_contact",
        actor=actor.user,
        obj=row,
        organisation=actor.organisation,
        fields=["value", "note"],
        changes={"kind": (None, row.kind)},
        request=request,
        scope=person,
    )
    return row


def photo_content_type(head: bytes) -> str | None:
    """The image type of a stored photo by its first bytes, or None when it is not JPEG or PNG.

    Only for photos Salama re-encoded itself; uploads are checked by salama.core.uploads.
    """
    for signature, content_type in _PHOTO_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def set_photo(
    *,
    actor: Principal,
    person: Person,
    upload: File,  # type: ignore[type-arg]
    request: HttpRequest | None = None,
) -> Person:
    """Store a JPEG or PNG photo (at most 5 MB) encrypted under the person's key; drop the old one.

    The upload is decoded and re-encoded (salama.core.uploads.clean_photo): only its pixels are
    stored, upright and at most 1600 px on the long edge, without EXIF (GPS), XMP, ICC profile or
    anything appended. Audited as `person.set_photo` (field name only).
    """
    ensure(actor, person, Perm.PERSON_CHANGE)
    if person.is_erased:
        raise ValidationError(_("This person was erased; the record cannot change."))
    size = getattr(upload, "size", None)
    if size is None or size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 5 MB; choose a smaller one.")})
    photo = uploads.clean_photo(upload, max_bytes=PHOTO_MAX_BYTES, field="photo")
    had_photo = bool(person.photo)
    if had_photo:
        person.photo.delete(save=False)
    person.photo.save("photo", ContentFile(photo.data), save=False)
    person.save(update_fields=["photo"])
    bump_version(person, None, PERSON_CHANGED)
    audit.record(
        "person.set_photo",
        actor=actor.user,
        obj=person,
        organisation=actor.organisation,
        fields=["photo"],
        changes={"replaced": (None, had_photo)},
        request=request,
        scope=person,
    )
    return person


# Consent -----------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    actor: Principal,
    person: Person,
    purpose: str,
    method: str,
    given_on: dt.date,
    checklist: Mapping[str, bool],
    expires_on: dt.date | None = None,
    recipient: Organisation | None = None,
    service_type: str = "",
    guardian_name: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record consent for one purpose. A child's assent needs a guardian; a referral consent
    names its recipient organisation or a service type."""
    ensure(actor, person, Perm.CONSENT_RECORD)
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Choose a purpose from the list.")})
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("Choose how consent was given.")})
    today = timezone.localdate()
    if given_on > today:
        raise ValidationError({"given_on": _("Consent cannot be dated in the future.")})
    if expires_on is not None and expires_on <= given_on:
        raise ValidationError(
            {"expires_on": _("The expiry date must be after the date consent was given.")}
        )
    if person.is_minor and method != ConsentMethod.CHILD_ASSENT:
        raise ValidationError(
            {
                "method": _(
                    "This person is a child: record the child's assent with a guardian's consent."
                )
            }
        )
    if method == ConsentMethod.CHILD_ASSENT and not guardian_name.strip():
        raise ValidationError(
            {"guardian_name": _("Name the guardian who consented with the child.")}
        )
    if service_type and service_type not in {code for code, _label in SERVICE_TYPES}:
        raise ValidationError({"service_type": _("Choose a service type from the list.")})
    if purpose == ConsentPurpose.REFERRAL and recipient is None and not service_type:
        raise ValidationError(
            {
                "recipient": _(
                    "A referral consent names the organisation or the type of service it allows."
                )
            }
        )
    known = {key for key, _label in CONSENT_CHECKLIST}
    told = {k: bool(v) for k, v in checklist.items() if k in known}
    missing = sorted(known - {k for k, v in told.items() if v})
    if missing:
        raise ValidationError(
            {
                "checklist": _(
                    "Consent is informed only when every item was explained. Not ticked: %(items)s"
                )
                % {
                    "items": ", ".join(
                        str(label) for key, label in CONSENT_CHECKLIST if key in missing
                    )
                }
            }
        )
    consent = Consent(
        person=person,
        organisation=actor.organisation,
        purpose=purpose,
        recipient=recipient,
        service_type=service_type,
        method=method,
        guardian_name=guardian_name.strip(),
        checklist=told,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=actor.user,
    )
    consent.save()
    audit.record(
        "consent.record",
        actor=actor.user,
        obj=consent,
        organisation=actor.organisation,
        fields=["guardian_name"] if guardian_name else [],
        changes={
            "purpose": (None, purpose),
            "method": (None, method),
            "recipient": (None, str(recipient.uuid) if recipient else None),
            "service_type": (None, service_type or None),
            "given_on": (None, given_on.isoformat()),
            "expires_on": (None, expires_on.isoformat() if expires_on else None),
        },
        request=request,
        scope=person,
    )
    # Subscribers act on what this consent allows (tracing looks for the person's relatives).
    events.emit(
        "consent.recorded",
        organisation_id=actor.organisation.pk,
        record_id=str(consent.pk),
        data={"purpose": purpose, "person_id": str(person.pk)},
    )
    return consent


@transaction.atomic
def withdraw_consent(
    *, actor: Principal, consent: Consent, note: str = "", request: HttpRequest | None = None
) -> Consent:
    """Withdraw a consent: its purpose is blocked from now on; the withdrawal is audited."""
    ensure(actor, consent.person, Perm.CONSENT_RECORD)
    if consent.organisation_id != actor.organisation.pk:
        raise PermissionDenied
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor.user
    consent.withdrawal_note = note.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    audit.record(
        "consent.withdraw",
        actor=actor.user,
        obj=consent,
        organisation=actor.organisation,
        fields=["withdrawal_note"] if note else [],
        changes={"status": ("active", "withdrawn"), "purpose": (consent.purpose, consent.purpose)},
        request=request,
        scope=consent.person,
    )
    # Subscribers stop what rested on this consent (a return journey that has not left yet).
    events.emit(
        "consent.withdrawn",
        organisation_id=actor.organisation.pk,
        record_id=str(consent.pk),
        data={"purpose": consent.purpose, "person_id": str(consent.person_id)},
    )
    return consent


def active_consent(
    person: Person,
    purpose: str,
    *,
    recipient: Organisation | None = None,
    service_type: str = "",
    on: dt.date | None = None,
) -> Consent | None:
    """The consent that currently allows `purpose` (for referrals: to this recipient or service)."""
    day = on or timezone.localdate()
    for consent in person.consents.filter(purpose=purpose, withdrawn_at__isnull=True):
        if not consent.is_active_on(day):
            continue
        if purpose == ConsentPurpose.REFERRAL:
            if consent.recipient_id is not None and (
                recipient is None or consent.recipient_id != recipient.pk
            ):
                continue
            if consent.service_type and consent.service_type != service_type:
                continue
        return consent
    return None


def require_consent(person: Person, purpose: str, **kwargs: Any) -> Consent:
    consent = active_consent(person, purpose, **kwargs)
    if consent is None:
        raise ConsentMissing(
            _(
                "There is no active consent for %(purpose)s. Record the person's consent first; "
                "withdrawn or expired consent does not count."
            )
            % {"purpose": ConsentPurpose(purpose).label}
        )
    return consent


# Erasure ------------------------------------------------------------------------------------

# What other apps hold about a person outside the person's own rows (files of their cases, say)
# and must destroy when the person is erased. Apps add theirs from their AppConfig.ready, so
# people imports none of them.
ERASURE_HOOKS: list[Callable[[Person], None]] = []


def on_erasure(hook: Callable[[Person], None]) -> None:
    if hook not in ERASURE_HOOKS:
        ERASURE_HOOKS.append(hook)


@transaction.atomic
def erase_person(
    *, actor: Principal | None, person: Person, reason: str, request: HttpRequest | None = None
) -> Person:
    """Crypto-shred a person: destroy their data key and every index that could re-identify them.

    Ciphertexts (in the database and in backups) become unreadable for good. The clear,
    non-identifying facts (sex, age band, nationality, case stages) remain for statistics.
    `actor` is None only for the retention job.
    """
    if actor is not None:
        ensure(actor, person, Perm.PERSON_ERASE)
    if reason not in ErasureReason.values:
        raise ValidationError({"reason": _("Choose the reason for erasure from the list.")})
    if person.is_erased:
        raise ValidationError(_("This person was already erased."))
    for hook in ERASURE_HOOKS:
        hook(person)
    if person.photo:
        person.photo.delete(save=False)
    name_index.unindex_person(person)
    IdentityDocument.objects.filter(person=person).update(number_index="")
    Contact.objects.filter(person=person).update(value_index="")
    key = person.data_key
    keys.shred(key)  # the wrapped key leaves the key store when the erasure commits
    person.erased_at = key.shredded_at
    Person.objects.filter(pk=person.pk).update(erased_at=person.erased_at, version=F("version") + 1)
    audit.record(
        "person.erase",
        actor=actor.user if actor else None,
        actor_label="" if actor else "retention",
        obj=person,
        organisation=actor.organisation if actor else person.registered_by,
        changes={"reason": (None, reason)},
        request=request,
        scope=person,
    )
    return person


# Duplicates ----------------------------------------------------------------------------------
