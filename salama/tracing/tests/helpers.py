"""Building tracing worlds for the tests: seekers with cases, persons with and without consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import principal
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.people import services as people
from salama.people.models import CONSENT_CHECKLIST, Consent, Person
from salama.tracing import services
from salama.tracing.models import TracingRequest

TODAY = timezone.localdate()
CHECKLIST = {key: True for key, _label in CONSENT_CHECKLIST}


def person(user: Any, given: str, family: str, *, age: int | None = None, **kw: Any) -> Person:
    return people.register_person(
        actor=principal(user), given_name=given, family_name=family, estimated_age=age, **kw
    )


def consent(user: Any, who: Person, purpose: str = "tracing") -> Consent:
    return people.record_consent(
        actor=principal(user),
        person=who,
        purpose=purpose,
        method="child_assent" if who.is_minor else "written",
        guardian_name="Guardian" if who.is_minor else "",
        given_on=TODAY - dt.timedelta(days=3),
        checklist=CHECKLIST,
    )


def seeker_case(user: Any, given: str = "Fatima", family: str = "Hassan", **kw: Any) -> Case:
    """A consenting seeker with a case of the user's organisation, assigned to the user."""
    seeker = person(user, given, family, age=kw.pop("age", 40), **kw)
    consent(user, seeker)
    return open_case(actor=principal(user), person=seeker, case_type="vulnerable_migrant")


def request_for(user: Any, case: Case, given: str, family: str, **kw: Any) -> TracingRequest:
    kw.setdefault("relationship", "child")
    return services.create_request(
        actor=principal(user),
        case=case,
        sought_given_name=given,
        sought_family_name=family,
        **kw,
    )
