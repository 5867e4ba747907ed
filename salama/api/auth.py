"""API authentication: a browser session that passed two factors, or a scoped bearer token.

Both produce a `Principal` (request.auth) that endpoints hand to salama.core.policy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import HttpBearer, SessionAuth

from salama.accounts.models import ApiToken
from salama.core import ratelimit
from salama.core.policy import Principal, principal_for


class TokenThrottled(Throttled):
    """A token made more requests this minute than SALAMA_API_TOKEN_REQUESTS_PER_MINUTE."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.message = _(
            "This token made too many requests in a minute. Wait %(seconds)s seconds and try "
            "again, or spread the requests out."
        ) % {"seconds": wait}


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        found = ApiToken.find(token)
        if found is None:
            return None
        limit = settings.SALAMA_API_TOKEN_REQUESTS_PER_MINUTE
        if not ratelimit.allow(f"api-token:{found.pk}", limit=limit):
            raise TokenThrottled(ratelimit.seconds_left())
        # Record use at most once a minute to avoid a write per request.
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        membership = found.membership
        request.membership = membership  # type: ignore[attr-defined]
        request.organisation = membership.organisation  # type: ignore[attr-defined]
        return Principal(
            user=membership.user,
            membership=membership,
            verified=True,
            scopes=frozenset(found.scopes),
        )


class VerifiedSessionAuth(SessionAuth):
    """Django session with CSRF for unsafe methods; an unverified second factor gets nothing."""

    def authenticate(self, request: HttpRequest, key: Any) -> Principal | None:
        principal = principal_for(request)
        if principal is None:
            return None
        if principal.needs_two_factor and not principal.verified:
            return None
        return principal


api_auth = [TokenAuth(), VerifiedSessionAuth()]
