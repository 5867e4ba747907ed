"""The domain events a referral announces (salama.core.events), to both organisations it joins.

Each party's subscribers (an integration's webhooks) hear of it under its own organisation, so
``emit`` is called once for the sender and once for the recipient. The data holds codes and ids
only: the packet, reasons and notes stay behind the policy.
"""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _

from salama.core import events
from salama.referrals.models import Referral

# The action of the state machine → the event it announces (past tense).
PAST = {
    "send": "sent",
    "acknowledge": "acknowledged",
    "accept": "accepted",
    "decline": "declined",
    "deliver": "delivered",
    "complete": "completed",
    "withdraw": "withdrawn",
}

DESCRIPTIONS = {
    "referral.sent": _("A referral was sent to a service"),
    "referral.acknowledged": _("The recipient acknowledged a referral"),
    "referral.accepted": _("The recipient accepted a referral"),
    "referral.declined": _("The recipient declined a referral"),
    "referral.delivered": _("The recipient recorded the service as delivered"),
    "referral.completed": _("A referral was completed"),
    "referral.withdrawn": _("The sender withdrew a referral"),
}


def declare_events() -> None:
    for name, description in DESCRIPTIONS.items():
        events.declare(name, cast(str, description))  # lazy: translated where it is shown


def emit_referral_event(referral: Referral, *, action: str) -> None:
    """Announce `action` on `referral` to the sending and the receiving organisation."""
    name = f"referral.{PAST[action]}"
    data = {
        "status": str(referral.status),
        "urgency": str(referral.urgency),
        "service": str(referral.service.uuid),
        "from_organisation": str(referral.from_organisation.uuid),
        "to_organisation": str(referral.to_organisation.uuid),
    }
    for org_id in dict.fromkeys([referral.from_organisation_id, referral.to_organisation_id]):
        events.emit(name, organisation_id=org_id, record_id=str(referral.pk), data=data)
