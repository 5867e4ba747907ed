"""The assistance items delivering case plan items, for the case page (salama.cases.plan_links)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from salama.assistance.access import visible_items
from salama.assistance.choices import ItemStatus
from salama.cases.models import PlanItem
from salama.cases.plan_links import Delivery, register_deliveries
from salama.core.policy import Principal
from salama.core.taxonomy import ServiceType


def deliveries_for(
    principal: Principal, plan_items: Sequence[PlanItem]
) -> dict[uuid.UUID, list[Delivery]]:
    """The assistance items for these plan items that the principal may see, newest first."""
    found: dict[uuid.UUID, list[Delivery]] = {}
    items = (
        visible_items(principal)
        .filter(plan_item__in=[item.pk for item in plan_items])
        .order_by("-requested_at")
    )
    for item in items:
        assert item.plan_item_id is not None
        found.setdefault(item.plan_item_id, []).append(
            Delivery(
                kind=_("Assistance"),
                label=str(ServiceType(item.service_type).label)
                if item.service_type in ServiceType.values
                else item.service_type,
                status=str(ItemStatus(item.status).label)
                if item.status in ItemStatus.values
                else item.status,
                url=reverse("assistance:case-assistance", args=[item.case_id]),
            )
        )
    return found


def register_plan_links() -> None:
    register_deliveries("assistance", deliveries_for)
