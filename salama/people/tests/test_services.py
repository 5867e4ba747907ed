"""The people write path: registration rules, consent, version checks, erasure, photos."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from conftest import principal
from salama.accounts.models import Organisation, User
from salama.core import crypto
from salama.core.errors import ConflictError, ConsentMissing
from salama.core.models import AuditEntry
from salama.core.tests import samples
from salama.people import services
from salama.people.choices import ConsentMethod, ConsentPurpose
from salama.people.models import CONSENT_CHECKLIST, Contact, IdentityDocument, NameToken, Person

pytestmark = pytest.mark.django_db

ALL_TOLD = {key: True for key, _label in CONSENT_CHECKLIST}
PNG = samples.png_bytes((12, 9))
JPEG = samples.jpeg_bytes((12, 9))


def register(user: User, **overrides: Any) -> Person:
    """A person registered through the service by `user` (defaults: an adult Syrian man)."""
    fields: dict[str, Any] = {
        "given_name": "Youssef",
        "family_name": "Haddad",
        "date_of_birth": dt.date(1990, 5, 1),
        "sex": "male",
        "nationalities": ["SY"],
        "languages": ["ar"],
    }
    fields.update(overrides)
    return services.register_person(actor=principal(user), **fields)


def consent(user: User, person: Person, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "purpose": ConsentPurpose.ASSISTANCE,
        "method": ConsentMethod.WRITTEN,
        "given_on": timezone.localdate(),
        "checklist": ALL_TOLD,
    }
    fields.update(overrides)
    return services.record_consent(actor=principal(user), person=person, **fields)


# Registration ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_registers_person_with_encrypted_identity_and_clear_facts(caseworker_a: User) -> None:
    person = register(
        caseworker_a,
        documents=[services.DocumentInput("passport", "N1234567", "SY")],
        contacts=[services.ContactInput("phone", "+962 79 123 4567")],
    )
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.given_name == "Youssef"
    assert fresh.age_band and fresh.sex == "male" and fresh.nationalities == ["SY"]
    assert fresh.documents.get().number_index
    assert NameToken.objects.filter(person=person).exists() is True


def test_refuses_a_date_of_birth_in_the_future(caseworker_a: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="future") as exc:
        register(caseworker_a, date_of_birth=tomorrow)
    assert "date_of_birth" in exc.value.message_dict
    assert Person.objects.count() == 0


def test_refuses_an_unknown_country_code(caseworker_a: User) -> None:
    with pytest.raises(ValidationError, match="XX") as exc:
        register(caseworker_a, nationalities=["XX"])
    assert "nationalities" in exc.value.message_dict
    assert Person.objects.count() == 0


def test_refuses_a_bad_language_code(caseworker_a: User) -> None:
    with pytest.raises(ValidationError) as exc:
        register(caseworker_a, languages=["Arabic"])
    assert "languages" in exc.value.message_dict


def test_refuses_an_impossible_estimated_age(caseworker_a: User) -> None:
    with pytest.raises(ValidationError) as exc:
        register(caseworker_a, date_of_birth=None, estimated_age=150)
    assert "estimated_age" in exc.value.message_dict


def test_data_officer_cannot_register(data_officer_a: User) -> None:
    with pytest.raises(PermissionDenied):
        register(data_officer_a)


# Version check -----------------------------------------------------------------------------


def test_stale_version_raises_conflict_and_changes_nothing(caseworker_a: User) -> None:
    person = register(caseworker_a)
    actor = principal(caseworker_a)
    services.update_person(
        actor=actor, person=person, expected_version=1, changes={"given_name": "Yusuf"}
    )
    stale = Person.objects.get(pk=person.pk)
    with pytest.raises(ConflictError):
        services.update_person(
            actor=actor, person=stale, expected_version=1, changes={"given_name": "Joseph"}
        )
    assert Person.objects.get(pk=person.pk).given_name == "Yusuf"


# Consent -----------------------------------------------------------------------------------


def test_child_consent_needs_assent_and_a_guardian(caseworker_a: User) -> None:
    child = register(caseworker_a, date_of_birth=timezone.localdate().replace(year=2015))
    with pytest.raises(ValidationError, match="child"):
        consent(caseworker_a, child, method=ConsentMethod.WRITTEN)
    with pytest.raises(ValidationError) as exc:
        consent(caseworker_a, child, method=ConsentMethod.CHILD_ASSENT)
    assert "guardian_name" in exc.value.message_dict
    recorded = consent(
        caseworker_a, child, method=ConsentMethod.CHILD_ASSENT, guardian_name="Amina Haddad"
    )
    assert recorded.status == "active"


def test_consent_needs_every_checklist_item(caseworker_a: User) -> None:
    person = register(caseworker_a)
    with pytest.raises(ValidationError) as exc:
        consent(caseworker_a, person, checklist={**ALL_TOLD, "told_retention": False})
    assert "checklist" in exc.value.message_dict


def test_referral_consent_names_a_recipient_or_service(
    caseworker_a: User, ngo_b: Organisation
) -> None:
    person = register(caseworker_a)
    with pytest.raises(ValidationError) as exc:
        consent(caseworker_a, person, purpose=ConsentPurpose.REFERRAL)
    assert "recipient" in exc.value.message_dict
    consent(caseworker_a, person, purpose=ConsentPurpose.REFERRAL, recipient=ngo_b)
    assert services.active_consent(person, ConsentPurpose.REFERRAL, recipient=ngo_b) is not None


def test_referral_consent_refuses_an_unknown_service_type(caseworker_a: User) -> None:
    person = register(caseworker_a)
    with pytest.raises(ValidationError) as exc:
        consent(caseworker_a, person, purpose=ConsentPurpose.REFERRAL, service_type="spa")
    assert "service_type" in exc.value.message_dict


def test_withdrawn_consent_blocks_its_purpose(caseworker_a: User) -> None:
    person = register(caseworker_a)
    given = consent(caseworker_a, person)
    assert services.require_consent(person, ConsentPurpose.ASSISTANCE) == given
    services.withdraw_consent(actor=principal(caseworker_a), consent=given, note="changed mind")
    with pytest.raises(ConsentMissing):
        services.require_consent(person, ConsentPurpose.ASSISTANCE)
    assert AuditEntry.objects.filter(action="consent.withdraw").count() == 1


def test_another_organisation_cannot_withdraw_consent(
    caseworker_a: User, caseworker_b: User
) -> None:
    given = consent(caseworker_a, register(caseworker_a))
    with pytest.raises(PermissionDenied):
        services.withdraw_consent(actor=principal(caseworker_b), consent=given)


# Erasure -----------------------------------------------------------------------------------


def test_erasure_shreds_identity_and_keeps_the_statistical_row(
    caseworker_a: User, supervisor_a: User
) -> None:
    person = register(
        caseworker_a,
        given_name="Zeynab",
        family_name="Qutbuddin",
        documents=[services.DocumentInput("passport", "N7654321", "SY")],
        contacts=[services.ContactInput("phone", "+962 79 765 4321")],
    )
    services.update_person(
        actor=principal(caseworker_a),
        person=person,
        expected_version=None,
        changes={"family_name": "Qutbuddin-Ali"},
    )
    facts = (person.sex, person.age_band, person.nationalities)
    services.erase_person(actor=principal(supervisor_a), person=person, reason="person_request")

    erased = Person.objects.get(pk=person.pk)
    with pytest.raises(crypto.SubjectErased):
        _ = erased.given_name
    assert NameToken.objects.filter(person=person).exists() is False
    assert set(
        IdentityDocument.objects.filter(person=person).values_list("number_index", flat=True)
    ) == {""}
    assert set(Contact.objects.filter(person=person).values_list("value_index", flat=True)) == {""}
    assert (
        (erased.sex, erased.age_band, erased.nationalities) == facts == ("male", facts[1], ["SY"])
    )
    assert erased.age_band
    trail = json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)
    assert "Zeynab" not in trail and "Qutbuddin" not in trail


def test_caseworker_cannot_erase(caseworker_a: User) -> None:
    person = register(caseworker_a)
    with pytest.raises(PermissionDenied):
        services.erase_person(actor=principal(caseworker_a), person=person, reason="person_request")


# Photo -------------------------------------------------------------------------------------


def test_photo_is_stored_encrypted_and_read_back(caseworker_a: User) -> None:
    person = register(caseworker_a)
    services.set_photo(
        actor=principal(caseworker_a),
        person=person,
        upload=SimpleUploadedFile("me.png", PNG, content_type="image/png"),
    )
    fresh = Person.objects.get(pk=person.pk)
    with fresh.photo.storage.open(fresh.photo.name, "rb") as handle:
        assert b"JFIF" not in handle.read()
    stored = Image.open(io.BytesIO(fresh.photo.read_plain()))
    # Re-encoded from its pixels: an opaque PNG comes back as a JPEG of the same size.
    assert (stored.format, stored.size) == ("JPEG", (12, 9))
    assert AuditEntry.objects.filter(action="person.set_photo").exists() is True


def test_photo_must_be_jpeg_or_png_by_its_bytes(caseworker_a: User) -> None:
    person = register(caseworker_a)
    fake = SimpleUploadedFile("me.png", b"GIF89a" + b"\x00" * 20, content_type="image/png")
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        services.set_photo(actor=principal(caseworker_a), person=person, upload=fake)


def test_photo_over_five_megabytes_is_refused(caseworker_a: User) -> None:
    person = register(caseworker_a)
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * services.PHOTO_MAX_BYTES)
    with pytest.raises(ValidationError, match="5 MB"):
        services.set_photo(actor=principal(caseworker_a), person=person, upload=big)
    assert not Person.objects.get(pk=person.pk).photo


def test_photo_content_type_is_judged_by_magic_bytes() -> None:
    assert services.photo_content_type(JPEG[:16]) == "image/jpeg"
    assert services.photo_content_type(PNG[:16]) == "image/png"
    assert services.photo_content_type(io.BytesIO(b"%PDF-1.7").read()) is None


def test_demo_people_load_once_in_several_scripts(settings: Any) -> None:
    from salama.accounts.demo import load_demo_accounts
    from salama.demo.people import DEMO_PEOPLE, load_demo_people

    settings.SALAMA_DEMO = True
    load_demo_accounts()
    assert load_demo_people() == [f"Loaded {DEMO_PEOPLE} demo persons."]
    assert load_demo_people() == ["Demo persons already loaded."]
    assert Person.objects.count() == DEMO_PEOPLE
    scripts = set(Person.objects.values_list("name_script", flat=True))
    assert {"latin", "arabic", "cyrillic", "ethiopic"} <= scripts
    assert Person.objects.filter(documents__isnull=False).exists() is True
