"""Case transfers: one organisation asks another to take a whole case on.

Rule: a transfer needs a referral consent naming the receiving organisation and moves nothing
until a supervisor there accepts; accepting moves the case (new reference, new caseworker and
supervisor) and its open referrals, declining changes nothing but the transfer. Money never moves
with a case: the sender chooses, when requesting, what happens to the case's open assistance items
on its funds ("cancel": released to its funds on acceptance; "keep": they stay the sender's to pay
or cancel), and accepting applies that choice in the same transaction
(salama.assistance.services.settle_items_for_transfer). Every step is audited on both sides (the
sender's entry scoped to the case) and notified to the other side.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salama.accounts.models import Membership, Organisation, User
from salama.assistance.services import open_items_on_funds_of, settle_items_for_transfer
from salama.cases.access import ensure_case
from salama.cases.models import Case
from salama.core import audit
from salama.core.errors import ConflictError, ConsentMissing
from salama.core.policy import Principal
from salama.core.roles import Perm, Role
from salama.people.choices import ConsentPurpose
from salama.people.services import active_consent
from salama.referrals import notification_texts as texts
from salama.referrals.access import ensure_transfer_in
from salama.referrals.choices import NotificationKind, OpenItems, TransferStatus
from salama.referrals.models import OPEN_STATUSES, CaseTransfer, Referral
from salama.referrals.notification_texts import Message
from salama.referrals.notifications import notify, supervisors
from salama.referrals.packets import build_packet, clean_packet_fields, consent_message


@transaction.atomic
def request_transfer(
    *,
    actor: Principal,
    case: Case,
    to_org: Organisation,
    packet_fields: Iterable[str],
    reason: str,
    needs_note: str = "",
    open_items: str = "",
    base_url: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """Ask another organisation to take the case on. Needs a referral consent naming that
    organisation; nothing moves until it accepts. Audited on both sides.

    `open_items` ("cancel" or "keep", OpenItems) says what accepting does with the case's open
    assistance items on the sender's funds; it must be chosen when there are any."""
    ensure_case(actor, case, Perm.CASE_TRANSFER)
    from_org = actor.organisation
    assert from_org is not None
    if to_org.pk == from_org.pk:
        raise ValidationError({"to_org": _("Choose another organisation.")})
    if not to_org.is_active or not supervisors(to_org.pk):
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
    keys = clean_packet_fields(packet_fields, needs_note)
    open_items = _clean_open_items(case, from_org, open_items)
    consent = active_consent(case.person, ConsentPurpose.REFERRAL, recipient=to_org)
    if consent is None or consent.recipient_id != to_org.pk:
        raise ConsentMissing(consent_message(to_org, "", False))
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
        open_items=open_items,
        old_reference=case.reference,
    )
    transfer.packet = build_packet(case, keys, needs_note=needs_note)
    transfer.save()
    changes = {
        "status": (None, TransferStatus.PENDING),
        "to_organisation": (None, str(to_org.uuid)),
        "packet_fields": (None, keys),
        "open_items": (None, open_items),
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
    notify(
        supervisors(to_org.pk),
        to_org.pk,
        NotificationKind.TRANSFER_REQUESTED,
        Message(texts.TRANSFER_REQUESTED, {"org": from_org.name, "id": transfer.short_id}),
        transfer=transfer,
        base_url=base_url,
    )
    return transfer


def _clean_open_items(case: Case, from_org: Organisation, choice: str) -> str:
    choice = (choice or "").strip()
    if choice and choice not in OpenItems.values:
        raise ValidationError(
            {"open_items": _("Say “cancel” or “keep” for the case's open assistance items.")}
        )
    count = open_items_on_funds_of(case, from_org.pk).count()
    if count and not choice:
        raise ValidationError(
            {
                "open_items": ngettext(
                    "The case has %(n)s open assistance item on your funds. Choose whether to "
                    "cancel it when the transfer is accepted or to keep it with your organisation.",
                    "The case has %(n)s open assistance items on your funds. Choose whether to "
                    "cancel them when the transfer is accepted or to keep them with your "
                    "organisation.",
                    count,
                )
                % {"n": count}
            }
        )
    return choice


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
    (nothing of this case). Open referrals of the case move with it; its open assistance items on
    the sender's funds are cancelled or kept as the sender chose, in the same transaction.
    Audited on both sides."""
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
        raise ConsentMissing(consent_message(to_org, "", False))
    now = timezone.now()
    claimed = CaseTransfer.objects.filter(
        pk=transfer.pk, status=TransferStatus.PENDING, version=transfer.version
    ).update(status=TransferStatus.ACCEPTED, version=F("version") + 1)
    if not claimed:
        raise ConflictError(_("Someone else decided this transfer. Reload the page."))
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if case.organisation_id != transfer.from_organisation_id:
        raise ConflictError(_("The case no longer belongs to the requesting organisation."))
    cancelled, kept = settle_items_for_transfer(actor=actor, transfer=transfer, request=request)
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
        "open_items": (None, transfer.open_items),
        "items_cancelled": (None, len(cancelled)),
        "items_kept": (None, len(kept)),
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
    message = Message(
        texts.TRANSFER_ACCEPTED,
        {
            "org": to_org.name,
            "id": transfer.short_id,
            "cancelled": len(cancelled),
            "kept": len(kept),
        },
    )
    notify(
        [transfer.requested_by],
        transfer.from_organisation_id,
        NotificationKind.TRANSFER_DECIDED,
        message,
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
    notify(
        [transfer.requested_by],
        transfer.from_organisation_id,
        NotificationKind.TRANSFER_DECIDED,
        Message(
            texts.TRANSFER_DECLINED,
            {"org": transfer.to_organisation.name, "id": transfer.short_id},
        ),
        transfer=transfer,
        base_url=base_url,
    )
    return transfer
