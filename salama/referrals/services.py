"""Referrals and their state machine, and the one place other code calls to change the network.

Sources: docs/domain.md#referral-mechanism (a referral needs consent scoped to its recipient and
purpose; the recipient sees only the packet; its access ends on completion, decline or
withdrawal; transfers need the receiving organisation's acceptance) and
docs/domain.md#data-protection (transfer to third parties only with consent, for a stated purpose
and with safeguards). The state machine, SLA and minimum packets are data, read
by salama.referrals.rules.

This module sends referrals and moves them through their states. The other writes live beside
it and are re-exported here, so callers keep using `services.<function>`: the directory
(salama.referrals.directory), case transfers (.transfers), external downloads (.downloads), SLA
alerts (.overdue) and notifications (.notifications); packets are built in .packets.

Rule for every write: it runs in one transaction, checks the policy and writes audit entries on
both sides (the sender's, scoped to the case so it shows on the case timeline, and the
recipient's). Identifying values (packet, notes, reasons) are encrypted under the person's key
and audited by field name only. Email leaves after commit and never carries personal data,
except the link of an external download, which is the only way to read that packet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.accounts.models import Membership
from salama.cases.access import ensure_case, visible_cases
from salama.cases.models import Case, PlanItem
from salama.cases.plan_links import check_plan_item
from salama.core import audit, faults
from salama.core.errors import ConflictError, ConsentMissing
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.people.choices import ConsentPurpose
from salama.people.models import Consent, Person
from salama.people.services import active_consent
from salama.referrals import notification_texts as texts
from salama.referrals import rules, urgency
from salama.referrals.choices import NotificationKind, ReferralAction, ReferralStatus, Urgency
from salama.referrals.collab import keep_delivery_record, next_reference, post_referral_message
from salama.referrals.directory import add_external_provider, ensure_provider, save_service
from salama.referrals.downloads import (
    create_external_download,
    open_external_download,
    wipe_download,
)
from salama.referrals.models import Referral, Service
from salama.referrals.notification_texts import Message
from salama.referrals.notifications import (
    mark_notifications_read,
    notify,
    receivers,
    supervisors,
)
from salama.referrals.overdue import notify_overdue_referrals
from salama.referrals.packets import build_packet, clean_packet_fields, consent_message
from salama.referrals.referral_events import emit_referral_event
from salama.referrals.transfers import accept_transfer, decline_transfer, request_transfer

__all__ = [
    "accept_referral",
    "accept_transfer",
    "acknowledge_referral",
    "actions_for",
    "add_external_provider",
    "complete_referral",
    "decline_referral",
    "decline_transfer",
    "ensure_provider",
    "mark_notifications_read",
    "move_referral",
    "notify_overdue_referrals",
    "open_external_download",
    "post_referral_message",
    "record_delivery",
    "request_transfer",
    "save_service",
    "send_referral",
    "side_of",
    "withdraw_referral",
]

MIN_OVERRIDE_REASON = 20


def _table() -> rules.StateTable:
    return rules.load_state_table()


# Sending ----------------------------------------------------------------------------------------


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
    urgency_level: str = Urgency.NORMAL,
    sender_phone: str = "",
    sender_email: str = "",
    base_url: str = "",
    plan_item: PlanItem | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the case's person to a service, sharing only the chosen packet.

    `urgency_level` shortens the answer deadlines (salama.referrals.urgency); `sender_phone` and
    `sender_email` are the referring caseworker's work contact, shown to the recipient.

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
    keys = clean_packet_fields(packet_fields, needs_note)
    if urgency_level not in Urgency.values:
        raise ValidationError({"urgency": _("Choose the urgency: emergency, high, normal or low.")})
    if sender_email.strip():
        try:
            validate_email(sender_email.strip())
        except ValidationError:
            raise ValidationError(
                {"sender_email": _("Enter a contact email such as name@example.org.")}
            ) from None
    check_plan_item(case, plan_item)
    provider = service.provider
    to_org = provider.organisation
    consent: Consent | None = active_consent(
        person, ConsentPurpose.REFERRAL, recipient=to_org, service_type=service.service_type
    )
    override_reason = emergency_override_reason.strip()
    can_override = has_perm(actor, Perm.REFERRAL_EMERGENCY_OVERRIDE)
    if consent is None:
        if not override_reason:
            raise ConsentMissing(consent_message(to_org, service.service_type, can_override))
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
        reference=next_reference(from_org, now=now),
        urgency=urgency_level,
        sender_phone=sender_phone.strip()[:40],
        sender_email=sender_email.strip(),
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
        due_at=urgency.due_at(urgency_level, table, table.initial, now, days),
        plan_item=plan_item,
    )
    referral.packet = build_packet(case, keys, needs_note=needs_note)
    referral.save()
    faults.point("referral.send")
    changes = {
        "status": (None, referral.status),
        "service": (None, str(service.uuid)),
        "to_organisation": (None, str(to_org.uuid)),
        "packet_fields": (None, keys),
        "cross_border": (None, referral.is_cross_border),
        "consent": (None, str(consent.pk) if consent else None),
        "reference": (None, referral.reference),
        "urgency": (None, referral.urgency),
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
    emit_referral_event(referral, action="send")
    if provider.is_external:
        create_external_download(referral, base_url=base_url, now=now)
    else:
        notify(
            receivers(to_org.pk),
            to_org.pk,
            NotificationKind.REFERRAL_RECEIVED,
            Message(texts.REFERRAL_RECEIVED),
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
    referral.due_at = urgency.due_at(referral.urgency, table, target, referral.sent_at, days)
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
        wipe_download(referral, now)
        keep_delivery_record(referral, now=now, actor_user=actor.user, request=request)
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
    emit_referral_event(referral, action=action)
    message = Message(texts.REFERRAL_STATUS, {"status": str(target)})
    if side == "recipient":
        users = [referral.sent_by, *supervisors(referral.from_organisation_id)]
        org_id = referral.from_organisation_id
    else:
        users = [] if referral.service.provider.is_external else receivers(other_org)
        org_id = other_org
    members = {m.user_id for m in Membership.objects.filter(organisation_id=org_id, is_active=True)}
    notify(
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
