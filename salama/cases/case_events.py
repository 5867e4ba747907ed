"""The domain events a case announces (salama.core.events) and the codes they carry.

A case's event data holds its reference, type and stage codes, and staff ids where a hand-over is
the news; never the person, a note or a reason written in words.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from salama.core import events

DESCRIPTIONS = {
    "case.opened": _("A case was opened"),
    "case.stage_changed": _("A case moved to another stage"),
    "case.closed": _("A case was closed"),
    "case.reopened": _("A closed case was reopened"),
    "case.reassigned": _("A case was assigned to another caseworker"),
}


def declare_events() -> None:
    for name, description in DESCRIPTIONS.items():
        events.declare(name, cast(str, description))  # lazy: translated where it is shown


def case_event_data(case: Any) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "case_type": str(case.case_type),
        "stage": str(case.stage),
    }
