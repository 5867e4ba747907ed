"""People API: search, registration, identity, consent and the duplicate check.

`request.auth` is a `salama.core.policy.Principal`; every endpoint goes through the policy and the
people services, exactly as the pages do. Reading a person is audited as `person.view`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from salama.accounts.models import Organisation
from salama.core.apierrors import ErrorOut
from salama.core.apitypes import (
    Age,
    CountryCode,
    LanguageCode,
    NonBlank,
    Page,
    Text,
    Version,
    optional,
)
from salama.core.policy import Principal, get_or_404, request_principal
from salama.core.ratelimit import allow_search
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType
from salama.people import queries, search_reasons, services
from salama.people.access import access_person
from salama.people.choices import (
    BirthDateAccuracy,
    ConsentMethod,
    ConsentPurpose,
    ContactKind,
    DocumentType,
    Gender,
    NameKind,
    Sex,
)
from salama.people.first_contact import MAX_PLACE_LENGTH
from salama.people.models import Consent, Person

router = Router(tags=["people"])

PER_PAGE = 50


# Schemas -----------------------------------------------------------------------------------


# Limits of one request (the services enforce the first three for the pages too).
MAX_OTHER_NAMES = services.MAX_OTHER_NAMES
MAX_COUNTRIES = services.MAX_COUNTRIES
MAX_LANGUAGES = services.MAX_LANGUAGES
MAX_DOCUMENTS = 10
MAX_CONTACTS = 10
NAME = services.MAX_NAME_LENGTH  # given, family and other names, place of birth


class OtherNameIn(Schema):
    name: Text = Field(max_length=NAME)
    kind: NameKind = NameKind.SPELLING


class OtherNameOut(Schema):
    name: str
    script: str
    kind: str


class DocumentIn(Schema):
    doc_type: DocumentType
    number: NonBlank = Field(max_length=64)
    issuing_country: CountryCode | Literal[""] = ""
    expiry: dt.date | None = None


class DocumentOut(Schema):
    id: uuid.UUID
    doc_type: str
    number: str
    issuing_country: str
    expiry: dt.date | None


class ContactIn(Schema):
    kind: ContactKind
    value: NonBlank = Field(max_length=500)
    note: Text = Field("", max_length=200)


class ContactOut(Schema):
    id: uuid.UUID
    kind: str
    value: str
    note: str


class ConsentIn(Schema):
    purpose: ConsentPurpose
    method: ConsentMethod
    given_on: dt.date
    checklist: dict[Annotated[Text, Field(max_length=64)], bool] = Field(
        max_length=20, description="What the person was told: item → told (at most 20 items)."
    )
    expires_on: dt.date | None = None
    recipient: uuid.UUID | None = None
    service_type: ServiceType | Literal[""] = ""
    guardian_name: Text = Field("", max_length=200)


class WithdrawIn(Schema):
    note: Text = Field("", max_length=1000)


class ConsentOut(Schema):
    id: uuid.UUID
    purpose: str
    method: str
    given_on: dt.date
    expires_on: dt.date | None
    recipient: uuid.UUID | None
    service_type: str
    status: str
    withdrawn_at: dt.datetime | None


class PersonIn(Schema):
    given_name: Text = Field("", max_length=NAME)
    family_name: Text = Field("", max_length=NAME)
    other_names: list[OtherNameIn] = Field(
        [], max_length=MAX_OTHER_NAMES, description=f"At most {MAX_OTHER_NAMES}."
    )
    date_of_birth: dt.date | None = None
    estimated_age: Age | None = None
    birth_date_accuracy: BirthDateAccuracy | Literal[""] = ""
    place_of_birth: Text = Field("", max_length=NAME)
    sex: Sex = Sex.UNKNOWN
    gender: Gender | Literal[""] = ""
    nationalities: list[CountryCode] = Field(
        [], max_length=MAX_COUNTRIES, description=f"At most {MAX_COUNTRIES}."
    )
    citizenships: list[CountryCode] = Field(
        [], max_length=MAX_COUNTRIES, description=f"At most {MAX_COUNTRIES}."
    )
    languages: list[LanguageCode] = Field(
        [], max_length=MAX_LANGUAGES, description=f"At most {MAX_LANGUAGES}."
    )
    first_contact_on: dt.date | None = Field(
        None, description="The day the organisation first met the person; not in the future."
    )
    first_contact_place: Text = Field(
        "", max_length=MAX_PLACE_LENGTH, description="Where, e.g. a border post (encrypted)."
    )
    documents: list[DocumentIn] = Field(
        [], max_length=MAX_DOCUMENTS, description=f"At most {MAX_DOCUMENTS}."
    )
    contacts: list[ContactIn] = Field(
        [], max_length=MAX_CONTACTS, description=f"At most {MAX_CONTACTS}."
    )


class PersonPatch(Schema):
    """Send only the fields that change; a field sent as null is refused (422), except the
    date of birth, the estimated age and the date of first contact, whose null means
    "unknown"."""

    version: Version
    given_name: Text = optional(max_length=NAME)
    family_name: Text = optional(max_length=NAME)
    other_names: list[OtherNameIn] = optional(max_length=MAX_OTHER_NAMES)
    date_of_birth: dt.date | None = None
    estimated_age: Age | None = None
    birth_date_accuracy: BirthDateAccuracy | Literal[""] = optional()
    place_of_birth: Text = optional(max_length=NAME)
    sex: Sex = optional()
    gender: Gender | Literal[""] = optional()
    nationalities: list[CountryCode] = optional(max_length=MAX_COUNTRIES)
    citizenships: list[CountryCode] = optional(max_length=MAX_COUNTRIES)
    languages: list[LanguageCode] = optional(max_length=MAX_LANGUAGES)
    first_contact_on: dt.date | None = None
    first_contact_place: Text = optional(max_length=MAX_PLACE_LENGTH)


class PersonOut(Schema):
    id: uuid.UUID
    version: int
    given_name: str
    family_name: str
    other_names: list[OtherNameOut]
    date_of_birth: dt.date | None
    birth_date_accuracy: str
    place_of_birth: str
    sex: str
    gender: str
    age_band: str
    is_minor: bool | None
    nationalities: list[str]
    citizenships: list[str]
    languages: list[str]
    first_contact_on: dt.date | None
    first_contact_place: str
    age: int | None = Field(description="Age today, from the date of birth or the estimate.")
    age_is_estimated: bool
    created_at: dt.datetime
    documents: list[DocumentOut]
    contacts: list[ContactOut]
    consents: list[ConsentOut]


class PersonHit(Schema):
    id: uuid.UUID
    given_name: str
    family_name: str
    other_names: list[str]
    date_of_birth: dt.date | None
    age_band: str
    sex: str
    nationalities: list[str]
    score: float | None = None
    reasons: list[str] = Field(
        [],
        description="Why the person was found, as codes: 'document', 'phone' or 'email' for an "
        "exact identifier; for a name the parts that agreed ('given_name_agrees', "
        "'given_name_similar', 'family_name_agrees', 'family_name_similar', "
        "'other_name_agrees', 'other_name_similar'), then 'birth_year' (search) or "
        "'birth_date', 'birth_year', 'nationality' (duplicate check) when those agree too.",
    )
    explanation: list[str] = Field(
        [], description="The reasons in words, in the caller's language."
    )


class PeopleSearchOut(Schema):
    identifier_matches: list[PersonHit] = Field(
        description="Persons with exactly this document number, phone number or email address "
        "(a query that looks like one); never mixed with name matches."
    )
    name_matches: list[PersonHit] = Field(
        description="Persons whose name agrees with the query beyond the search's floor, every "
        "query word agreeing first, then by similarity and birth year. A birth year orders "
        "them; it never adds a person whose name does not agree."
    )
    message_code: Literal["", "no_close_name", "no_identifier_match"] = Field(
        description="Empty when someone was found; otherwise why not: 'no_close_name' (no name "
        "agrees closely enough) or 'no_identifier_match' (no exact document, phone or email)."
    )
    message: str = Field(description="The message_code in words, in the caller's language.")


class DuplicateQuery(Schema):
    given_name: Text = Field("", max_length=NAME)
    family_name: Text = Field("", max_length=NAME)
    date_of_birth: dt.date | None = None
    nationalities: list[CountryCode] = Field([], max_length=MAX_COUNTRIES)
    document_numbers: list[Annotated[Text, Field(max_length=64)]] = Field(
        [], max_length=MAX_DOCUMENTS
    )


class ListParams(Schema):
    page: Page = 1


class SearchIn(Schema):
    q: Text = Field(max_length=200)
    birth_year: int | None = Field(None, ge=1900, le=2100)


# Errors ------------------------------------------------------------------------------------

# Declared on every operation by salama.core.apierrors as well; these keep the people router's
# own declarations explicit. A search may also answer 429.
ERRORS: dict[int, type[Schema]] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
THROTTLED: dict[int, type[Schema]] = {429: ErrorOut}


# Serialisation -----------------------------------------------------------------------------


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        purpose=consent.purpose,
        method=consent.method,
        given_on=consent.given_on,
        expires_on=consent.expires_on,
        recipient=consent.recipient.uuid if consent.recipient else None,
        service_type=consent.service_type,
        status=consent.status,
        withdrawn_at=consent.withdrawn_at,
    )


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        version=person.version,
        given_name=person.given_name or "",
        family_name=person.family_name or "",
        other_names=[OtherNameOut(**n) for n in person.other_names or []],
        date_of_birth=person.date_of_birth,
        birth_date_accuracy=person.birth_date_accuracy,
        place_of_birth=person.place_of_birth or "",
        sex=person.sex,
        gender=person.gender,
        age_band=person.age_band,
        is_minor=person.is_minor,
        nationalities=person.nationalities,
        citizenships=person.citizenships,
        languages=person.languages,
        first_contact_on=person.first_contact_on,
        first_contact_place=person.first_contact_place or "",
        age=person.current_age(),
        age_is_estimated=person.age_is_estimated,
        created_at=person.created_at,
        documents=[
            DocumentOut(
                id=d.id,
                doc_type=d.doc_type,
                number=d.number or "",
                issuing_country=d.issuing_country,
                expiry=d.expiry,
            )
            for d in person.documents.all()
        ],
        contacts=[
            ContactOut(id=c.id, kind=c.kind, value=c.value or "", note=c.note or "")
            for c in person.contacts.all()
        ],
        consents=[_consent_out(c) for c in person.consents.select_related("recipient")],
    )


def _hit(person: Person, score: float | None = None, reasons: tuple[str, ...] = ()) -> PersonHit:
    return PersonHit(
        id=person.id,
        given_name=person.given_name or "",
        family_name=person.family_name or "",
        other_names=[n.get("name", "") for n in person.other_names or []],
        date_of_birth=person.date_of_birth,
        age_band=person.age_band,
        sex=person.sex,
        nationalities=person.nationalities,
        score=score,
        reasons=list(reasons),
        explanation=search_reasons.describe(reasons),
    )


def _limit_searches(principal: Principal) -> None:
    if not allow_search(principal.user.pk):
        raise HttpError(429, _("Too many searches in a minute. Wait a moment and search again."))


# Endpoints ---------------------------------------------------------------------------------


@router.get("", response={200: list[PersonHit], **ERRORS}, summary="List the newest people")
def list_people(request: HttpRequest, params: Query[ListParams]) -> Any:
    """The newest persons the caller may see, 50 a page (no total count)."""
    page = queries.recent_people(
        request_principal(request, Perm.PERSON_VIEW), params.page, PER_PAGE, request=request
    )
    return [_hit(p) for p in page]


@router.post(
    "/search", response={200: PeopleSearchOut, **ERRORS, **THROTTLED}, summary="Search people"
)
def search_people(request: HttpRequest, payload: SearchIn) -> Any:
    """Search by any name in any script, or by document number, phone number or email address,
    among the persons the caller may see. Exact identifier matches and name matches come in
    separate lists; when nobody is found, `message_code` and `message` say why. The query
    travels in the body so that names never appear in URLs or logs."""
    principal = request_principal(request, Perm.PERSON_VIEW)
    _limit_searches(principal)
    found = queries.find_people(
        principal, payload.q, birth_year=payload.birth_year, request=request
    )
    by_identifier, by_name = search_reasons.group_hits(found)
    code = "" if found else search_reasons.empty_code(payload.q)
    return PeopleSearchOut(
        identifier_matches=[_hit(h.person, h.score, h.reasons) for h in by_identifier],
        name_matches=[_hit(h.person, h.score, h.reasons) for h in by_name],
        message_code=code,
        message=str(search_reasons.EMPTY_MESSAGES[code]) if code else "",
    )


@router.post("", response={201: PersonOut, **ERRORS}, summary="Register a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    principal = request_principal(request, Perm.PERSON_CREATE)
    data = payload.dict()
    person = services.register_person(
        actor=principal,
        **{k: v for k, v in data.items() if k not in ("documents", "contacts")},
        documents=[services.DocumentInput(**d) for d in data["documents"]],
        contacts=[services.ContactInput(**c) for c in data["contacts"]],
        request=request,
    )
    return Status(201, _person_out(person))


@router.post(
    "/duplicates",
    response={200: list[PersonHit], **ERRORS, **THROTTLED},
    summary="Likely existing records",
)
def duplicates(request: HttpRequest, payload: DuplicateQuery) -> Any:
    """The duplicate check run before registering (POST so that names stay out of URLs)."""
    principal = request_principal(request, Perm.PERSON_CREATE)
    _limit_searches(principal)
    candidates = queries.duplicate_candidates(principal, **payload.dict(), request=request)
    return [_hit(c.person, c.score, c.reasons) for c in candidates]


@router.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="Read a person")
def get_person(request: HttpRequest, person_id: uuid.UUID) -> Any:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id)
    queries.record_person_view(principal, person, request=request)
    return _person_out(person)


@router.patch("/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change a person")
def patch_person(request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch) -> Any:
    """Send the `version` you read; a stale version answers 409 and changes nothing."""
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    person = services.update_person(
        actor=principal, person=person, expected_version=version, changes=changes, request=request
    )
    return _person_out(person)


@router.post(
    "/{person_id}/consents", response={201: ConsentOut, **ERRORS}, summary="Record consent"
)
def create_consent(request: HttpRequest, person_id: uuid.UUID, payload: ConsentIn) -> Any:
    principal = request_principal(request, Perm.CONSENT_RECORD)
    person = access_person(principal, person_id)
    data = payload.dict()
    recipient = None
    if data["recipient"] is not None:
        recipient = Organisation.objects.filter(uuid=data["recipient"], is_active=True).first()
        if recipient is None:
            raise ValidationError({"recipient": _("Unknown recipient organisation.")})
    data["recipient"] = recipient
    consent = services.record_consent(actor=principal, person=person, request=request, **data)
    return Status(201, _consent_out(consent))


@router.post(
    "/{person_id}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **ERRORS},
    summary="Withdraw consent",
)
def withdraw_consent(
    request: HttpRequest, person_id: uuid.UUID, consent_id: uuid.UUID, payload: WithdrawIn
) -> Any:
    principal = request_principal(request, Perm.CONSENT_RECORD)
    person = access_person(principal, person_id)
    consent = get_or_404(Consent.objects.filter(person=person), id=consent_id)
    consent = services.withdraw_consent(
        actor=principal, consent=consent, note=payload.note, request=request
    )
    return _consent_out(consent)
