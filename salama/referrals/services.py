"""Every write to the referral network: directory, referrals, SLA alerts, transfers, downloads.

Sources: docs/domain.md#referral-mechanism (a referral needs consent scoped to its recipient and
purpose; the recipient sees only the packet; its access ends on completion, decline or
withdrawal; transfers need the receiving organisation's acceptance) and
docs/domain.md#data-protection (transfer to third parties only with consent, for a stated purpose
and with safeguards). The state machine, SLA and minimum packets are data, read
by salama.referrals.rules.

Each function runs in one transaction, checks the policy and writes audit entries on both sides
(the sender's, scoped to the case so it shows on the case timeline, and the recipient's).
Identifying values (packet, notes, reasons) are encrypted under the person's key and audited by
field name only. Email leaves after commit and never carries personal data, except the link of
an external download, which is the only way to read that packet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.accounts.models import Membership, Organisation, User
from salama.cases.access import ensure_case, visible_cases
from salama.cases.models import Case
from salama.core import audit
from salama.core.errors import ConflictError, ConsentMissing
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm, Role
from salama.core.taxonomy import ServiceType
from salama.people.choices import ConsentPurpose, ContactKind
from salama.people.models import Consent, Person
from salama.people.services import active_consent
from salama.referrals import rules
from salama.referrals.access import ensure_managed_provider, ensure_transfer_in
from salama.referrals.choices import (
    NotificationKind,
    PacketField,
    ReferralAction,
    ReferralStatus,
    TransferStatus,
)
from salama.referrals.models import (
    OPEN_STATUSES,
    CaseTransfer,
    ExternalDownload,
    Notification,
    Provider,
    Referral,
    ReferralOverdueAlert,
    Service,
)

DOWNLOAD_DAYS = 7
DOWNLOAD_ATTEMPTS_PER_HOUR = 5
MIN_OVERRIDE_REASON = 20


def _table() -> rules.StateTable:
    return rules.load_state_table()


def _base_url(base_url: str) -> str:
    return (base_url or getattr(settings, "SALAMA_BASE_URL", "") or "http://localhost:8000").rstrip(
        "/"
    )


# Directory --------------------------------------------------------------------------------------

SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "country",
    "area",
    "languages",
    "min_age",
    "max_age",
    "sexes",
    "case_types",
    "capacity",
    "available",
    "opening_hours",
    "contact_phone",
    "contact_email",
    "acknowledge_days",
    "accept_days",
    "is_active",
)


@transaction.atomic
def ensure_provider(organisation: Organisation) -> Provider:
    """The directory entry of an organisation with Salama users (created on first use)."""
    provider, _created = Provider.objects.get_or_create(
        organisation=organisation, defaults={"managed_by": organisation}
    )
    return provider


@transaction.atomic
def add_external_provider(
    *,
    actor: Principal,
    name: str,
    country: str,
    contact_email: str,
    org_type: str = "Other",
    request: HttpRequest | None = None,
) -> Provider:
    """Add an organisation without Salama users; referrals reach it by encrypted download."""
    if actor.organisation is None or not (
        has_perm(actor, Perm.ORG_MANAGE_SETTINGS) or has_perm(actor, Perm.SYSTEM_MANAGE)
    ):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the organisation's name.")})
    if not contact_email.strip():
        raise ValidationError(
            {"contact_email": _("An external provider needs an email address for referrals.")}
        )
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    org = Organisation(
        name=name, org_type=org_type, country=country.upper(), reference_prefix="EXT"
    )
    org.full_clean(exclude=["reference_prefix"])
    org.save()
    provider = Provider.objects.create(
        organisation=org,
        is_external=True,
        contact_email=contact_email.strip().lower(),
        managed_by=actor.organisation,
    )
    audit.record(
        "directory.provider_add",
        actor=actor.user,
        obj=provider,
        organisation=actor.organisation,
        changes={"name": (None, name), "country": (None, org.country), "external": (None, True)},
        request=request,
    )
    return provider


def _clean_service(data: dict[str, Any]) -> dict[str, Any]:
    from salama.people.services import _languages

    if "service_type" in data and data["service_type"] not in ServiceType.values:
        raise ValidationError({"service_type": _("Choose a service type from the list.")})
    if "name" in data and not str(data["name"]).strip():
        raise ValidationError({"name": _("Give the service a name.")})
    if "languages" in data:
        data["languages"] = _languages(data["languages"] or [])
    if "country" in data:
        data["country"] = str(data["country"]).upper()
    min_age, max_age = data.get("min_age"), data.get("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValidationError({"max_age": _("The maximum age is below the minimum age.")})
    capacity, available = data.get("capacity"), data.get("available")
    if capacity is not None and available is not None and available > capacity:
        raise ValidationError({"available": _("More places are available than the capacity.")})
    return data


@transaction.atomic
def save_service(
    *,
    actor: Principal,
    provider: Provider,
    service: Service | None = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Service:
    """Create or change a service of a provider the actor manages; stale versions are refused."""
    ensure_managed_provider(actor, provider)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean_service(dict(fields))
    creating = service is None
    if service is None:
        data.setdefault("country", provider.organisation.country)
        service = Service(provider=provider, **data)
        service.full_clean()
        service.save()
        before: dict[str, Any] = {}
    else:
        if service.provider_id != provider.pk:
            raise PermissionDenied
        before = {f: getattr(service, f) for f in data}
        expected = service.version if expected_version is None else expected_version
        updated = Service.objects.filter(pk=service.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise ConflictError(
                _("Someone else changed this service. Reload the page and make your change again.")
            )
        service.version = expected + 1
        for name, value in data.items():
            setattr(service, name, value)
        service.full_clean()
        service.save(update_fields=[*data.keys()])
    audit.record(
        "directory.service_add" if creating else "directory.service_change",
        actor=actor.user,
        obj=service,
        organisation=actor.organisation,
        changes={"name": (None, service.name)} if creating else audit.diff(service, before),
        request=request,
    )
    return service


def find_services(
    services: QuerySet[Service],
    *,
    service_type: str = "",
    country: str = "",
    area: str = "",
    language: str = "",
    include_inactive: bool = False,
) -> list[Service]:
    """Directory search by need, place and language (language matched in Python: JSON lists)."""
    qs = services if include_inactive else services.filter(is_active=True)
    if service_type:
        qs = qs.filter(service_type=service_type)
    if country:
        qs = qs.filter(country=country.upper())
    if area:
        qs = qs.filter(area__icontains=area.strip())
    found = list(qs.order_by("country", "area", "name")[:500])
    if language:
        code = language.strip().lower()
        found = [s for s in found if not s.languages or code in s.languages]
    return found


def eligibility_problems(service: Service, case: Case) -> list[str]:
    person = case.person
    return rules.eligibility_problems(
        age=person.age_on(timezone.localdate()) if not person.is_erased else None,
        sex=person.sex,
        case_type=case.case_type,
        min_age=service.min_age,
        max_age=service.max_age,
        sexes=service.sexes or [],
        case_types=service.case_types or [],
    )


# Packets ----------------------------------------------------------------------------------------


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


def _clean_packet_fields(packet_fields: Iterable[str], needs_note: str) -> list[str]:
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


# Notifications ----------------------------------------------------------------------------------


def _members(org_id: int, roles: Iterable[str]) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=org_id, role__in=list(roles), is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _receivers(org_id: int) -> list[User]:
    return _members(org_id, (Role.SERVICE_PROVIDER,)) or _members(org_id, (Role.SUPERVISOR,))


def _supervisors(org_id: int) -> list[User]:
    return _members(org_id, (Role.SUPERVISOR,))


def _notify(
    users: Iterable[User],
    organisation_id: int,
    kind: str,
    message: str,
    *,
    referral: Referral | None = None,
    transfer: CaseTransfer | None = None,
    base_url: str = "",
) -> list[Notification]:
    """In-app notifications plus one email each after commit; `message` holds no personal data."""
    rows = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification.objects.create(
                user=user,
                organisation_id=organisation_id,
                kind=kind,
                referral=referral,
                transfer=transfer,
                message=message[:300],
            )
        )
    link = f"{_base_url(base_url)}{reverse('referrals:notifications')}"
    recipients = [n.user.email for n in rows]
    subject = f"Salama: {NotificationKind(kind).label}"
    body = _("%(message)s\n\nOpen Salama to see it: %(link)s") % {"message": message, "link": link}

    def _send() -> None:
        for address in recipients:
            send_mail(subject, body, None, [address], fail_silently=True)

    if recipients:
        transaction.on_commit(_send)
    return rows


def _describe(referral: Referral) -> str:
    return _("Referral %(id)s to %(service)s (%(type)s)") % {
        "id": referral.short_id,
        "service": referral.service.name,
        "type": ServiceType(referral.service_type).label,
    }


# Sending ----------------------------------------------------------------------------------------


def _consent_message(org: Organisation, service_type: str, can_override: bool) -> str:
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


@transaction.atomic
def send_referral(
    *,
    actor: Principal,
    case: Case,
    service: Service,
    packet_fields: Iterable[str],
    purpose_note: str,
    emergency_override_reason: str = "",
    needs_note: str = "",
    base_url: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the case's person to a service, sharing only the chosen packet.

    Refused with ConsentMissing unless a referral consent for the service's organisation and
    type is active; an emergency override needs referral.emergency_override and a written reason
    (audited as `referral.override`). Audited as `referral.send` (sender) and `referral.receive`.
    """
    ensure_case(actor, case, Perm.REFERRAL_SEND)
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it before referring."))
    person: Person = case.person
    if person.is_erased:
        raise ValidationError(_("This person was erased; nothing can be shared."))
    if not service.is_active:
        raise ValidationError(_("This service is not taking referrals at the moment."))
    if not purpose_note.strip():
        raise ValidationError({"purpose_note": _("Say what you ask the provider to do.")})
    keys = _clean_packet_fields(packet_fields, needs_note)
    provider = service.provider
    to_org = provider.organisation
    consent: Consent | None = active_consent(
        person, ConsentPurpose.REFERRAL, recipient=to_org, service_type=service.service_type
    )
    override_reason = emergency_override_reason.strip()
    can_override = has_perm(actor, Perm.REFERRAL_EMERGENCY_OVERRIDE)
    if consent is None:
        if not override_reason:
            raise ConsentMissing(_consent_message(to_org, service.service_type, can_override))
        if not can_override:
            raise PermissionDenied
        if len(override_reason) < MIN_OVERRIDE_REASON:
            raise ValidationError(
                {
                    "emergency_override_reason": _(
                        "Explain the emergency in at least %(n)s characters."
                    )
                    % {"n": MIN_OVERRIDE_REASON}
                }
            )
    elif override_reason:
        override_reason = ""  # consent exists: no override is recorded
    table = _table()
    days = rules.sla_days(
        service.service_type,
        {"acknowledge_days": service.acknowledge_days, "accept_days": service.accept_days},
    )
    now = timezone.now()
    from_org = actor.organisation
    assert from_org is not None
    referral = Referral(
        case=case,
        person=person,
        service=service,
        from_organisation=from_org,
        to_organisation=to_org,
        sent_by=actor.user,
        consent=consent,
        status=table.initial,
        state_table_version=table.version,
        is_cross_border=from_org.country != to_org.country,
        service_type=service.service_type,
        packet_fields=keys,
        purpose_note=purpose_note.strip(),
        emergency_override=consent is None,
        override_reason=override_reason,
        sla_acknowledge_days=days["acknowledge_days"],
        sla_accept_days=days["accept_days"],
        sent_at=now,
        due_at=rules.due_at(table, table.initial, now, days),
    )
    referral.packet = build_packet(case, keys, needs_note=needs_note)
    referral.save()
    changes = {
        "status": (None, referral.status),
        "service": (None, str(service.uuid)),
        "to_organisation": (None, str(to_org.uuid)),
        "packet_fields": (None, keys),
        "cross_border": (None, referral.is_cross_border),
        "consent": (None, str(consent.pk) if consent else None),
    }
    audit.record(
        "referral.send",
        actor=actor.user,
        obj=referral,
        organisation=from_org,
        fields=["packet", "purpose_note"],
        changes=changes,
        request=request,
        scope=case,
    )
    audit.record(
        "referral.receive",
        actor=actor.user,
        obj=referral,
        organisation=to_org,
        changes={"status": (None, referral.status), "service": (None, str(service.uuid))},
        request=request,
    )
    if referral.emergency_override:
        audit.record(
            "referral.override",
            actor=actor.user,
            obj=referral,
            organisation=from_org,
            fields=["override_reason"],
            changes={"purpose": (None, ConsentPurpose.REFERRAL)},
            request=request,
            scope=case,
        )
    if provider.is_external:
        _create_external_download(referral, base_url=base_url, now=now)
    else:
        _notify(
            _receivers(to_org.pk),
            to_org.pk,
            NotificationKind.REFERRAL_RECEIVED,
            _("New referral: %(what)s.") % {"what": _describe(referral)},
            referral=referral,
            base_url=base_url,
        )
    return referral


# Moving through the states ----------------------------------------------------------------------


def _move_message(exc: rules.MoveRefused) -> str:
    status = {s.value: str(s.label) for s in ReferralStatus}
    action = {a.value: str(a.label) for a in ReferralAction}
    if exc.code == "final":
        return _("This referral is %(status)s; nothing more can happen to it.") % {
            "status": status.get(exc.params["status"], exc.params["status"]).lower()
        }
    if exc.code == "not_allowed":
        allowed = ", ".join(action.get(a, a) for a in exc.params.get("allowed", [])) or _("none")
        return _(
            "A referral that is “%(status)s” cannot be “%(action)s”. Possible now: %(allowed)s."
        ) % {
            "status": status.get(exc.params["status"], exc.params["status"]),
            "action": action.get(exc.params["action"], exc.params["action"]),
            "allowed": allowed,
        }
    return _("That action is not known.")


def side_of(actor: Principal, referral: Referral) -> str | None:
    """ "recipient", "sender" or None: which side of the referral the actor acts for."""
    org = actor.organisation
    if org is None:
        return None
    if referral.to_organisation_id == org.pk and has_perm(actor, Perm.REFERRAL_RECEIVE):
        return "recipient"
    if (
        referral.from_organisation_id == org.pk
        and has_perm(actor, Perm.REFERRAL_SEND)
        and visible_cases(actor).filter(pk=referral.case_id).exists()
    ):
        return "sender"
    return None


def actions_for(actor: Principal, referral: Referral) -> list[str]:
    side = side_of(actor, referral)
    if side is None:
        return []
    actions = rules.allowed_actions(_table(), referral.status, side)
    if side == "sender" and referral.service.provider.is_external:
        # The sender records what an external provider (without Salama users) tells them.
        actions = rules.allowed_actions(_table(), referral.status)
    return actions


@transaction.atomic
def move_referral(
    *,
    actor: Principal,
    referral: Referral,
    action: str,
    expected_version: int | None,
    reason: str = "",
    delivery_note: str = "",
    delivered_on: dt.date | None = None,
    base_url: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Apply one action of the state machine. The recipient acknowledges, accepts, declines
    (with a reason) and records delivery; either side completes; the sender withdraws (with a
    reason). Final states end the recipient's access. Audited as `referral.<action>`."""
    # Which side the actor works for is checked first: someone on neither side learns nothing
    # about the referral's state from the answer.
    side = side_of(actor, referral)
    if side is None:
        raise PermissionDenied
    table = _table()
    try:
        target, rule = rules.check_move(table, referral.status, action)
    except rules.MoveRefused as exc:
        raise ValidationError(_move_message(exc), code=exc.code) from None
    if action not in actions_for(actor, referral):
        raise PermissionDenied
    reason = reason.strip()
    if rule.get("needs") == "reason" and not reason:
        raise ValidationError({"reason": _("Give the reason; the other side will read it.")})
    if rule.get("needs") == "delivery":
        if not delivery_note.strip():
            raise ValidationError({"delivery_note": _("Say what was delivered.")})
        if delivered_on is None:
            raise ValidationError({"delivered_on": _("Say when it was delivered.")})
        if delivered_on > timezone.localdate():
            raise ValidationError({"delivered_on": _("The delivery date is in the future.")})
    expected = referral.version if expected_version is None else expected_version
    now = timezone.now()
    updated = Referral.objects.filter(pk=referral.pk, version=expected, status=referral.status)
    if not updated.update(version=F("version") + 1, updated_at=now):
        raise ConflictError(
            _("Someone else changed this referral. Reload the page to see it, then try again.")
        )
    old = referral.status
    referral.version = expected + 1
    referral.status = target
    days = {
        "acknowledge_days": referral.sla_acknowledge_days,
        "accept_days": referral.sla_accept_days,
    }
    referral.due_at = rules.due_at(table, target, referral.sent_at, days)
    fields = ["status", "due_at"]
    stamp = {
        ReferralStatus.ACKNOWLEDGED: "acknowledged_at",
        ReferralStatus.ACCEPTED: "accepted_at",
        ReferralStatus.DECLINED: "declined_at",
        ReferralStatus.DELIVERED: "delivered_at",
        ReferralStatus.COMPLETED: "completed_at",
        ReferralStatus.WITHDRAWN: "withdrawn_at",
    }[ReferralStatus(target)]
    setattr(referral, stamp, now)
    fields.append(stamp)
    identifying: list[str] = []
    if action == ReferralAction.DECLINE:
        referral.decline_reason = reason
        fields.append("decline_reason")
        identifying.append("decline_reason")
    elif action == ReferralAction.WITHDRAW:
        referral.withdraw_reason = reason
        fields.append("withdraw_reason")
        identifying.append("withdraw_reason")
    elif action == ReferralAction.DELIVER:
        referral.delivery_note = delivery_note.strip()
        referral.delivered_on = delivered_on
        fields += ["delivery_note", "delivered_on"]
        identifying += ["delivery_note", "delivered_on"]
    if action in (ReferralAction.ACCEPT, ReferralAction.ACKNOWLEDGE) and side == "recipient":
        referral.handled_by = actor.user
        fields.append("handled_by")
    referral.save(update_fields=fields)
    if target in table.final:
        _wipe_download(referral, now)
    changes = {"status": (old, target), "side": (None, side)}
    audit.record(
        f"referral.{action}",
        actor=actor.user,
        obj=referral,
        organisation=actor.organisation,
        fields=identifying,
        changes=changes,
        request=request,
        scope=referral.case,
    )
    other_org = (
        referral.from_organisation_id if side == "recipient" else referral.to_organisation_id
    )
    audit.record(
        f"referral.{action}",
        actor=actor.user,
        obj=referral,
        organisation=other_org,
        changes=changes,
        request=request,
    )
    message = _("%(what)s is now %(status)s.") % {
        "what": _describe(referral),
        "status": str(ReferralStatus(target).label).lower(),
    }
    if side == "recipient":
        users = [referral.sent_by, *_supervisors(referral.from_organisation_id)]
        org_id = referral.from_organisation_id
    else:
        users = [] if referral.service.provider.is_external else _receivers(other_org)
        org_id = other_org
    members = {m.user_id for m in Membership.objects.filter(organisation_id=org_id, is_active=True)}
    _notify(
        [u for u in users if u.pk in members],
        org_id,
        NotificationKind.REFERRAL_UPDATED,
        message,
        referral=referral,
        base_url=base_url,
    )
    return referral


def acknowledge_referral(*, actor: Principal, referral: Referral, **kw: Any) -> Referral:
    return move_referral(actor=actor, referral=referral, action=ReferralAction.ACKNOWLEDGE, **kw)


def accept_referral(*, actor: Principal, referral: Referral, **kw: Any) -> Referral:
    return move_referral(actor=actor, referral=referral, action=ReferralAction.ACCEPT, **kw)


def decline_referral(*, actor: Principal, referral: Referral, reason: str, **kw: Any) -> Referral:
    return move_referral(
        actor=actor, referral=referral, action=ReferralAction.DECLINE, reason=reason, **kw
    )


def record_delivery(
    *,
    actor: Principal,
    referral: Referral,
    delivery_note: str,
    delivered_on: dt.date,
    **kw: Any,
) -> Referral:
    return move_referral(
        actor=actor,
        referral=referral,
        action=ReferralAction.DELIVER,
        delivery_note=delivery_note,
        delivered_on=delivered_on,
        **kw,
    )


def complete_referral(*, actor: Principal, referral: Referral, **kw: Any) -> Referral:
    return move_referral(actor=actor, referral=referral, action=ReferralAction.COMPLETE, **kw)


def withdraw_referral(*, actor: Principal, referral: Referral, reason: str, **kw: Any) -> Referral:
    return move_referral(
        actor=actor, referral=referral, action=ReferralAction.WITHDRAW, reason=reason, **kw
    )


# SLA alerts -------------------------------------------------------------------------------------


def find_overdue_referrals(now: dt.datetime | None = None) -> QuerySet[Referral]:
    """Open referrals whose current stage passed its deadline and was not yet alerted."""
    from django.db.models import Exists, OuterRef

    moment = now or timezone.now()
    alerted = ReferralOverdueAlert.objects.filter(referral=OuterRef("pk"), stage=OuterRef("status"))
    return (
        Referral.objects.filter(status__in=OPEN_STATUSES, due_at__lt=moment)
        .exclude(Exists(alerted))
        .select_related("service", "from_organisation", "to_organisation")
        .defer("packet", "purpose_note")
    )


def notify_overdue_referrals(now: dt.datetime | None = None, *, base_url: str = "") -> int:
    """Alert both sides' supervisors once per overdue stage (in-app and by email)."""
    count = 0
    for referral in find_overdue_referrals(now):
        try:
            with transaction.atomic():
                ReferralOverdueAlert.objects.create(
                    referral=referral, stage=referral.status, due_at=referral.due_at
                )
                waiting = (
                    _("acknowledgement")
                    if referral.status == ReferralStatus.SENT
                    else _("a decision (accept or decline)")
                )
                message = _("%(what)s is overdue: %(waiting)s was due on %(due)s.") % {
                    "what": _describe(referral),
                    "waiting": waiting,
                    "due": timezone.localtime(referral.due_at).strftime("%Y-%m-%d %H:%M"),
                }
                _notify(
                    _supervisors(referral.from_organisation_id),
                    referral.from_organisation_id,
                    NotificationKind.REFERRAL_OVERDUE,
                    message,
                    referral=referral,
                    base_url=base_url,
                )
                receiving = _supervisors(referral.to_organisation_id) or _receivers(
                    referral.to_organisation_id
                )
                _notify(
                    receiving,
                    referral.to_organisation_id,
                    NotificationKind.REFERRAL_OVERDUE,
                    message,
                    referral=referral,
                    base_url=base_url,
                )
                audit.record(
                    "referral.overdue",
                    actor_label="sla",
                    obj=referral,
                    organisation=referral.from_organisation,
                    changes={"stage": (None, referral.status)},
                )
        except IntegrityError:
            continue  # another run alerted this stage first
        count += 1
    return count


# Notifications (read state) ---------------------------------------------------------------------


def mark_notifications_read(
    notifications: QuerySet[Notification], now: dt.datetime | None = None
) -> int:
    return notifications.filter(read_at__isnull=True).update(read_at=now or timezone.now())


# External downloads -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"salama-referral-download\x00{token}".encode()).hexdigest()


def _download_key(token: str, salt: bytes, referral_id: Any) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=salt,
        info=f"salama/referral-download/{referral_id}".encode(),
    ).derive(token.encode())


def render_external_packet(referral: Referral) -> str:
    return render_to_string(
        "referrals/external_packet.html",
        {"referral": referral, "rows": packet_rows(referral.packet)},
    )


def _create_external_download(
    referral: Referral, *, base_url: str, now: dt.datetime
) -> ExternalDownload:
    token = secrets.token_urlsafe(32)
    salt = os.urandom(16)
    nonce = os.urandom(12)
    document = render_external_packet(referral).encode("utf-8")
    sealed = AESGCM(_download_key(token, salt, referral.pk)).encrypt(
        nonce, document, str(referral.pk).encode()
    )
    download = ExternalDownload.objects.create(
        referral=referral,
        token_hash=_token_hash(token),
        salt=salt,
        ciphertext=nonce + sealed,
        expires_at=now + dt.timedelta(days=DOWNLOAD_DAYS),
    )
    link = f"{_base_url(base_url)}{reverse('referrals:external-download', args=[token])}"
    address = referral.service.provider.contact_email
    subject = _("A referral from %(org)s") % {"org": referral.from_organisation.name}
    body = _(
        "%(org)s refers a person to your service “%(service)s”.\n\n"
        "Open the referral here (the link works once and until %(expires)s):\n%(link)s\n\n"
        "The link is the only key to the referral. Do not forward this email."
    ) % {
        "org": referral.from_organisation.name,
        "service": referral.service.name,
        "expires": timezone.localtime(download.expires_at).strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
    return download


def _wipe_download(referral: Referral, now: dt.datetime) -> None:
    ExternalDownload.objects.filter(referral=referral, wiped_at__isnull=True).update(
        ciphertext=None, wiped_at=now
    )


class DownloadUnavailable(Exception):
    """The link cannot be used: unknown, expired, used up, closed or tried too often."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class DownloadInfo:
    download: ExternalDownload
    referral: Referral


def check_download(token: str, now: dt.datetime | None = None) -> DownloadInfo:
    """The download a token opens, if it can still be used (no decryption here)."""
    moment = now or timezone.now()
    download = (
        ExternalDownload.objects.select_related("referral__from_organisation", "referral__service")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if download is None:
        raise DownloadUnavailable("unknown")
    if download.wiped_at is not None or download.ciphertext is None:
        raise DownloadUnavailable("used")
    if download.expires_at <= moment:
        raise DownloadUnavailable("expired")
    if download.referral.status not in OPEN_STATUSES:
        raise DownloadUnavailable("closed")
    return DownloadInfo(download=download, referral=download.referral)


@transaction.atomic
def open_external_download(
    token: str, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> str:
    """Decrypt the packet document for the holder of the token; single use, audited."""
    attempts_key = f"referrals:download:{_token_hash(token)}"
    attempts = cache.get_or_set(attempts_key, 0, timeout=3600)
    if attempts >= DOWNLOAD_ATTEMPTS_PER_HOUR:
        raise DownloadUnavailable("rate_limited")
    cache.incr(attempts_key)
    info = check_download(token, now)
    moment = now or timezone.now()
    download = ExternalDownload.objects.select_for_update().get(pk=info.download.pk)
    if download.ciphertext is None:
        raise DownloadUnavailable("used")
    blob = bytes(download.ciphertext)
    try:
        document = AESGCM(_download_key(token, bytes(download.salt), download.referral_id)).decrypt(
            blob[:12], blob[12:], str(download.referral_id).encode()
        )
    except InvalidTag:
        raise DownloadUnavailable("unknown") from None
    download.downloads += 1
    download.last_downloaded_at = moment
    fields = ["downloads", "last_downloaded_at"]
    if download.downloads >= download.max_downloads:
        download.ciphertext = None
        download.wiped_at = moment
        fields += ["ciphertext", "wiped_at"]
    download.save(update_fields=fields)
    referral = info.referral
    for org in (referral.to_organisation_id, referral.from_organisation_id):
        audit.record(
            "referral.external_download",
            actor_label="external recipient",
            obj=referral,
            organisation=org,
            changes={"downloads": (download.downloads - 1, download.downloads)},
            request=request,
            scope=referral.case if org == referral.from_organisation_id else None,
        )
    return document.decode("utf-8")


# Transfers --------------------------------------------------------------------------------------


@transaction.atomic
def request_transfer(
    *,
    actor: Principal,
    case: Case,
    to_org: Organisation,
    packet_fields: Iterable[str],
    reason: str,
    needs_note: str = "",
    base_url: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """Ask another organisation to take the case on. Needs a referral consent naming that
    organisation; nothing moves until it accepts. Audited on both sides."""
    ensure_case(actor, case, Perm.CASE_TRANSFER)
    from_org = actor.organisation
    assert from_org is not None
    if to_org.pk == from_org.pk:
        raise ValidationError({"to_org": _("Choose another organisation.")})
    if not to_org.is_active or not _supervisors(to_org.pk):
        raise ValidationError(
            {"to_org": _("%(org)s has no supervisor in Salama who could accept.") % {"org": to_org}}
        )
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it before transferring."))
    if case.person.is_erased:
        raise ValidationError(_("This person was erased; nothing can be shared."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case should move.")})
    if CaseTransfer.objects.filter(case=case, status=TransferStatus.PENDING).exists():
        raise ValidationError(_("A transfer of this case is already waiting for a decision."))
    keys = _clean_packet_fields(packet_fields, needs_note)
    consent = active_consent(case.person, ConsentPurpose.REFERRAL, recipient=to_org)
    if consent is None or consent.recipient_id != to_org.pk:
        raise ConsentMissing(_consent_message(to_org, "", False))
    transfer = CaseTransfer(
        case=case,
        person=case.person,
        from_organisation=from_org,
        to_organisation=to_org,
        requested_by=actor.user,
        consent=consent,
        is_cross_border=from_org.country != to_org.country,
        packet_fields=keys,
        reason=reason.strip(),
        old_reference=case.reference,
    )
    transfer.packet = build_packet(case, keys, needs_note=needs_note)
    transfer.save()
    changes = {
        "status": (None, TransferStatus.PENDING),
        "to_organisation": (None, str(to_org.uuid)),
        "packet_fields": (None, keys),
    }
    audit.record(
        "case.transfer_request",
        actor=actor.user,
        obj=transfer,
        organisation=from_org,
        fields=["packet", "reason"],
        changes=changes,
        request=request,
        scope=case,
    )
    audit.record(
        "case.transfer_incoming",
        actor=actor.user,
        obj=transfer,
        organisation=to_org,
        changes=changes,
        request=request,
    )
    _notify(
        _supervisors(to_org.pk),
        to_org.pk,
        NotificationKind.TRANSFER_REQUESTED,
        _("%(org)s asks you to take on a case (transfer %(id)s).")
        % {"org": from_org.name, "id": transfer.short_id},
        transfer=transfer,
        base_url=base_url,
    )
    return transfer


def _pending_for_receiver(actor: Principal, transfer: CaseTransfer) -> None:
    ensure_transfer_in(actor, transfer)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("This transfer was already decided."))


@transaction.atomic
def accept_transfer(
    *,
    actor: Principal,
    transfer: CaseTransfer,
    assign_to: User,
    base_url: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """Take the case on: it moves to the accepting organisation with a new reference, assigned
    to `assign_to`, supervised by the actor. The sender then sees only what its role allows
    (nothing of this case). Open referrals of the case move with it. Audited on both sides."""
    from salama.cases.services import _next_reference

    _pending_for_receiver(actor, transfer)
    to_org = transfer.to_organisation
    if not Membership.objects.filter(
        user=assign_to,
        organisation=to_org,
        role__in=(Role.CASEWORKER, Role.SUPERVISOR),
        is_active=True,
    ).exists():
        raise ValidationError(
            {"assign_to": _("Choose a caseworker or supervisor of %(org)s.") % {"org": to_org}}
        )
    if active_consent(transfer.person, ConsentPurpose.REFERRAL, recipient=to_org) is None:
        raise ConsentMissing(_consent_message(to_org, "", False))
    now = timezone.now()
    claimed = CaseTransfer.objects.filter(
        pk=transfer.pk, status=TransferStatus.PENDING, version=transfer.version
    ).update(status=TransferStatus.ACCEPTED, version=F("version") + 1)
    if not claimed:
        raise ConflictError(_("Someone else decided this transfer. Reload the page."))
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if case.organisation_id != transfer.from_organisation_id:
        raise ConflictError(_("The case no longer belongs to the requesting organisation."))
    new_reference = _next_reference(to_org)
    Case.objects.filter(pk=case.pk, version=case.version).update(
        organisation=to_org,
        reference=new_reference,
        assigned_to=assign_to,
        supervisor=actor.user,
        jurisdiction=to_org.country,
        version=F("version") + 1,
        updated_at=now,
    )
    Referral.objects.filter(
        case=case, from_organisation_id=transfer.from_organisation_id, status__in=OPEN_STATUSES
    ).update(from_organisation=to_org)
    transfer.status = TransferStatus.ACCEPTED
    transfer.version += 1
    transfer.new_reference = new_reference
    transfer.decided_by = actor.user
    transfer.decided_at = now
    transfer.save(update_fields=["new_reference", "decided_by", "decided_at"])
    changes = {
        "status": (TransferStatus.PENDING, TransferStatus.ACCEPTED),
        "reference": (transfer.old_reference, new_reference),
        "organisation": (str(transfer.from_organisation.uuid), str(to_org.uuid)),
        "assigned_to": (None, str(assign_to.uuid)),
    }
    for org in (to_org.pk, transfer.from_organisation_id):
        audit.record(
            "case.transfer_accept",
            actor=actor.user,
            obj=transfer,
            organisation=org,
            changes=changes,
            request=request,
            scope=case,
        )
    _notify(
        [transfer.requested_by],
        transfer.from_organisation_id,
        NotificationKind.TRANSFER_DECIDED,
        _("%(org)s accepted transfer %(id)s; the case is now theirs.")
        % {"org": to_org.name, "id": transfer.short_id},
        transfer=transfer,
        base_url=base_url,
    )
    return transfer


@transaction.atomic
def decline_transfer(
    *,
    actor: Principal,
    transfer: CaseTransfer,
    reason: str,
    base_url: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """Decline a transfer with a reason; the receiving side loses the packet. Audited both sides."""
    _pending_for_receiver(actor, transfer)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason; the requesting side will read it.")})
    claimed = CaseTransfer.objects.filter(
        pk=transfer.pk, status=TransferStatus.PENDING, version=transfer.version
    ).update(status=TransferStatus.DECLINED, version=F("version") + 1, decided_at=timezone.now())
    if not claimed:
        raise ConflictError(_("Someone else decided this transfer. Reload the page."))
    transfer.status = TransferStatus.DECLINED
    transfer.version += 1
    transfer.decline_reason = reason.strip()
    transfer.decided_by = actor.user
    transfer.save(update_fields=["decline_reason", "decided_by"])
    changes = {"status": (TransferStatus.PENDING, TransferStatus.DECLINED)}
    audit.record(
        "case.transfer_decline",
        actor=actor.user,
        obj=transfer,
        organisation=transfer.from_organisation_id,
        fields=["decline_reason"],
        changes=changes,
        request=request,
        scope=transfer.case,
    )
    audit.record(
        "case.transfer_decline",
        actor=actor.user,
        obj=transfer,
        organisation=transfer.to_organisation_id,
        changes=changes,
        request=request,
    )
    _notify(
        [transfer.requested_by],
        transfer.from_organisation_id,
        NotificationKind.TRANSFER_DECIDED,
        _("%(org)s declined transfer %(id)s.")
        % {"org": transfer.to_organisation.name, "id": transfer.short_id},
        transfer=transfer,
        base_url=base_url,
    )
    return transfer
