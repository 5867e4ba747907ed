"""A withdrawn return consent stops the return journey that rested on it.

The people app announces `consent.withdrawn` (salama.core.events) and knows nothing of returns;
this subscriber cancels, with the reason `consent_withdrawn`, every journey of that person that
has not left yet, unless another return consent is still in force. A journey already under way
is left as it is: the person is travelling, and what follows is the receiving side's.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from salama.core import audit, events
from salama.people.choices import ConsentPurpose
from salama.people.models import Person
from salama.people.services import active_consent
from salama.returns import rules
from salama.returns.models import JourneyStep, ReturnJourney


def stop_journeys_on_withdrawal(event: events.Event) -> None:
    if event.name != "consent.withdrawn" or event.data.get("purpose") != ConsentPurpose.RETURN:
        return
    with transaction.atomic():
        person = Person.objects.filter(pk=event.data.get("person_id")).first()
        if person is None or active_consent(person, ConsentPurpose.RETURN) is not None:
            return
        today = timezone.localdate()
        journeys = ReturnJourney.objects.select_for_update().filter(
            case__person=person, status__in=sorted(rules.BEFORE_DEPARTURE)
        )
        for journey in journeys:
            old = journey.status
            journey.status = rules.CANCELLED
            journey.end_reason = "consent_withdrawn"
            journey.ended_on = today
            journey.version += 1
            journey.updated_at = timezone.now()
            journey.save()
            JourneyStep.objects.create(
                journey=journey,
                step=rules.CANCEL,
                from_status=old,
                to_status=journey.status,
                happened_on=today,
                details={"reason": "consent_withdrawn"},
                organisation=journey.organisation,
            )
            audit.record(
                "return.cancel",
                obj=journey,
                organisation=journey.organisation,
                actor_label="consent withdrawn",
                changes={"status": (old, journey.status), "reason": (None, "consent_withdrawn")},
                scope=journey.case,
            )
            events.emit(
                "return.cancelled",
                organisation_id=journey.organisation_id,
                record_id=str(journey.case_id),
                data={
                    "journey_id": str(journey.pk),
                    "country": journey.country,
                    "on": today.isoformat(),
                    "reason": "consent_withdrawn",
                },
            )


def register_subscribers() -> None:
    events.subscribe("returns.stop_on_consent_withdrawal", stop_journeys_on_withdrawal)
    events.declare("consent.withdrawn", "A person's consent was withdrawn (purpose, person id).")
    for name, text in (
        ("return.opened", "A return journey was opened on a case."),
        ("return.decided", "The person took an informed decision to return."),
        ("return.departed", "The person departed for the country of return."),
        ("return.arrived", "The person arrived (arrival date, country, reception referral)."),
        ("return.received", "The receiving organisation recorded the reception."),
        ("return.no_show", "The person did not show up for departure."),
        ("return.cancelled", "A return journey was cancelled (reason code)."),
    ):
        events.declare(name, text)
