"""What a user typed into a small form that failed, kept for the page it redirected back to.

Forms that post and redirect (the assistance item actions, whose page is one of several) would
otherwise lose a typed reason on an error. ``keep_input`` stores the fields under a key for the
next page; ``{% kept_input request "item-reject" item.id "reason" as reason %}`` gives a field
back once, then forgets it.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

register = template.Library()

SESSION_KEY = "kept_input"


def keep_input(request: HttpRequest, key: str, fields: dict[str, str]) -> None:
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[key] = {name: str(value)[:2000] for name, value in fields.items()}
    request.session[SESSION_KEY] = kept


@register.simple_tag
def kept_input(request: HttpRequest | None, form: str, ident: Any, field: str) -> str:
    """The value typed into ``field`` of the form ``form`` of record ``ident`` before the error;
    "" if none."""
    key = f"{form}-{ident}"
    session = getattr(request, "session", None)
    if session is None:
        return ""
    kept = session.get(SESSION_KEY) or {}
    entry = kept.get(str(key))
    if not entry:
        return ""
    value = str(entry.pop(field, ""))
    if not entry:
        kept.pop(str(key))
    session[SESSION_KEY] = kept
    return value
