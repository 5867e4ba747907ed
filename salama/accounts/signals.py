"""Logins, logouts and failed logins go into the audit chain; a login chooses its membership."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from salama.core import audit


@receiver(user_logged_in)
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record("auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_in)
def _choose_membership(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from salama.accounts.middleware import choose_membership_at_login

    if request is not None:
        choose_membership_at_login(request, user)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("auth.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def _audit_login_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    attempted = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit.record("auth.login_failed", actor_label=attempted, request=request)
