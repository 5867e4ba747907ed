"""What the referral pages and the referrals API read, written once.

Lists are capped (no pagination yet) and say nothing identifying; opening a packet is audited from
either side, because a packet is the identifying data a recipient receives.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from salama.cases.models import Case
from salama.core import audit
from salama.core.policy import Principal, require_perm
from salama.core.roles import Perm
from salama.referrals.access import (
    access_referral_packet,
    access_transfer_packet,
    visible_referrals_received,
    visible_referrals_sent,
    visible_transfers,
)
from salama.referrals.models import OPEN_STATUSES, CaseTransfer, Referral

LIST_LIMIT = 300
_LISTED_WITH = ("service", "from_organisation", "to_organisation")


def referrals_sent(principal: Principal | None, case: Case | None = None) -> list[Referral]:
    """Referrals sent from cases the principal may see (or from `case`, fetched through
    salama.cases.access), newest first (PermissionDenied without case.view)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    referrals = visible_referrals_sent(principal).select_related(*_LISTED_WITH, "case")
    if case is not None:
        referrals = referrals.filter(case=case)
    return list(referrals[:LIST_LIMIT])


def referrals_received(
    principal: Principal | None, *, include_closed: bool = False
) -> list[Referral]:
    """Referrals to the principal's organisation, newest first, open ones only unless
    `include_closed` (PermissionDenied without referral.receive)."""
    principal = require_perm(principal, Perm.REFERRAL_RECEIVE)
    referrals = visible_referrals_received(principal).select_related(*_LISTED_WITH)
    if not include_closed:
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    return list(referrals[:LIST_LIMIT])


def read_packet(principal: Principal, referral_id: Any, *, request: HttpRequest | None) -> Referral:
    """An open referral received by the principal's organisation, with its packet; the reading
    is audited with the fields the packet carries (404 for anyone else)."""
    referral = access_referral_packet(principal, referral_id)
    audit.record(
        "referral.packet_view",
        actor=principal.user,
        obj=referral,
        organisation=principal.organisation,
        fields=referral.packet_fields,
        request=request,
    )
    return referral


def transfer_list(principal: Principal | None) -> list[CaseTransfer]:
    """Transfers into and out of the principal's organisation, newest first (PermissionDenied
    without case.transfer)."""
    return list(visible_transfers(require_perm(principal, Perm.CASE_TRANSFER))[:LIST_LIMIT])


def read_transfer_packet(
    principal: Principal, transfer_id: Any, *, request: HttpRequest | None
) -> CaseTransfer:
    """A transfer with its packet, for the receiving side while it is pending and the sending
    side while it still sees the case (404 otherwise). The receiving side's reading is audited:
    the packet is identifying data that organisation did not hold before."""
    transfer = access_transfer_packet(principal, transfer_id)
    org = principal.organisation
    if org is not None and transfer.to_organisation_id == org.pk:
        audit.record(
            "case.transfer_packet_view",
            actor=principal.user,
            obj=transfer,
            organisation=org,
            fields=transfer.packet_fields,
            request=request,
        )
    return transfer
