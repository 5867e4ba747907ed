"""`{% load referrals %}{% unread_notifications %}`: the unread count, for headers without HTMX."""

from __future__ import annotations

from typing import Any

from django import template

from salama.core.policy import principal_for
from salama.referrals.access import visible_notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    principal = principal_for(request) if request is not None else None
    if principal is None:
        return 0
    return visible_notifications(principal).filter(read_at__isnull=True).count()
