"""SLA alerts: referrals whose current stage (acknowledgement, then a decision) is overdue.

Rule: each overdue stage of a referral is alerted once (a unique ReferralOverdueAlert row per
referral and stage, so two concurrent runs cannot both alert), to the supervisors of both
sides, in-app and by email, and audited on the sender's side as `referral.overdue`.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from salama.core import audit
from salama.referrals.choices import NotificationKind
from salama.referrals.models import OPEN_STATUSES, Referral, ReferralOverdueAlert
from salama.referrals.notification_texts import REFERRAL_OVERDUE, Message
from salama.referrals.notifications import notify, receivers, supervisors


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
        assert referral.due_at is not None  # find_overdue_referrals reads only dated ones
        try:
            with transaction.atomic():
                ReferralOverdueAlert.objects.create(
                    referral=referral, stage=referral.status, due_at=referral.due_at
                )
                message = Message(
                    REFERRAL_OVERDUE,
                    {"stage": str(referral.status), "due": referral.due_at.isoformat()},
                )
                notify(
                    supervisors(referral.from_organisation_id),
                    referral.from_organisation_id,
                    NotificationKind.REFERRAL_OVERDUE,
                    message,
                    referral=referral,
                    base_url=base_url,
                )
                receiving = supervisors(referral.to_organisation_id) or receivers(
                    referral.to_organisation_id
                )
                notify(
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
