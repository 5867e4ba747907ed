"""What the inbox, the thread and the delivery records read, for the pages and the API.

The inbox is sorted by urgency, then by the nearest deadline. For an open referral a row carries
what the sender asks (the purpose note, written for the recipient), the urgency and the sender's
contact; a closed one carries none of it, only a link to the organisation's delivery record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone

from salama.core import audit
from salama.core.policy import Principal, require_perm
from salama.core.roles import Perm
from salama.referrals import urgency
from salama.referrals.access import (
    access_thread,
    visible_delivery_records,
    visible_referrals_received,
)
from salama.referrals.models import (
    OPEN_STATUSES,
    Referral,
    ReferralMessage,
    ServiceDeliveryRecord,
)
from salama.referrals.queries import LIST_LIMIT, ReferralFilter

NO_FILTER = ReferralFilter()


def by_urgency(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """The most urgent first, then the nearest deadline, then the newest."""
    rank = Case(
        *[When(urgency=level, then=Value(i)) for i, level in enumerate(urgency.levels())],
        default=Value(urgency.rank("normal")),
        output_field=IntegerField(),
    )
    return referrals.annotate(urgency_rank=rank).order_by(
        "urgency_rank", F("due_at").asc(nulls_last=True), "-sent_at", "id"
    )


def inbox_referrals(
    principal: Principal | None,
    *,
    include_closed: bool = False,
    only: ReferralFilter = NO_FILTER,
) -> list[Referral]:
    """Referrals to the principal's organisation, most urgent first, with the sender and the
    delivery record of closed ones; never the packet (PermissionDenied without
    referral.receive)."""
    principal = require_perm(principal, Perm.REFERRAL_RECEIVE)
    referrals = (
        visible_referrals_received(principal)
        .defer(None)
        .defer(
            "packet",
            "override_reason",
            "decline_reason",
            "withdraw_reason",
            "delivery_note",
            "delivered_on",
        )
        .select_related(
            "service", "from_organisation", "to_organisation", "sent_by", "person__data_key"
        )
    )
    if not include_closed and not only.status:
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    return list(by_urgency(only.apply(referrals, timezone.now()))[:LIST_LIMIT])


def delivery_records_by_referral(referrals: list[Referral]) -> dict[Any, ServiceDeliveryRecord]:
    ids = [r.pk for r in referrals if not r.is_open]
    if not ids:
        return {}
    return {d.referral_id: d for d in ServiceDeliveryRecord.objects.filter(referral_id__in=ids)}


def delivery_records(principal: Principal | None) -> list[ServiceDeliveryRecord]:
    """The organisation's own records of the referrals it handled, the latest closed first
    (PermissionDenied without referral.receive)."""
    principal = require_perm(principal, Perm.REFERRAL_RECEIVE)
    return list(visible_delivery_records(principal).select_related("service")[:LIST_LIMIT])


def read_thread(
    principal: Principal, referral_id: Any, *, request: HttpRequest | None
) -> tuple[Referral, list[ReferralMessage]]:
    """The referral (404 unless the principal reads it from one of its sides) and its messages.

    The recipient reads the packet with the thread, so the reading is audited like the packet
    page; the sender's reading of its own case's referral is not a disclosure.
    """
    referral = access_thread(principal, referral_id)
    org = principal.organisation
    if org is not None and referral.to_organisation_id == org.pk:
        audit.record(
            "referral.packet_view",
            actor=principal.user,
            obj=referral,
            organisation=org,
            fields=[*referral.packet_fields, "messages"],
            request=request,
        )
    messages = list(
        ReferralMessage.objects.filter(referral=referral).select_related("author", "organisation")
    )
    for message in messages:
        message.referral = referral  # one key lookup for the whole thread
    return referral, messages
