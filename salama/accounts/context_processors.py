from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from salama.core.policy import principal_for


def membership(request: HttpRequest) -> dict[str, Any]:
    principal = principal_for(request)
    return {
        "principal": principal,
        "perms_granted": principal.permissions if principal else frozenset(),
        "memberships": getattr(request, "memberships", []),
        "active_membership": getattr(request, "membership", None),
    }
