"""What a notification says, composed in the reader's language from a code and its parameters.

A notification stores ``code`` and ``params`` (names, short ids, status codes, counts; never
personal data) and is read through ``Notification.shown_message``: the in-app list renders it in
the language of whoever reads it and each email in its recipient's language (``notify``), not in
the language of the user whose action triggered it. ``message`` keeps the text as first composed,
the fallback for rows from before the codes and for a code no renderer knows. A referral is
described from the notification's own referral, so the description follows the referral.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salama.referrals.choices import ReferralStatus

if TYPE_CHECKING:
    from salama.accounts.models import User
    from salama.referrals.models import Referral

REFERRAL_RECEIVED = "referral.received"
REFERRAL_STATUS = "referral.status"
REFERRAL_OVERDUE = "referral.overdue"
TRANSFER_REQUESTED = "transfer.requested"
TRANSFER_ACCEPTED = "transfer.accepted"
TRANSFER_DECLINED = "transfer.declined"


@dataclass(frozen=True)
class Message:
    """A notification's text to be composed later: its code and parameters (JSON values)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, referral: Referral | None = None) -> str | None:
        return render(self.code, self.params, referral)


def language_of(user: User) -> str:
    """The language a user reads notifications in: theirs if Salama has it, else the default."""
    code = (getattr(user, "preferred_language", "") or "").strip().lower()
    known = {c for c, _name in settings.LANGUAGES}
    if code in known:
        return code
    if code.split("-")[0] in known:
        return code.split("-")[0]
    return str(settings.LANGUAGE_CODE)


def _what(referral: Referral | None) -> str | None:
    if referral is None:
        return None
    from salama.referrals.notifications import describe_referral

    return describe_referral(referral)


def _received(p: Mapping[str, Any], referral: Referral | None) -> str | None:
    what = _what(referral)
    return None if what is None else _("New referral: %(what)s.") % {"what": what}


def _status(p: Mapping[str, Any], referral: Referral | None) -> str | None:
    what = _what(referral)
    if what is None or p.get("status") not in ReferralStatus.values:
        return None
    return _("%(what)s is now %(status)s.") % {
        "what": what,
        "status": str(ReferralStatus(p["status"]).label).lower(),
    }


def _overdue(p: Mapping[str, Any], referral: Referral | None) -> str | None:
    what = _what(referral)
    try:
        due = dt.datetime.fromisoformat(str(p["due"]))
    except (KeyError, ValueError):
        return None
    if what is None:
        return None
    waiting = (
        _("acknowledgement")
        if p.get("stage") == ReferralStatus.SENT
        else _("a decision (accept or decline)")
    )
    return _("%(what)s is overdue: %(waiting)s was due on %(due)s.") % {
        "what": what,
        "waiting": waiting,
        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
    }


def _transfer_requested(p: Mapping[str, Any], referral: Referral | None) -> str:
    return _("%(org)s asks you to take on a case (transfer %(id)s).") % {
        "org": p.get("org", ""),
        "id": p.get("id", ""),
    }


def _transfer_accepted(p: Mapping[str, Any], referral: Referral | None) -> str:
    message = _("%(org)s accepted transfer %(id)s; the case is now theirs.") % {
        "org": p.get("org", ""),
        "id": p.get("id", ""),
    }
    cancelled, kept = int(p.get("cancelled") or 0), int(p.get("kept") or 0)
    if cancelled:
        message += " " + ngettext(
            "%(n)s open assistance item on your funds was cancelled.",
            "%(n)s open assistance items on your funds were cancelled.",
            cancelled,
        ) % {"n": cancelled}
    if kept:
        message += " " + ngettext(
            "%(n)s open assistance item stays yours to pay or cancel.",
            "%(n)s open assistance items stay yours to pay or cancel.",
            kept,
        ) % {"n": kept}
    return message


def _transfer_declined(p: Mapping[str, Any], referral: Referral | None) -> str:
    return _("%(org)s declined transfer %(id)s.") % {
        "org": p.get("org", ""),
        "id": p.get("id", ""),
    }


RENDERERS: dict[str, Callable[[Mapping[str, Any], Referral | None], str | None]] = {
    REFERRAL_RECEIVED: _received,
    REFERRAL_STATUS: _status,
    REFERRAL_OVERDUE: _overdue,
    TRANSFER_REQUESTED: _transfer_requested,
    TRANSFER_ACCEPTED: _transfer_accepted,
    TRANSFER_DECLINED: _transfer_declined,
}


def render(code: str, params: Any, referral: Referral | None = None) -> str | None:
    """The text in the active language, or None when the code or its parameters are unknown."""
    renderer = RENDERERS.get(code) if code else None
    if renderer is None or not isinstance(params, Mapping):
        return None
    return renderer(params, referral)
