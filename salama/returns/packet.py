"""The journey's summary carried by the reception referral's packet.

The organisation receiving the person in the country of origin never sees the case or the
journey; it reads this summary in the packet of the reception referral (sent under a referral
consent naming it or the reintegration service). The summary is refreshed while that referral is
open, whenever the journey changes (a new leg, the arrival, a reintegration action, reception),
so the receiver prepares with what the host organisation knows now.
"""

from __future__ import annotations

from typing import Any

from salama.referrals.models import OPEN_STATUSES, Referral
from salama.returns.models import ReturnJourney

PACKET_KEY = "return_journey"


def journey_summary(journey: ReturnJourney) -> dict[str, Any]:
    """Codes, dates and the texts the receiver needs; no case notes, no counselling notes."""
    legs = list(journey.legs.all())
    items = {}
    actions = list(journey.reintegration_actions.select_related("assistance_item"))
    for action in actions:
        if action.assistance_item is not None:
            items[action.pk] = action.assistance_item
    planned_arrival = legs[-1].travel_on.isoformat() if legs else ""
    return {
        "status": journey.status,
        "country": journey.country,
        "fitness": journey.fitness,
        "departed_on": journey.departed_on.isoformat() if journey.departed_on else "",
        "planned_arrival_on": planned_arrival,
        "arrived_on": journey.arrived_on.isoformat() if journey.arrived_on else "",
        "itinerary": [
            {
                "from": leg.from_place,
                "to": leg.to_place,
                "on": leg.travel_on.isoformat(),
                "carrier": leg.carrier,
                "escort": leg.escort,
                "transit_assistance": leg.transit_assistance,
                "medical_needs": leg.medical_needs or "",
            }
            for leg in legs
        ],
        "reintegration_plan": [
            {
                "dimension": a.dimension,
                "level": a.level,
                "kind": a.kind,
                "description": a.description,
                "amount": str(items[a.pk].amount) if a.pk in items else "",
                "currency": items[a.pk].currency if a.pk in items else "",
                "item_status": items[a.pk].status if a.pk in items else "",
            }
            for a in actions
        ],
        "received_on": journey.received_on.isoformat() if journey.received_on else "",
        "reception_place": (journey.reception_place or "") if journey.received_on else "",
    }


def refresh_packet(journey: ReturnJourney) -> None:
    """Write the summary into the open reception referral's packet (inside the caller's
    transaction); a closed referral keeps what it had (the receiver's access has ended)."""
    if journey.reception_referral_id is None:
        return
    referral = Referral.objects.filter(
        pk=journey.reception_referral_id, status__in=tuple(OPEN_STATUSES)
    ).first()
    if referral is None:
        return
    referral.packet = {**(referral.packet or {}), PACKET_KEY: journey_summary(journey)}
    referral.save(update_fields=["packet"])


def summary_of(referral: Referral) -> dict[str, Any] | None:
    """The journey summary a packet carries, or None for any other referral."""
    packet = referral.packet or {}
    summary = packet.get(PACKET_KEY)
    return summary if isinstance(summary, dict) else None
