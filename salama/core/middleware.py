"""Cross-cutting HTTP behaviour."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


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


class HtmxMessagesMiddleware:
    """Show the messages an HTMX action left, so that no action succeeds (or fails) silently.

    A page shows its messages at the top of ``<main>``; a fragment that HTMX swaps into the page
    has no such place. This appends the pending messages to the fragment as an out-of-band swap
    of the page's ``#messages`` region (a live region, so screen readers announce them). Responses
    that navigate (``HX-Redirect``, ``HX-Location``, ``HX-Refresh``) keep the messages for the
    next page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") != "true"
            or request.headers.get("HX-Boosted") == "true"
            or not 200 <= response.status_code < 300
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or any(h in response for h in ("HX-Redirect", "HX-Location", "HX-Refresh"))
        ):
            return response
        pending = get_messages(request)
        if not len(pending):
            return response
        html = render_to_string("includes/messages.html", {"messages": pending, "oob": True})
        response.content = response.content + html.encode(response.charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
