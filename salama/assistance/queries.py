"""Read helpers for assistance that need no policy (the policy lives in salama.core.policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salama.assistance.models import Fund


def usable_funds(organisation: Any) -> QuerySet[Fund]:
    """Active funds an item on a case of `organisation` may draw on."""
    return Fund.objects.filter(organisation=organisation, is_active=True)
