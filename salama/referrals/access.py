"""Who may see the service directory, referrals, case transfers and notifications.

A referral's receiving organisation sees the referral packet (a snapshot of the fields chosen and
consented), never the case or the person. Its members with referral.receive read the packet only
while the referral is open; once it is completed, declined or withdrawn they keep a bare list entry
(status, service, dates) and nothing else. Senders see the referrals of cases they can see.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from salama.cases.access import through_visible_case
from salama.core.policy import (
    Principal,
    ensure,
    get_or_404,
    has_any_perm,
    has_perm,
    in_organisation,
    register,
)
from salama.core.roles import Perm
from salama.referrals.choices import TransferStatus
from salama.referrals.models import (
    OPEN_STATUSES,
    CaseTransfer,
    Notification,
    Provider,
    Referral,
    ReferralMessage,
    Service,
    ServiceDeliveryRecord,
)


def can_view_directory(principal: Principal | None) -> bool:
    """The directory names shelters and their places: only people who refer or provide see it."""
    return has_any_perm(
        principal,
        Perm.REFERRAL_SEND,
        Perm.REFERRAL_RECEIVE,
        Perm.ORG_MANAGE_SETTINGS,
        Perm.SYSTEM_MANAGE,
    )


def visible_services(principal: Principal | None) -> QuerySet[Service]:
    if not can_view_directory(principal):
        return Service.objects.none()
    return Service.objects.select_related("provider__organisation")


def manageable_providers(principal: Principal | None) -> QuerySet[Provider]:
    """Directory entries an organisation administrator keeps: their own and those they added."""
    qs = Provider.objects.select_related("organisation", "managed_by")
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return qs
    if not in_organisation(principal) or not has_perm(principal, Perm.ORG_MANAGE_SETTINGS):
        return qs.none()
    assert principal is not None
    org = principal.organisation
    return qs.filter(Q(organisation=org) | Q(managed_by=org))


def manageable_services(principal: Principal | None) -> QuerySet[Service]:
    return Service.objects.select_related("provider__organisation").filter(
        provider__in=manageable_providers(principal)
    )


def access_managed_service(principal: Principal | None, service_uuid: Any) -> Service:
    return get_or_404(manageable_services(principal), uuid=service_uuid)


def visible_referrals_received(principal: Principal | None) -> QuerySet[Referral]:
    """Referrals to the principal's organisation, for members with referral.receive.

    Closed referrals stay listed as bare entries; only access_referral_packet opens a packet.
    """
    if not in_organisation(principal) or not has_perm(principal, Perm.REFERRAL_RECEIVE):
        return Referral.objects.none()
    assert principal is not None
    return Referral.objects.filter(to_organisation=principal.organisation).defer(
        "packet",
        "purpose_note",
        "override_reason",
        "decline_reason",
        "withdraw_reason",
        "delivery_note",
        "delivered_on",
    )


def open_packets_received(principal: Principal | None) -> QuerySet[Referral]:
    """Open referrals received by the principal's organisation: the ones whose packet it reads."""
    if not in_organisation(principal) or not has_perm(principal, Perm.REFERRAL_RECEIVE):
        return Referral.objects.none()
    assert principal is not None
    return Referral.objects.filter(
        to_organisation=principal.organisation, status__in=tuple(OPEN_STATUSES)
    )


def access_referral_packet(principal: Principal | None, referral_id: Any) -> Referral:
    """An open referral received by the principal's organisation, packet included; else 404."""
    qs = open_packets_received(principal).select_related(
        "person__data_key", "service__provider__organisation", "from_organisation"
    )
    return get_or_404(qs, id=referral_id)


def visible_referrals_sent(principal: Principal | None) -> QuerySet[Referral]:
    """Referrals the principal's organisation sent from cases the principal can see."""
    if not in_organisation(principal):
        return Referral.objects.none()
    assert principal is not None
    return Referral.objects.filter(
        through_visible_case(principal), from_organisation=principal.organisation
    )


def access_referral_sent(principal: Principal | None, referral_id: Any) -> Referral:
    return get_or_404(
        visible_referrals_sent(principal).select_related(
            "person__data_key", "case", "service__provider__organisation", "to_organisation"
        ),
        id=referral_id,
    )


def visible_referrals(principal: Principal | None) -> QuerySet[Referral]:
    """Any referral the principal may act on from either side (sent, or open and received)."""
    # EXISTS rather than pk IN (…): SQLite would list every referral the organisation ever sent
    # before looking at one (see cases.access.through_visible_case).
    return Referral.objects.filter(
        Q(Exists(visible_referrals_sent(principal).filter(pk=OuterRef("pk"))))
        | Q(Exists(open_packets_received(principal).filter(pk=OuterRef("pk"))))
    )


def visible_referrals_board(principal: Principal | None) -> QuerySet[Referral]:
    """The supervisors' pipeline: referrals their organisation sent or received, without packets."""
    if not in_organisation(principal) or not has_perm(principal, Perm.CASE_VIEW_ALL):
        return Referral.objects.none()
    assert principal is not None
    org = principal.organisation
    return Referral.objects.filter(Q(from_organisation=org) | Q(to_organisation=org)).defer(
        "packet", "purpose_note", "override_reason", "decline_reason", "withdraw_reason"
    )


def visible_transfers(principal: Principal | None) -> QuerySet[CaseTransfer]:
    """Transfers into or out of the principal's organisation, for those who may transfer cases."""
    if not in_organisation(principal) or not has_perm(principal, Perm.CASE_TRANSFER):
        return CaseTransfer.objects.none()
    assert principal is not None
    org = principal.organisation
    return CaseTransfer.objects.filter(
        Q(from_organisation=org) | Q(to_organisation=org)
    ).select_related("from_organisation", "to_organisation", "person__data_key")


def access_transfer(principal: Principal | None, transfer_id: Any) -> CaseTransfer:
    """A transfer of the principal's organisation. The receiving side reads its packet only
    while it is pending; the sending side reads it while it can still see the case."""
    return get_or_404(visible_transfers(principal), id=transfer_id)


def transfer_packets(principal: Principal | None) -> QuerySet[CaseTransfer]:
    """Transfers whose packet the principal may read: for the receiving side only while pending,
    for the sending side only while the principal can still see the case."""
    if not in_organisation(principal):
        return CaseTransfer.objects.none()
    assert principal is not None
    org = principal.organisation
    receiving = Q(to_organisation=org, status=TransferStatus.PENDING)
    sending = Q(through_visible_case(principal), from_organisation=org)
    return visible_transfers(principal).filter(receiving | sending)


def access_transfer_packet(principal: Principal | None, transfer_id: Any) -> CaseTransfer:
    if not in_organisation(principal):
        raise Http404("Not found")
    return get_or_404(transfer_packets(principal), id=transfer_id)


def transfers_in(principal: Principal | None) -> QuerySet[CaseTransfer]:
    """Transfers into the principal's organisation (theirs to accept or decline)."""
    if not in_organisation(principal):
        return CaseTransfer.objects.none()
    assert principal is not None
    return visible_transfers(principal).filter(to_organisation=principal.organisation)


def visible_notifications(principal: Principal | None) -> QuerySet[Notification]:
    if not in_organisation(principal):
        return Notification.objects.none()
    assert principal is not None
    return Notification.objects.filter(user=principal.user, organisation=principal.organisation)


def ensure_received(actor: Principal | None, referral: Referral) -> None:
    """Services: the actor works for the receiving side of an open referral."""
    ensure(actor, referral, Perm.REFERRAL_RECEIVE, rule=open_packets_received)


def ensure_sent(actor: Principal | None, referral: Referral) -> None:
    """Services: the actor can see the case the referral was sent from."""
    ensure(actor, referral, rule=visible_referrals_sent)


def ensure_managed_provider(actor: Principal | None, provider: Provider) -> None:
    ensure(actor, provider, rule=manageable_providers)


def ensure_transfer_in(actor: Principal | None, transfer: CaseTransfer) -> None:
    ensure(actor, transfer, Perm.CASE_TRANSFER, rule=transfers_in)


def visible_threads(principal: Principal | None) -> QuerySet[Referral]:
    """Referrals whose message thread the principal reads: the sender's (while it sees the case,
    read-only once closed) and the recipient's (only while open, like the packet)."""
    return visible_referrals(principal)


def access_thread(principal: Principal | None, referral_id: Any) -> Referral:
    return get_or_404(
        visible_threads(principal).select_related(
            "person__data_key",
            "service__provider__organisation",
            "from_organisation",
            "to_organisation",
            "sent_by",
        ),
        id=referral_id,
    )


def visible_messages(principal: Principal | None) -> QuerySet[ReferralMessage]:
    return ReferralMessage.objects.filter(referral__in=visible_threads(principal))


def visible_delivery_records(principal: Principal | None) -> QuerySet[ServiceDeliveryRecord]:
    """The receiving organisation's own records of the referrals it handled."""
    if not in_organisation(principal) or not has_perm(principal, Perm.REFERRAL_RECEIVE):
        return ServiceDeliveryRecord.objects.none()
    assert principal is not None
    return ServiceDeliveryRecord.objects.filter(organisation=principal.organisation)


def access_delivery_record(principal: Principal | None, record_id: Any) -> ServiceDeliveryRecord:
    return get_or_404(visible_delivery_records(principal).select_related("service"), id=record_id)


def ensure_thread(actor: Principal | None, referral: Referral) -> None:
    """Services: the actor reads the referral's thread from one of its two sides."""
    ensure(actor, referral, rule=visible_threads)


def register_rules() -> None:
    register(Referral, visible_referrals)
    register(Service, visible_services)
    register(Provider, manageable_providers)
    register(CaseTransfer, visible_transfers)
    register(Notification, visible_notifications)
    register(ReferralMessage, visible_messages)
    register(ServiceDeliveryRecord, visible_delivery_records)
