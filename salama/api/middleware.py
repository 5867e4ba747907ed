"""Errors under /api/ are JSON, also those Django answers before or around an API operation.

The API's own operations answer errors through the handlers of salama.core.apierrors. What
reaches a client without passing through them — a path under /api/ that names no operation,
ninja's 405 for a method a path does not take, Django's error pages (also the DEBUG pages, which
carry a traceback) — is rewritten here into the same shape: ``{"detail": str, "errors": []}``.
It stands last in MIDDLEWARE so that the middleware outside it still adds its headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from salama.core.apierrors import error_response, unexpected_error

API_PREFIX = "/api/"


def _detail(request: HttpRequest, status: int) -> str:
    if status == 404:
        return _("No API operation has this path; see /api/v1/openapi.json.")
    if status == 405:
        return _("This path does not take the method %(method)s.") % {"method": request.method}
    if status == 403:
        return _("You do not have permission to do this.")
    if status == 400:
        return _("The request cannot be read.")
    return _("The request failed.")


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code >= 500:
            # Django has logged the exception (django.request); the body says nothing about it.
            converted = unexpected_error(request)
            converted.status_code = response.status_code
        else:
            converted = error_response(response.status_code, _detail(request, response.status_code))
        for header in ("Allow", "Retry-After"):
            if header in response:
                converted[header] = response[header]
        return converted
