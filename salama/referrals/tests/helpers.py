"""Small factories shared by the referral tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import principal
from salama.accounts.models import Organisation, User
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.people.models import CONSENT_CHECKLIST, Consent, Person
from salama.people.services import (
    ContactInput,
    DocumentInput,
    record_consent,
    register_person,
)
from salama.referrals.models import Provider, Service
from salama.referrals.services import ensure_provider

SECRET_SUMMARY = "Escaped from the farm near the river; trafficker is her uncle."


def make_person(user: User, **overrides: Any) -> Person:
    kwargs: dict[str, Any] = {
        "given_name": "Amina",
        "family_name": "Yusuf",
        "date_of_birth": dt.date(1994, 5, 17),
        "sex": "female",
        "nationalities": ["ER"],
        "languages": ["ti", "ar"],
        "place_of_birth": "Keren",
        "contacts": [ContactInput(kind="phone", value="+962 79 555 0101")],
        "documents": [DocumentInput(doc_type="passport", number="P7654321", issuing_country="ER")],
    }
    kwargs.update(overrides)
    return register_person(actor=principal(user), **kwargs)


def make_case(user: User, person: Person | None = None, **overrides: Any) -> Case:
    kwargs: dict[str, Any] = {"case_type": "trafficking", "summary": SECRET_SUMMARY}
    kwargs.update(overrides)
    return open_case(actor=principal(user), person=person or make_person(user), **kwargs)


def make_service(org: Organisation, **overrides: Any) -> Service:
    kwargs: dict[str, Any] = {
        "name": f"{org.name} shelter",
        "service_type": "accommodation",
        "country": org.country,
        "area": "Capital",
        "languages": ["ar", "en"],
    }
    kwargs.update(overrides)
    return Service.objects.create(provider=ensure_provider(org), **kwargs)


def make_external_service(managed_by: Organisation, **overrides: Any) -> Service:
    org = Organisation.objects.create(
        name="Clinic Outside", org_type="Other", country="KE", reference_prefix="EXT"
    )
    provider = Provider.objects.create(
        organisation=org,
        is_external=True,
        contact_email="intake@clinic.example",
        managed_by=managed_by,
    )
    kwargs: dict[str, Any] = {
        "name": "Outside clinic",
        "service_type": "medical",
        "country": "KE",
    }
    kwargs.update(overrides)
    return Service.objects.create(provider=provider, **kwargs)


def consent_to(
    user: User, person: Person, recipient: Organisation | None, service_type: str = ""
) -> Consent:
    return record_consent(
        actor=principal(user),
        person=person,
        purpose="referral",
        method="verbal",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=recipient,
        service_type=service_type,
    )
