"""What every app's API module shares: the caller's principal and service errors as HTTP.

Services raise Django's exceptions; the API answers them the same way everywhere: a stale version
is 409, a broken rule or bad input is 422 with the service's own words, a role that may not act
is 403. (Missing and not-yours are Http404 from the policy module, which ninja answers as 404.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja.errors import HttpError

from salama.core.errors import ConflictError
from salama.core.policy import Principal

T = TypeVar("T")


def auth_principal(request: HttpRequest) -> Principal:
    """The principal the API's authentication put on the request."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    return principal


def call_service(call: Callable[[], T]) -> T:
    """Run a service call and translate its exceptions into HTTP errors."""
    try:
        return call()
    except ConflictError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "You may not do this.") from None
