"""Where a form sends the browser back to: the `next` it carried, when that is safe."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The request's `next` when it is a path on this site, otherwise `fallback`.

    Only an absolute path (``/cases/…``) is followed: no other host or scheme (an open redirect),
    and no bare word, which ``django.shortcuts.redirect`` would try to reverse as a view name.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def redirect_next(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Redirect to the request's safe `next`, or to `fallback` (a URL, not a view name)."""
    return HttpResponseRedirect(safe_next(request, fallback))
