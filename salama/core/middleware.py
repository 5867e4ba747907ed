"""Cross-cutting HTTP behaviour."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class HtmxRedirectMiddleware:
    """Turn redirects answering an HTMX request into a full-page navigation.

    A browser follows a 302 inside an HTMX request silently and HTMX would then swap the target
    page (often the log-in or two-factor page after a session ended) into a fragment of the
    current one. ``HX-Redirect`` makes HTMX load it as a page instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and response.status_code in (301, 302, 303):
            location = response.headers.get("Location", "")
            converted = HttpResponse(status=204)
            converted["HX-Redirect"] = location
            for cookie in response.cookies.values():
                converted.cookies[cookie.key] = cookie
            return converted
        return response
