"""The referrals app's panels on the home page (registered from ReferralsConfig.ready).

A service provider sees the referral inbox: what each open referral asks for (the service and
its type), from whom, how urgent (its deadline in words, an emergency sent without consent) and
whether the sender wrote a needs note; the packet itself, and the note, are read only by opening
the referral, which is audited. A caseworker sees the new and overdue referrals of their cases;
a supervisor sees what is overdue in the organisation. Every count links to the list it counts.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from salama.cases import queries as case_queries
from salama.cases.home import case_list_url
from salama.core import home
from salama.core.policy import Principal
from salama.core.roles import Perm, Role
from salama.core.taxonomy import ServiceType
from salama.referrals import queries
from salama.referrals.choices import PacketField, ReferralStatus
from salama.referrals.models import Referral


def _list_url(name: str, **params: Any) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def _waiting_for(referral: Referral) -> str:
    """What the referral waits for next, in words."""
    return {
        ReferralStatus.SENT: _("waits for acknowledgement"),
        ReferralStatus.ACKNOWLEDGED: _("waits for a decision"),
        ReferralStatus.ACCEPTED: _("waits for the service"),
        ReferralStatus.DELIVERED: _("waits to be completed"),
    }.get(ReferralStatus(referral.status), "")


def _row(
    referral: Referral, url: str, now: Any, types: dict[str, str], *, sender: bool = False
) -> dict[str, Any]:
    return {
        # The sender sees which of its cases; the recipient never learns the case.
        "reference": referral.case.reference if sender else "",
        "service": referral.service.name,
        "service_type": types.get(referral.service_type, referral.service_type),
        "from": referral.from_organisation.name,
        "to": referral.to_organisation.name,
        "status": referral.get_status_display(),
        "waiting": _waiting_for(referral),
        "new": referral.status == ReferralStatus.SENT,
        "emergency": referral.emergency_override,
        "referral_ref": referral.reference,
        # Emergency and high urgency are named in words; normal and low need no mark.
        "urgency": referral.get_urgency_display()
        if referral.urgency in ("emergency", "high")
        else "",
        "needs_note": PacketField.NEEDS_NOTE in (referral.packet_fields or []),
        "when": home.deadline(referral.due_at, now) if referral.due_at else None,
        "url": url,
    }


def inbox(principal: Principal) -> dict[str, Any]:
    now = timezone.now()
    types = dict(ServiceType.choices)
    return {
        "counts": queries.received_counts(principal, now=now),
        "rows": [
            _row(r, reverse("referrals:packet", args=[r.id]), now, types)
            for r in queries.received_waiting(principal, now=now)
        ],
        "open_url": _list_url("referrals:inbox"),
        "new_url": _list_url("referrals:inbox", status=ReferralStatus.SENT),
        "overdue_url": _list_url("referrals:inbox", overdue="1"),
    }


def my_referrals(principal: Principal) -> dict[str, Any]:
    now = timezone.now()
    types = dict(ServiceType.choices)
    return {
        "counts": queries.sent_counts(principal, now=now),
        "rows": [
            _row(r, reverse("referrals:referral-detail", args=[r.id]), now, types, sender=True)
            for r in queries.sent_attention(principal, now=now)
        ],
        "open_url": _list_url("referrals:sent"),
        "new_url": _list_url("referrals:sent", status=ReferralStatus.SENT),
        "overdue_url": _list_url("referrals:sent", overdue="1"),
    }


def overdue(principal: Principal) -> dict[str, Any]:
    now = timezone.now()
    cases = case_queries.overdue_case_count(principal, today=timezone.localdate(now))
    return {
        "cases": cases.n,
        "cases_more": cases.more,
        "cases_url": case_list_url(status="open", overdue="on"),
        "referrals": queries.sent_counts(principal, now=now).overdue,
        "referrals_url": _list_url("referrals:sent", overdue="1"),
    }


def register_panels() -> None:
    home.register_panel(
        "referrals.inbox",
        perm=Perm.REFERRAL_RECEIVE,
        roles=(Role.SERVICE_PROVIDER,),
        reader=inbox,
        template="referrals/panels/inbox.html",
        order=10,
    )
    home.register_panel(
        "referrals.mine",
        perm=Perm.REFERRAL_SEND,
        roles=(Role.CASEWORKER,),
        reader=my_referrals,
        template="referrals/panels/mine.html",
        order=30,
    )
    home.register_panel(
        "referrals.overdue",
        perm=Perm.CASE_VIEW_ALL,
        roles=(Role.SUPERVISOR,),
        reader=overdue,
        template="referrals/panels/overdue.html",
        order=40,
    )
