"""Referral and transfer packets: what is shared with the other side, and under which consent.

Rule: a packet holds only catalogue fields (salama.referrals.rules.PACKET_KEYS) that the sender
chose, read once from the live records at sending; nothing else about the person leaves. A
referral or transfer without a matching referral consent is refused with a message that says
which consent to record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from salama.accounts.models import Organisation
from salama.cases.models import Case
from salama.core.taxonomy import ServiceType
from salama.people.choices import ContactKind
from salama.people.models import Person
from salama.referrals import rules
from salama.referrals.choices import PacketField


def _screening_outcome(case: Case) -> str:
    screening = (
        case.screenings.exclude(outcome="").filter(status="final").order_by("-created_at").first()
    )
    return screening.outcome if screening is not None else ""


def build_packet(case: Case, keys: Iterable[str], *, needs_note: str = "") -> dict[str, Any]:
    """A snapshot of the chosen catalogue entries, read from the live records once, at sending."""
    person: Person = case.person
    packet: dict[str, Any] = {}
    for key in keys:
        if key == PacketField.NAME:
            packet[key] = person.full_name
        elif key == PacketField.DATE_OF_BIRTH:
            packet[key] = person.date_of_birth.isoformat() if person.date_of_birth else ""
        elif key == PacketField.SEX:
            packet[key] = person.sex
        elif key == PacketField.AGE_BAND:
            packet[key] = person.age_band
        elif key == PacketField.NATIONALITIES:
            packet[key] = list(person.nationalities or [])
        elif key == PacketField.LANGUAGES:
            packet[key] = list(person.languages or [])
        elif key == PacketField.PHONE:
            packet[key] = [c.value for c in person.contacts.filter(kind=ContactKind.PHONE)]
        elif key == PacketField.DOCUMENTS:
            packet[key] = [
                {
                    "type": d.doc_type,
                    "number": d.number,
                    "issuing_country": d.issuing_country,
                    "expiry": d.expiry.isoformat() if d.expiry else "",
                }
                for d in person.documents.all()
            ]
        elif key == PacketField.CASE_SUMMARY:
            packet[key] = case.summary
        elif key == PacketField.NEEDS_NOTE:
            packet[key] = needs_note.strip()
        elif key == PacketField.TRAFFICKING_STATUS:
            packet[key] = person.trafficking_status
        elif key == PacketField.SCREENING_OUTCOME:
            packet[key] = _screening_outcome(case)
    return packet


def clean_packet_fields(packet_fields: Iterable[str], needs_note: str) -> list[str]:
    try:
        keys = rules.clean_packet(packet_fields)
    except ValueError as exc:
        raise ValidationError(
            {"packet_fields": _("These fields cannot be shared: %(keys)s.") % {"keys": str(exc)}}
        ) from None
    if not keys:
        raise ValidationError({"packet_fields": _("Choose at least one field for the packet.")})
    if PacketField.NEEDS_NOTE in keys and not needs_note.strip():
        raise ValidationError(
            {"needs_note": _("Write the needs note for the recipient, or leave it out.")}
        )
    return keys


def packet_rows(packet: dict[str, Any]) -> list[tuple[str, str]]:
    """The packet as (label, text) rows in catalogue order, for pages and documents."""
    from salama.people.choices import DocumentType, Sex, TraffickingStatus
    from salama.screening.choices import Outcome

    labels = dict(PacketField.choices)
    rows = []
    for key in rules.PACKET_KEYS:
        if key not in packet:
            continue
        value = packet[key]
        if key == PacketField.SEX:
            text = str(dict(Sex.choices).get(value, value))
        elif key == PacketField.TRAFFICKING_STATUS:
            text = str(dict(TraffickingStatus.choices).get(value, value)) or _("Not assessed")
        elif key == PacketField.SCREENING_OUTCOME:
            text = str(dict(Outcome.choices).get(value, value)) or _("No final screening")
        elif key == PacketField.DOCUMENTS:
            docs = dict(DocumentType.choices)
            text = "; ".join(
                " ".join(
                    p
                    for p in (
                        str(docs.get(d["type"], d["type"])),
                        d["number"],
                        d["issuing_country"],
                        _("expires %(d)s") % {"d": d["expiry"]} if d["expiry"] else "",
                    )
                    if p
                )
                for d in value
            )
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        rows.append((str(labels.get(key, key)), text or "—"))
    return rows


def consent_message(org: Organisation, service_type: str, can_override: bool) -> str:
    message = _(
        "The person has not consented to a referral to %(org)s for %(type)s. Record a referral "
        "consent naming %(org)s (or this type of service) first; withdrawn or expired consent "
        "does not count."
    ) % {
        "org": org.name,
        "type": ServiceType(service_type).label if service_type else _("transfer"),
    }
    if can_override:
        message += " " + _(
            "In an emergency you may override this with a written reason; the override is audited."
        )
    return message
