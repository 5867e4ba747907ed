"""The home page as a registry of panels: each app says what its people see first.

Core knows no domain app. Each app registers its panels from its ``AppConfig.ready`` (from a
``home.py`` of its own): a key, who sees the panel (a permission, and optionally roles), a reader
that takes the acting principal and returns what the panel shows (or None to leave the panel out,
say when there is nothing to report), and the template that draws it. The home page asks every
panel a principal qualifies for, in order, and includes each template with the reader's result as
``panel``.

A reader runs on every visit to the home page, so it reads through its app's ``queries.py``: a
bounded number of statements, each filtered on indexed columns and scoped to the principal's
organisation (counts as ``.values().annotate()`` aggregates, lists with a limit).

Deny by default: a panel names the permission it needs, and a principal without it (an
unverified session holds none) never reaches the reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salama.core.policy import Principal, has_perm

Reader = Callable[[Principal], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    """One registered panel: who sees it, what it reads, how it is drawn, where it stands."""

    key: str
    perm: str
    roles: frozenset[str]  # empty: any role that holds `perm`
    reader: Reader
    template: str
    order: int


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the home page draws it: its template and what its reader returned."""

    key: str
    template: str
    data: Mapping[str, Any]


_PANELS: dict[str, Panel] = {}


def register_panel(
    key: str,
    *,
    perm: str,
    reader: Reader,
    template: str,
    roles: Iterable[str] = (),
    order: int = 100,
) -> None:
    """Declare a home-page panel (called from the app's ready(); registering a key again
    replaces it). Lower `order` comes first."""
    _PANELS[key] = Panel(
        key=key,
        perm=perm,
        roles=frozenset(str(r) for r in roles),
        reader=reader,
        template=template,
        order=order,
    )


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def qualifies(principal: Principal | None, panel: Panel) -> bool:
    """Whether the principal may see `panel` at all (before its reader runs)."""
    if principal is None or not has_perm(principal, panel.perm):
        return False
    return not panel.roles or principal.role in panel.roles


def panels_for(principal: Principal | None) -> list[ShownPanel]:
    """The panels of the principal's home page, in order, each with what its reader returned."""
    shown = []
    for panel in registered_panels():
        if not qualifies(principal, panel):
            continue
        assert principal is not None
        data = panel.reader(principal)
        if data is not None:
            shown.append(ShownPanel(key=panel.key, template=panel.template, data=data))
    return shown


# Dates in words ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """How far a date is from today, in words, and how urgent that makes it."""

    days: int  # negative: past
    text: str
    level: str  # "danger" (past), "warn" (today or within two days) or "" (later)

    def __str__(self) -> str:
        return self.text


def _level(days: int) -> str:
    if days < 0:
        return "danger"
    return "warn" if days <= 2 else ""


def due(day: dt.date, today: dt.date) -> When:
    """A deadline: "3 days overdue", "due today", "due tomorrow", "due in 4 days"."""
    days = (day - today).days
    if days < 0:
        text = ngettext("%(n)s day overdue", "%(n)s days overdue", -days) % {"n": -days}
    elif days == 0:
        text = _("due today")
    elif days == 1:
        text = _("due tomorrow")
    else:
        text = ngettext("due in %(n)s day", "due in %(n)s days", days) % {"n": days}
    return When(days, text, _level(days))


def deadline(moment: dt.datetime, now: dt.datetime) -> When:
    """A deadline at a moment (a referral's stage): as `due`, by local dates, except that one
    passed earlier today is "overdue since today", not "due today"."""
    day, today = timezone.localdate(moment), timezone.localdate(now)
    if now > moment and day == today:
        return When(-1, _("overdue since today"), "danger")
    return due(day, today)


def expires(day: dt.date, today: dt.date) -> When:
    """An expiry: "expired 2 days ago", "expires today", "expires in 12 days"."""
    days = (day - today).days
    if days < 0:
        text = ngettext("expired %(n)s day ago", "expired %(n)s days ago", -days) % {"n": -days}
    elif days == 0:
        text = _("expires today")
    else:
        text = ngettext("expires in %(n)s day", "expires in %(n)s days", days) % {"n": days}
    return When(days, text, _level(days))


def ends(day: dt.date, today: dt.date) -> When:
    """The end of a period: "ended 2 days ago", "ends today", "ends in 5 days"."""
    days = (day - today).days
    if days < 0:
        text = ngettext("ended %(n)s day ago", "ended %(n)s days ago", -days) % {"n": -days}
    elif days == 0:
        text = _("ends today")
    else:
        text = ngettext("ends in %(n)s day", "ends in %(n)s days", days) % {"n": days}
    return When(days, text, _level(days))
