"""What the referral pages and the referrals API read, written once.

Lists are capped (no pagination yet) and say nothing identifying; opening a packet is audited from
either side, because a packet is the identifying data a recipient receives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

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
from salama.referrals.choices import ReferralStatus
from salama.referrals.models import OPEN_STATUSES, CaseTransfer, Referral

LIST_LIMIT = 300
_LISTED_WITH = ("service", "from_organisation", "to_organisation", "sent_by")


@dataclass(frozen=True)
class ReferralFilter:
    """What a referral list may be narrowed to: one status, or the open ones past their
    deadline (what the home page's counts link to)."""

    status: str = ""
    overdue: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ReferralFilter:
        """From a page's query string; an unknown status is ignored."""
        status = str(params.get("status") or "")
        overdue = str(params.get("overdue") or "").lower() in ("1", "on", "true")
        return cls(status=status if status in ReferralStatus.values else "", overdue=overdue)

    def __bool__(self) -> bool:
        return bool(self.status or self.overdue)

    @property
    def status_label(self) -> str:
        return str(ReferralStatus(self.status).label) if self.status else ""

    def apply(self, referrals: QuerySet[Referral], now: dt.datetime) -> QuerySet[Referral]:
        if self.status:
            referrals = referrals.filter(status=self.status)
        if self.overdue:
            referrals = _overdue(referrals, now)
        return referrals


def _overdue(referrals: QuerySet[Referral], now: dt.datetime) -> QuerySet[Referral]:
    """Open referrals whose current stage passed its deadline (rules.is_overdue)."""
    return referrals.filter(status__in=OPEN_STATUSES, due_at__lt=now)


def referrals_sent(
    principal: Principal | None,
    case: Case | None = None,
    *,
    only: ReferralFilter = ReferralFilter(),
) -> list[Referral]:
    """Referrals sent from cases the principal may see (or from `case`, fetched through
    salama.cases.access), newest first, narrowed by `only` (PermissionDenied without
    case.view)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    referrals = visible_referrals_sent(principal).select_related(*_LISTED_WITH, "case")
    if case is not None:
        referrals = referrals.filter(case=case)
    return list(only.apply(referrals, timezone.now())[:LIST_LIMIT])


def referrals_received(
    principal: Principal | None,
    *,
    include_closed: bool = False,
    only: ReferralFilter = ReferralFilter(),
) -> list[Referral]:
    """Referrals to the principal's organisation, newest first, open ones only unless
    `include_closed` or a status is asked for, narrowed by `only` (PermissionDenied without
    referral.receive)."""
    principal = require_perm(principal, Perm.REFERRAL_RECEIVE)
    referrals = visible_referrals_received(principal).select_related(*_LISTED_WITH)
    if not include_closed and not only.status:
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    return list(only.apply(referrals, timezone.now())[:LIST_LIMIT])


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


# The home page ----------------------------------------------------------------------------------
# Read on every visit to the home page: one count statement and one short list per side, on the
# (organisation, status) indexes.

HOME_LIST_LIMIT = 8
# What a home-page row shows of a referral: never the packet or a note, which are read (and
# audited) only when the referral is opened.
_PREVIEW_COLUMNS = (
    "id",
    "reference",
    "urgency",
    "status",
    "service_type",
    "packet_fields",
    "emergency_override",
    "due_at",
    "sent_at",
    "case_id",
    "service__id",
    "service__name",
    "from_organisation__id",
    "from_organisation__name",
    "to_organisation__id",
    "to_organisation__name",
)


@dataclass(frozen=True)
class ReferralCounts:
    """Open referrals on one side, how many are new (sent, not yet acknowledged) and how many
    are overdue."""

    open: int
    new: int
    overdue: int


def _counts(referrals: QuerySet[Referral], now: dt.datetime) -> ReferralCounts:
    row = referrals.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        new=Count("pk", filter=Q(status=ReferralStatus.SENT)),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
    )
    return ReferralCounts(open=row["open"], new=row["new"], overdue=row["overdue"])


def _preview(referrals: QuerySet[Referral], now: dt.datetime) -> list[Referral]:
    """New or overdue open referrals, the soonest deadline first, with their case's reference
    (for the sending side, which sees the case)."""
    return list(
        referrals.filter(status__in=OPEN_STATUSES)
        .filter(Q(status=ReferralStatus.SENT) | Q(due_at__lt=now))
        .select_related("service", "from_organisation", "to_organisation", "case")
        .only(*_PREVIEW_COLUMNS, "case__id", "case__reference")
        .order_by(F("due_at").asc(nulls_last=True), "-sent_at", "id")[:HOME_LIST_LIMIT]
    )


def received_counts(
    principal: Principal | None, *, now: dt.datetime | None = None
) -> ReferralCounts:
    """Open referrals to the principal's organisation: all, new and overdue (PermissionDenied
    without referral.receive)."""
    principal = require_perm(principal, Perm.REFERRAL_RECEIVE)
    return _counts(visible_referrals_received(principal), now or timezone.now())


def received_waiting(
    principal: Principal | None, *, now: dt.datetime | None = None
) -> list[Referral]:
    """The open referrals to the principal's organisation, the soonest deadline first (at most
    HOME_LIST_LIMIT), with service and sender, never the packet."""
    principal = require_perm(principal, Perm.REFERRAL_RECEIVE)
    return list(
        visible_referrals_received(principal)
        .filter(status__in=OPEN_STATUSES)
        .select_related("service", "from_organisation", "to_organisation")
        .only(*_PREVIEW_COLUMNS)
        .alias(urgent=Q(urgency__in=("emergency", "high")))
        .order_by(F("urgent").desc(), F("due_at").asc(nulls_last=True), "-sent_at", "id")[
            :HOME_LIST_LIMIT
        ]
    )


def sent_counts(principal: Principal | None, *, now: dt.datetime | None = None) -> ReferralCounts:
    """Open referrals from the cases the principal may see (a caseworker's own): all, new and
    overdue (PermissionDenied without case.view)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    return _counts(visible_referrals_sent(principal), now or timezone.now())


def sent_attention(
    principal: Principal | None, *, now: dt.datetime | None = None
) -> list[Referral]:
    """Referrals from the cases the principal may see that are new or overdue, the soonest
    deadline first (at most HOME_LIST_LIMIT)."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    return _preview(visible_referrals_sent(principal), now or timezone.now())
