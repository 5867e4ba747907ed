"""Demo persons (SALAMA_DEMO only): a few hundred fictional people with names in several scripts."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.demo.synthetic import generate_people, other_script_variant
from salama.people import services
from salama.people.choices import BirthDateAccuracy, DocumentType
from salama.people.models import Person

DEMO_PEOPLE = 300
SEED = 20260101
_OTHER_SCRIPTS = ("arabic", "cyrillic", "ethiopic")
_LANGUAGES = {
    "SY": ["ar"], "IQ": ["ar"], "SD": ["ar"], "YE": ["ar"], "EG": ["ar"], "LY": ["ar"],
    "ER": ["ti"], "ET": ["am"], "SO": ["so"], "UA": ["uk", "ru"], "RU": ["ru"], "AF": ["fa", "ps"],
    "NG": ["en"], "SN": ["wo", "fr"], "ML": ["bm", "fr"], "GN": ["fr"],
}  # fmt: skip
# Where the demo persons were first met (first contact), and every how many has only an estimated age.
_FIRST_CONTACT_PLACES = (
    "Border post of Al-Omari", "Jaber crossing", "Gallabat border post", "Metema crossing",
    "Tripoli port", "Agadez transit centre", "Ventimiglia station", "Shelter in Amman",
)  # fmt: skip
_ESTIMATED_AGE_EVERY = 11  # odd, so both demo organisations have some


def _principal(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    membership = user.memberships.select_related("organisation").first()
    return Principal(user=user, membership=membership, verified=True)


def load_demo_people() -> list[str]:
    """Register the demo persons through the services (idempotent: skipped when already there)."""
    orgs = list(Organisation.objects.filter(name__in=[o.name for o in DEMO_ORGS]))
    if not orgs:
        return ["No demo organisations: load the demo accounts first."]
    if Person.objects.filter(registered_by__in=orgs).count() >= DEMO_PEOPLE:
        return ["Demo persons already loaded."]
    actors = [p for p in (_principal(demo_email(o, Role.CASEWORKER)) for o in DEMO_ORGS) if p]
    if not actors:
        return ["No demo caseworkers: load the demo accounts first."]
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
    with transaction.atomic():
        for i, synthetic in enumerate(generate_people(DEMO_PEOPLE, seed=SEED)):
            other_names = []
            if synthetic.script != "latin":
                other_names.append({"name": synthetic.canonical_latin, "kind": "spelling"})
            elif rng.random() < 0.3:
                for script in _OTHER_SCRIPTS:
                    variant = other_script_variant(synthetic.canonical_latin, script)
                    if variant:
                        other_names.append({"name": variant, "kind": "spelling"})
                        break
            dob = synthetic.date_of_birth
            estimated = (dob.month, dob.day) == (1, 1)
            today = timezone.localdate()
            # Some persons know no birth date at all: the caseworker estimated their age.
            age_only = i % _ESTIMATED_AGE_EVERY == 4
            age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
            documents, contacts = [], []
            if rng.random() < 0.1:
                documents.append(
                    services.DocumentInput(
                        doc_type=DocumentType.PASSPORT,
                        number=f"{synthetic.nationality}{rng.randrange(10**6, 10**7)}",
                        issuing_country=synthetic.nationality,
                    )
                )
                contacts.append(
                    services.ContactInput(
                        kind="phone", value=f"+962 7{rng.randrange(10**7, 10**8)}"
                    )
                )
            services.register_person(
                actor=actors[i % len(actors)],
                given_name=synthetic.given_name,
                family_name=synthetic.family_name,
                other_names=other_names,
                date_of_birth=None if age_only else dob,
                estimated_age=age if age_only else None,
                birth_date_accuracy=BirthDateAccuracy.ESTIMATED
                if age_only
                else BirthDateAccuracy.YEAR
                if estimated
                else BirthDateAccuracy.EXACT,
                sex=synthetic.sex,
                nationalities=[synthetic.nationality],
                languages=_LANGUAGES.get(synthetic.nationality, []),
                first_contact_on=today - dt.timedelta(days=(i * 37) % 700),
                first_contact_place=_FIRST_CONTACT_PLACES[i % len(_FIRST_CONTACT_PLACES)],
                documents=documents,
                contacts=contacts,
            )
    return [f"Loaded {DEMO_PEOPLE} demo persons."]
