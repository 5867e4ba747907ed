"""Demo persons whose names are written in the scripts and orthographies of docs/names.md.

Each is registered in one spelling; the line printed for it names another spelling to search
for (as a caseworker would hear or read it), which finds the person.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.core import crypto
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people import services
from salama.people.choices import BirthDateAccuracy, Sex
from salama.people.models import NameToken
from salama.people.names import skeleton

# (given name, family name, sex, nationality, birth year, a spelling that finds the person)
DEMO_NAMES: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("Ivana", "Crnković", Sex.FEMALE, "HR", 1991, "Ivana Tsrnkovich"),
    ("Krzysztof", "Wiśniewski", Sex.MALE, "PL", 1986, "Kshishtof Vishnevski"),
    ("יצחק", "פרץ", Sex.MALE, "IL", 1979, "Yitzhak Peretz"),
    ("伟", "张", Sex.MALE, "CN", 1990, "Zhang Wei"),
    ("विकास", "श्रेष्ठ", Sex.MALE, "NP", 1994, "Bikash Shrestha"),
    ("Cemal", "Çelik", Sex.MALE, "TR", 1983, "Jemal Chelik"),
    ("Mircea", "Țurcanu", Sex.MALE, "MD", 1988, "Mircha Tsurcanu"),
    ("Jürgen", "Zimmermann", Sex.MALE, "DE", 1975, "Yurgen Tsimmerman"),
    ("Zsolt", "Kovács", Sex.MALE, "HU", 1992, "Zholt Kovach"),
    ("João", "Carvalho", Sex.MALE, "TL", 1996, "Joau Karvalyu"),
    ("Митико", "Судзуки", Sex.FEMALE, "JP", 1985, "Michiko Suzuki"),
    ("Fatimah", "Hassan", Sex.FEMALE, "SD", 1999, "فاطمة حسن"),
)


def _principal(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    membership = user.memberships.select_related("organisation").first()
    return Principal(user=user, membership=membership, verified=True)


def _already_loaded(orgs: list[Organisation]) -> bool:
    given, family, _sex, _nationality, year, _search = DEMO_NAMES[0]
    marker = crypto.token_hash(f"p:{_pair(given, family)}", salt=f"y{year}")
    return NameToken.objects.filter(token=marker, person__registered_by__in=orgs).exists()


def _pair(given: str, family: str) -> str:
    return "|".join(sorted((skeleton(given), skeleton(family))))


def load_demo_names() -> list[str]:
    """Register the demo persons of DEMO_NAMES (idempotent) and say what to search for."""
    orgs = list(Organisation.objects.filter(name__in=[o.name for o in DEMO_ORGS]))
    actor = _principal(demo_email(DEMO_ORGS[0], Role.CASEWORKER)) if orgs else None
    if actor is None:
        return ["No demo caseworker: load the demo accounts first."]
    lines = [
        f"Names in many scripts: {given} {family} — search “{search}” (born {year})."
        for given, family, _sex, _nationality, year, search in DEMO_NAMES
    ]
    if _already_loaded(orgs):
        return ["Demo names in many scripts already loaded.", *lines]
    today = timezone.localdate()
    with transaction.atomic():
        for i, (given, family, sex, nationality, year, _search) in enumerate(DEMO_NAMES):
            services.register_person(
                actor=actor,
                given_name=given,
                family_name=family,
                date_of_birth=dt.date(year, 1 + i % 12, 1 + (3 * i) % 28),
                birth_date_accuracy=BirthDateAccuracy.EXACT,
                sex=sex,
                nationalities=[nationality],
                first_contact_on=today - dt.timedelta(days=20 + i),
                first_contact_place="Ventimiglia station",
            )
    return lines
