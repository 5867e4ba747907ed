"""A demo family (demo mode only; idempotent): a mother and her two children, each with a case,
linked as a household, the mother recorded as the children's guardian, and for the son a
completed best-interests assessment and a panel's determination; the daughter's is a draft."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.cases import best_interests
from salama.cases.demo import _actor
from salama.cases.services import open_case
from salama.core.roles import Role
from salama.people import household
from salama.people.household_models import HouseholdLink
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import record_consent, register_person

# (given name, family name, sex, years before today, case type)
DEMO_FAMILY = (
    ("Selamawit", "Tesfaye", "female", 34, "trafficking"),
    ("Dawit", "Tesfaye", "male", 13, "vulnerable_migrant"),
    ("Hanna", "Tesfaye", "female", 8, "vulnerable_migrant"),
)


def load_demo_household() -> list[str]:
    spec = DEMO_ORGS[0]
    actor = _actor(demo_email(spec, Role.CASEWORKER))
    supervisor = _actor(demo_email(spec, Role.SUPERVISOR))
    if actor is None or supervisor is None:
        return []
    if HouseholdLink.objects.filter(organisation=actor.organisation).exists():
        return ["Demo household already loaded."]
    today = timezone.localdate()
    checklist = {key: True for key, _label in CONSENT_CHECKLIST}
    with transaction.atomic():
        members = []
        for given, family, sex, years, case_type in DEMO_FAMILY:
            person = register_person(
                actor=actor,
                given_name=given,
                family_name=family,
                sex=sex,
                date_of_birth=dt.date(today.year - years, 3, 14),
                nationalities=["ER"],
                languages=["ti", "ar"],
            )
            minor = years < 18
            record_consent(
                actor=actor,
                person=person,
                purpose="assistance",
                method="child_assent" if minor else "written",
                guardian_name="Selamawit Tesfaye" if minor else "",
                given_on=today - dt.timedelta(days=20),
                checklist=checklist,
            )
            case = open_case(actor=actor, person=person, case_type=case_type)
            members.append((person, case))
        (mother, _mother_case), (son, son_case), (daughter, daughter_case) = members
        household.link_household(
            actor=actor,
            person=mother,
            other=son,
            relationship="parent",
            notes="Arrived together at the shelter.",
        )
        household.link_household(actor=actor, person=mother, other=daughter, relationship="parent")
        household.link_household(actor=actor, person=son, other=daughter, relationship="sibling")
        for child in (son, daughter):
            household.set_guardian(actor=actor, child=child, kind="parent", guardian_person=mother)
        assessment = best_interests.record_best_interests_assessment(
            actor=actor,
            case=son_case,
            data=best_interests.AssessmentInput(
                assessed_on=today - dt.timedelta(days=6),
                child_views_heard=True,
                views_how="Heard alone with a Tigrinya interpreter; wants to stay with his "
                "mother and sister and to see his father again.",
                safety="Safe at the shelter; the recruiter knows the family's old address.",
                family="Mother and sister at the shelter; father in Germany, in contact by phone.",
                health="Well; sleeps badly since the journey.",
                education="Out of school for a year; reads Tigrinya and some Arabic.",
                identity="Eritrean, Orthodox; speaks Tigrinya and some Arabic.",
                recommendations="Keep the family together; pursue reunification with the father.",
            ),
            complete=True,
        )
        best_interests.record_best_interests_determination(
            actor=supervisor,
            case=son_case,
            assessment=assessment,
            decided_on=today - dt.timedelta(days=2),
            panel=["chair", "child_protection", "legal", "un_agency"],
            decision="family_reunification",
            reasons="The child and his mother wish to join the father, who can care for them; "
            "no risk was found in Germany.",
        )
        best_interests.record_best_interests_assessment(
            actor=actor,
            case=daughter_case,
            data=best_interests.AssessmentInput(
                assessed_on=today - dt.timedelta(days=1),
                family="With her mother and brother at the shelter.",
            ),
        )
    return ["Loaded a demo household (a mother and two children) with best-interests records."]
