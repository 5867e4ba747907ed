"""Reads shared by the integration pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from salama.integrations.models import Delivery, Integration

LOG_LIMIT = 50


def delivery_log(integration: Integration, limit: int = LOG_LIMIT) -> list[Delivery]:
    return list(integration.deliveries.order_by("-created_at", "-id")[:limit])


def deliveries_of(integration: Integration) -> QuerySet[Delivery]:
    return integration.deliveries.order_by("-created_at", "-id")
