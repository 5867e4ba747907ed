"""Demo family tracing at Nour Migrant Aid: a mother looks for her son, registered in Arabic
script (a proposed match; his namesake without tracing consent is never shown), and a father
and daughter looking for each other (a confirmed match with the steps to reunification)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.cases.services import open_case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people import services as people
from salama.people.choices import Sex
from salama.people.models import CONSENT_CHECKLIST, Person
from salama.tracing import services
from salama.tracing.models import TracingRequest

# How many persons the tracing demo registers (two namesakes, a mother, a father and a daughter).
DEMO_TRACING_PEOPLE = 5


def _principal(email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    membership = user.memberships.select_related("organisation").first()
    return Principal(user=user, membership=membership, verified=True)


def _person(
    actor: Principal, given: str, family: str, age: int, sex: str, *, consents: bool
) -> Person:
    person = people.register_person(
        actor=actor, given_name=given, family_name=family, estimated_age=age, sex=sex
    )
    if consents:
        people.record_consent(
            actor=actor,
            person=person,
            purpose="tracing",
            method="child_assent" if person.is_minor else "written",
            guardian_name="Shelter guardian" if person.is_minor else "",
            given_on=timezone.localdate() - dt.timedelta(days=10),
            checklist={key: True for key, _label in CONSENT_CHECKLIST},
        )
    return person


def load_demo_tracing() -> list[str]:
    org = Organisation.objects.filter(name=DEMO_ORGS[0].name).first()
    actor = _principal(demo_email(DEMO_ORGS[0], Role.CASEWORKER)) if org else None
    if actor is None:
        return ["No demo caseworker: load the demo accounts first."]
    lines = [
        "Tracing: Halima Osman looks for her son Abdi, registered as عبدي عثمان (a proposed match).",
        "Tracing: Yonas and Selam Tesfaye look for each other (confirmed, steps to reunification).",
    ]
    if TracingRequest.objects.filter(organisation=org).exists():
        return ["Demo tracing already loaded.", *lines]
    today = timezone.localdate()
    with transaction.atomic():
        _person(actor, "عبدي", "عثمان", 14, Sex.MALE, consents=True)
        _person(actor, "عبدي", "عثمان", 14, Sex.MALE, consents=False)  # never proposed
        mother = _person(actor, "Halima", "Osman", 38, Sex.FEMALE, consents=True)
        mother_case = open_case(actor=actor, person=mother, case_type="vulnerable_migrant")
        services.create_request(
            actor=actor,
            case=mother_case,
            relationship="child",
            sought_given_name="Abdi",
            sought_family_name="Osman",
            sought_sex=Sex.MALE,
            sought_age=14,
            separation_place="Agadez bus station",
            separation_year=today.year - 1,
            separation_month=3,
        )
        father = _person(actor, "Yonas", "Tesfaye", 45, Sex.MALE, consents=True)
        daughter = _person(actor, "Selam", "Tesfaye", 16, Sex.FEMALE, consents=True)
        father_case = open_case(actor=actor, person=father, case_type="vulnerable_migrant")
        daughter_case = open_case(actor=actor, person=daughter, case_type="unaccompanied_child")
        services.create_request(
            actor=actor,
            case=father_case,
            relationship="child",
            sought_given_name="Selam",
            sought_family_name="Tesfaye",
            sought_other_names=["ሰላም ተስፋዬ"],
            sought_sex=Sex.FEMALE,
            sought_age=16,
            separation_place="Kassala",
            separation_year=today.year - 2,
        )
        seeking_father = services.create_request(
            actor=actor,
            case=daughter_case,
            relationship="parent",
            sought_given_name="Yonas",
            sought_family_name="Tesfaye",
            sought_sex=Sex.MALE,
            sought_age=45,
            separation_place="Kassala",
            separation_year=today.year - 2,
        )
        match = seeking_father.matches.get()
        services.confirm_match(actor=actor, match=match)
        for days, step in (
            (20, "verification"),
            (15, "contact"),
            (8, "both_agree"),
            (3, "best_interests"),
        ):
            services.add_reunification_step(
                actor=actor, match=match, step=step, happened_on=today - dt.timedelta(days=days)
            )
    return lines
