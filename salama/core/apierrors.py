"""What every app's API module shares: service errors as HTTP (the caller is request_principal).

Services raise Django's exceptions; the API answers them the same way everywhere: a stale version
is 409, a broken rule or bad input is 422 with the service's own words, a role that may not act
is 403. (Missing and not-yours are Http404 from the policy module, which ninja answers as 404.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from ninja.errors import HttpError

from salama.core.errors import ConflictError

T = TypeVar("T")


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
