"""The referrals delivering case plan items, for the case page (salama.cases.plan_links)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from salama.cases.models import PlanItem
from salama.cases.plan_links import Delivery, register_deliveries
from salama.core.policy import Principal
from salama.referrals.access import visible_referrals_sent
from salama.referrals.choices import ReferralStatus


def deliveries_for(
    principal: Principal, plan_items: Sequence[PlanItem]
) -> dict[uuid.UUID, list[Delivery]]:
    """The referrals sent for these plan items that the principal may see, newest first."""
    found: dict[uuid.UUID, list[Delivery]] = {}
    referrals = (
        visible_referrals_sent(principal)
        .filter(plan_item__in=[item.pk for item in plan_items])
        .select_related("service")
        .order_by("-sent_at")
    )
    for referral in referrals:
        assert referral.plan_item_id is not None
        found.setdefault(referral.plan_item_id, []).append(
            Delivery(
                kind=_("Referral"),
                label=referral.service.name,
                status=str(ReferralStatus(referral.status).label)
                if referral.status in ReferralStatus.values
                else referral.status,
                url=reverse("referrals:referral-detail", args=[referral.id]),
            )
        )
    return found


def register_plan_links() -> None:
    register_deliveries("referrals", deliveries_for)
