"""Active organisation and two-factor enforcement for browser sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_MEMBERSHIP_KEY = "salama_membership"


class ActiveMembershipMiddleware:
    """Sets request.membership / request.organisation from the session's chosen membership."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.organisation = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            memberships = list(user.active_memberships())  # type: ignore[union-attr]
            chosen = request.session.get(SESSION_MEMBERSHIP_KEY)
            active = next((m for m in memberships if str(m.uuid) == chosen), None)
            if active is None and memberships:
                active = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            request.membership = active  # type: ignore[attr-defined]
            request.organisation = active.organisation if active else None  # type: ignore[attr-defined]
        return self.get_response(request)


# Paths a session that still owes its second factor may reach.
_OPEN_URL_NAMES = (
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "accounts:logout",
    "set_language",
)


class RequireTwoFactorMiddleware:
    """Roles that reach identifying data must pass TOTP before anything else (DESIGN.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and user.requires_two_factor()  # type: ignore[union-attr]
            and not self._is_open(request.path)
        ):
            from django_otp import devices_for_user

            target = (
                "accounts:two-factor-verify"
                if any(True for _ in devices_for_user(user, confirmed=True))
                else "accounts:two-factor-setup"
            )
            if request.path.startswith("/api/"):
                return HttpResponse(status=401)
            return redirect(reverse(target))
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in _OPEN_URL_NAMES)
        return path in self._open_paths or path.startswith("/static/")
