"""Active organisation and two-factor enforcement for browser sessions."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_MEMBERSHIP_KEY = "salama_membership"
# The membership's session epoch when this session chose it; a newer epoch ends the session.
SESSION_MEMBERSHIP_EPOCH_KEY = "salama_membership_epoch"
# When the session's idle expiry was last renewed (seconds since the epoch).
SESSION_TOUCHED_KEY = "salama_touched"
# Renew the idle expiry at most this often: the session is written to the database then, not on
# every request.
SESSION_TOUCH_SECONDS = 60


class IdleSessionMiddleware:
    """Renews a session's idle expiry on a request at most once a minute.

    Sessions end SESSION_COOKIE_AGE after the last activity (settings.py). Saving the session
    on every request would keep that exact but costs a database write per page, which on
    SQLite also queues behind every other writer; renewing when the last renewal is a minute
    old ends an idle session between SESSION_COOKIE_AGE - 60 s and SESSION_COOKIE_AGE after the
    last request. A session changed by the request (log-in, language, organisation) is saved
    anyway, with a fresh expiry.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No cookie, no session to renew; a flushed or emptied one is not renewed either.
        if session is None or session.session_key is None or session.is_empty():
            return response
        now = int(time.time())
        if session.modified or now - int(session.get(SESSION_TOUCHED_KEY, 0)) >= (
            SESSION_TOUCH_SECONDS
        ):
            session[SESSION_TOUCHED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


def remember_membership(session: Any, membership: Any) -> None:
    """Make `membership` the one this session acts for."""
    session[SESSION_MEMBERSHIP_KEY] = str(membership.uuid)
    session[SESSION_MEMBERSHIP_EPOCH_KEY] = membership.session_epoch


def choose_membership_at_login(request: HttpRequest, user: Any) -> None:
    """A new session acts for the membership last chosen, else the oldest: never for one
    that was merely added since (an invitation accepted, a membership granted by a system
    administrator)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(SESSION_MEMBERSHIP_KEY, None)
    session.pop(SESSION_MEMBERSHIP_EPOCH_KEY, None)
    membership = user.default_membership()
    if membership is not None:
        remember_membership(session, membership)


class ActiveMembershipMiddleware:
    """Sets request.membership / request.organisation from the session's chosen membership.

    A session acting for a membership that has since ended, or whose role changed, is logged
    out; the user's sessions acting for their other organisations carry on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.organisation = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            memberships = list(user.active_memberships())
            chosen = request.session.get(SESSION_MEMBERSHIP_KEY)
            active = next((m for m in memberships if str(m.uuid) == chosen), None)
            if chosen and (
                active is None
                or request.session.get(SESSION_MEMBERSHIP_EPOCH_KEY, 0) != active.session_epoch
            ):
                logout(request)
                return self.get_response(request)
            if active is None and memberships:
                active = user.default_membership()
                if active is not None:
                    remember_membership(request.session, active)
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
    """Roles that reach identifying data must pass TOTP before anything else (docs/design.md#two-factor-login)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and user.requires_two_factor()
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
