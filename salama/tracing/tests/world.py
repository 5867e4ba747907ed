"""Tracing records for the service matrix (tests/test_service_authorization.py): a request of
organisation A with a proposed match, and one whose match both sides confirmed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from salama.cases.services import open_case
from salama.people import services as people
from salama.people.models import CONSENT_CHECKLIST
from salama.tracing import services


def tracing_world(cw: Any) -> dict[str, Any]:
    today = timezone.localdate()
    checklist = {key: True for key, _label in CONSENT_CHECKLIST}

    def consenting(given: str, family: str, age: int) -> Any:
        person = people.register_person(
            actor=cw, given_name=given, family_name=family, estimated_age=age
        )
        people.record_consent(
            actor=cw,
            person=person,
            purpose="tracing",
            method="child_assent" if person.is_minor else "written",
            guardian_name="Guardian" if person.is_minor else "",
            given_on=today - dt.timedelta(days=1),
            checklist=checklist,
        )
        return person

    seeker = consenting("Zahra", "Karimi", 41)
    case = open_case(actor=cw, person=seeker, case_type="vulnerable_migrant")
    consenting("Reza", "Karimi", 15)
    consenting("Leila", "Karimi", 19)
    proposed = services.create_request(
        actor=cw,
        case=case,
        relationship="child",
        sought_given_name="Reza",
        sought_family_name="Karimi",
        sought_age=15,
    )
    confirmed_request = services.create_request(
        actor=cw,
        case=case,
        relationship="child",
        sought_given_name="Leila",
        sought_family_name="Karimi",
        sought_age=19,
    )
    confirmed = services.confirm_match(actor=cw, match=confirmed_request.matches.get())
    return {
        "tracing_case": case,
        "tracing_request": proposed,
        "tracing_match": proposed.matches.get(),
        "tracing_confirmed_match": confirmed,
    }


def tracing_url_objects(cw: Any) -> dict[str, str]:
    """The URL matrix's tracing objects (tests/test_authorization_matrix.py)."""
    built = tracing_world(cw)
    return {
        "tracing_id": str(built["tracing_request"].pk),
        "match_id": str(built["tracing_match"].pk),
    }
