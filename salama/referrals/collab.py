"""Working on a referral together: readable references, the sender's contact, the message
thread between the two organisations, and the recipient's own record of what it delivered.

Rules (docs/domain.md#referral-collaboration):
- A referral's reference is <sending organisation's prefix>-REF-<year>-<number>, numbered per
  sending organisation and year; the UUID stays its id.
- The thread is read by the two sides' users who may see the referral: the sender while it sees
  the case, the recipient only while the referral is open (as for the packet). Once the
  referral is closed the thread is read-only. A message from the sending side may not carry a
  value of a catalogue field the packet does not carry (the person's name, date of birth, phone
  numbers, document numbers): the thread never widens the packet.
- When a referral closes, the receiving organisation keeps a ServiceDeliveryRecord: service,
  dates, outcome, reference and a pseudonymous client label, nothing from the packet.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from salama.accounts.models import Membership, Organisation
from salama.core import audit
from salama.core.policy import Principal
from salama.people.choices import ConsentPurpose
from salama.people.services import active_consent
from salama.referrals.access import ensure_thread
from salama.referrals.choices import NotificationKind, PacketField
from salama.referrals.models import (
    Referral,
    ReferralCounter,
    ReferralMessage,
    ServiceDeliveryRecord,
)
from salama.referrals.notifications import notify, receivers, supervisors

MAX_MESSAGE = 2000


def next_reference(organisation: Organisation, *, now: dt.datetime | None = None) -> str:
    """The next readable reference of a referral sent by `organisation` (locks its counter)."""
    year = (now or timezone.now()).year
    counter, _created = ReferralCounter.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    ReferralCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{organisation.reference_prefix}-REF-{year}-{counter.last:05d}"


def sender_contact(referral: Referral) -> dict[str, str]:
    """Who the recipient calls about the referral: the referring caseworker, their organisation,
    the phone and email given on the referral (else the caseworker's account email)."""
    user = referral.sent_by
    return {
        "name": user.full_name or user.email,
        "organisation": referral.from_organisation.name,
        "phone": referral.sender_phone,
        "email": referral.sender_email or user.email,
    }


def client_label(referral: Referral) -> str:
    """A pseudonym for the person, stable for one receiving organisation and different for
    another; it cannot be turned back into the person without the server's secret."""
    digest = salted_hmac(
        "salama.referrals.client_label",
        f"{referral.person_id}:{referral.to_organisation_id}",
    ).hexdigest()
    return f"C-{digest[:8].upper()}"


def keep_delivery_record(
    referral: Referral, *, now: dt.datetime, actor_user: Any = None, request: HttpRequest | None
) -> ServiceDeliveryRecord:
    """The receiving organisation's record of a referral that just closed (called by
    move_referral inside its transaction; audited for the receiving organisation)."""
    record, _created = ServiceDeliveryRecord.objects.update_or_create(
        referral=referral,
        defaults={
            "organisation_id": referral.to_organisation_id,
            "reference": referral.reference,
            "client_label": client_label(referral),
            "service_id": referral.service_id,
            "service_type": referral.service_type,
            "from_organisation_name": referral.from_organisation.name,
            "urgency": referral.urgency,
            "outcome": referral.status,
            "received_at": referral.sent_at,
            "accepted_at": referral.accepted_at,
            "delivered_at": referral.delivered_at,
            "closed_at": now,
        },
    )
    audit.record(
        "referral.delivery_record",
        actor=actor_user,
        obj=record,
        organisation=referral.to_organisation_id,
        changes={"outcome": (None, record.outcome), "reference": (None, record.reference)},
        request=request,
    )
    return record


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def packet_leaks(referral: Referral, body: str) -> list[str]:
    """Labels of the catalogue fields outside the packet whose values `body` contains."""
    person = referral.person
    carried = set(referral.packet_fields or [])
    text = body.casefold()
    digits = _digits(body)
    labels = dict(PacketField.choices)
    found = []
    if PacketField.NAME not in carried:
        names = [person.given_name or "", person.family_name or ""]
        names += [n for n in person.all_names() if n]
        if any(len(n.strip()) >= 3 and n.strip().casefold() in text for n in names):
            found.append(PacketField.NAME)
    if PacketField.DATE_OF_BIRTH not in carried and person.date_of_birth:
        dob = person.date_of_birth
        forms = {dob.isoformat(), dob.strftime("%d/%m/%Y"), dob.strftime("%d.%m.%Y")}
        if any(f in body for f in forms):
            found.append(PacketField.DATE_OF_BIRTH)
    if PacketField.PHONE not in carried:
        phones = [_digits(c.value) for c in person.contacts.all()]
        if any(len(p) >= 6 and p in digits for p in phones):
            found.append(PacketField.PHONE)
    if PacketField.DOCUMENTS not in carried:
        numbers = [(d.number or "").strip().casefold() for d in person.documents.all()]
        if any(len(n) >= 4 and n in text for n in numbers):
            found.append(PacketField.DOCUMENTS)
    return [str(labels[k]) for k in found]


def thread_side(actor: Principal, referral: Referral) -> str:
    org = actor.organisation
    if org is not None and referral.to_organisation_id == org.pk:
        return "recipient"
    return "sender"


@transaction.atomic
def post_referral_message(
    *,
    actor: Principal,
    referral: Referral,
    body: str,
    base_url: str = "",
    request: HttpRequest | None = None,
) -> ReferralMessage:
    """Post a message on the referral's thread for the other side to read, and notify them.

    Refused (ValidationError) once the referral is closed, for an external provider (it has no
    users to read it), and for a sender's message carrying a value the packet does not.
    Audited as `referral.message` on both sides, by field name only.
    """
    ensure_thread(actor, referral)
    text = body.strip()
    if not referral.is_open:
        raise ValidationError(
            _("This referral is closed; its messages can be read but no longer added.")
        )
    if referral.service.provider.is_external:
        raise ValidationError(
            _("The provider has no Salama users to read messages; contact them by email.")
        )
    if not text:
        raise ValidationError({"body": _("Write the message.")})
    if len(text) > MAX_MESSAGE:
        raise ValidationError(
            {"body": _("Keep the message under %(n)s characters.") % {"n": MAX_MESSAGE}}
        )
    side = thread_side(actor, referral)
    if side == "sender":
        leaks = packet_leaks(referral, text)
        if leaks:
            raise ValidationError(
                {
                    "body": _(
                        "The message contains %(fields)s, which the referral packet does not "
                        "share with the recipient. Remove it, or send a new referral that shares it."
                    )
                    % {"fields": ", ".join(leaks)}
                }
            )
    org = actor.organisation
    assert org is not None
    message = ReferralMessage(referral=referral, author=actor.user, organisation=org, body=text)
    message.save()
    for org_id in (referral.from_organisation_id, referral.to_organisation_id):
        audit.record(
            "referral.message",
            actor=actor.user,
            obj=referral,
            organisation=org_id,
            fields=["body"],
            changes={"side": (None, side), "message": (None, str(message.pk))},
            request=request,
            scope=referral.case if org_id == referral.from_organisation_id else None,
        )
    if side == "sender":
        users = receivers(referral.to_organisation_id)
        other = referral.to_organisation_id
    else:
        other = referral.from_organisation_id
        active = Membership.objects.filter(
            organisation_id=other, user=referral.sent_by, is_active=True
        ).exists()
        users = [referral.sent_by] if active else supervisors(other)
    notify(
        users,
        other,
        NotificationKind.REFERRAL_MESSAGE,
        _("New message on referral %(ref)s from %(org)s.")
        % {"ref": referral.reference, "org": org.name},
        referral=referral,
        base_url=base_url,
    )
    return message


def referral_consent(case: Any, service: Any) -> Any:
    """The active referral consent that covers sending the case's person to `service`, or None
    (the first step of the referral form; send_referral checks it again)."""
    return active_consent(
        case.person,
        ConsentPurpose.REFERRAL,
        recipient=service.provider.organisation,
        service_type=service.service_type,
    )
