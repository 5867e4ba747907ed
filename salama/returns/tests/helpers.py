"""Building a return case for the returns tests: a person in NGO A (Jordan) going home to
Kenya, where NGO B receives them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import principal
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.people import services as people
from salama.people.models import CONSENT_CHECKLIST, Consent
from salama.referrals import services as referrals
from salama.referrals.models import Service
from salama.returns import services
from salama.returns.models import ReturnJourney

TODAY = timezone.localdate()
CHECKLIST = {key: True for key, _label in CONSENT_CHECKLIST}


def return_case(user: Any) -> Case:
    actor = principal(user)
    person = people.register_person(
        actor=actor, given_name="Wanjiru", family_name="Kamau", date_of_birth=dt.date(1993, 3, 9)
    )
    return open_case(actor=actor, person=person, case_type="returnee")


def consent(user: Any, case: Case, purpose: str = "return", **kw: Any) -> Consent:
    return people.record_consent(
        actor=principal(user),
        person=case.person,
        purpose=purpose,
        method=kw.pop("method", "written"),
        given_on=TODAY - dt.timedelta(days=20),
        checklist=CHECKLIST,
        **kw,
    )


def reception_service(org: Any, service_type: str = "reintegration") -> Service:
    return Service.objects.create(
        provider=referrals.ensure_provider(org),
        name="Reception and reintegration desk",
        service_type=service_type,
        country=org.country,
    )


def step(user: Any, journey: ReturnJourney, name: str, **data: Any) -> ReturnJourney:
    data.setdefault("on", TODAY - dt.timedelta(days=5))
    journey.refresh_from_db()
    return services.take_step(
        actor=principal(user), journey=journey, step=name, data=services.StepInput(**data)
    )


def ready_to_depart(user: Any, case: Case, *, country: str = "KE") -> ReturnJourney:
    """A journey with the decision, assessments, documents and one escorted leg."""
    consent(user, case)
    journey = services.open_journey(actor=principal(user), case=case, country=country)
    day = TODAY - dt.timedelta(days=15)
    step(user, journey, "counsel", on=day, notes="Explained AVRR options; she wants to go home.")
    step(user, journey, "decide_return", on=day)
    step(user, journey, "assess_risk", on=day, risk_level="low", reasons="Family in Nakuru.")
    step(user, journey, "assess_health", on=day, fitness="fit_with_escort")
    step(
        user,
        journey,
        "request_documents",
        on=day,
        document_type="emergency_travel_document",
        consulate="Embassy of Kenya, Amman",
    )
    step(user, journey, "issue_documents", on=day, document_number="ETD-55120")
    step(
        user,
        journey,
        "add_leg",
        on=TODAY - dt.timedelta(days=2),
        from_place="Amman (AMM)",
        to_place="Nairobi (NBO)",
        carrier="Royal Jordanian",
        escort=True,
        medical_needs="Insulin in cabin luggage",
    )
    journey.refresh_from_db()
    return journey


AMOUNT = Decimal("400")
