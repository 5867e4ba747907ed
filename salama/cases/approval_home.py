"""Supervision approvals on the home page: what waits for a supervisor, counted per kind and
linked to the queue filtered to that kind; and, for a caseworker, what came back for changes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from salama.cases import approval_queries
from salama.cases.approval_views import queue_url
from salama.cases.choices import ApprovalKind
from salama.core import home
from salama.core.policy import Principal
from salama.core.roles import Perm, Role


def approvals_waiting(principal: Principal) -> dict[str, Any]:
    counts = approval_queries.pending_counts(principal)
    return {
        "kinds": [
            {"kind": value, "label": label, "count": counts[value], "url": queue_url(value)}
            for value, label in ApprovalKind.choices
        ],
        "total": sum(counts.values()),
        "queue_url": reverse("cases:approval-queue"),
    }


def returned_for_changes(principal: Principal) -> dict[str, Any] | None:
    items = approval_queries.returned_to_me(principal)
    if not items:
        return None  # the panel appears only when something came back
    return {
        "items": [
            {
                "reference": item.reference,
                "kind": item.kind_label,
                "comment": item.comment,
                "by": item.decided_by,
                "url": f"{item.case.get_absolute_url()}#approvals",
            }
            for item in items
        ]
    }


def register_panels() -> None:
    home.register_panel(
        "cases.approvals",
        perm=Perm.CASE_APPROVE,
        roles=(Role.SUPERVISOR,),
        reader=approvals_waiting,
        template="cases/panels/approvals.html",
        order=25,
    )
    home.register_panel(
        "cases.returned",
        perm=Perm.CASE_CHANGE,
        roles=(Role.CASEWORKER,),
        reader=returned_for_changes,
        template="cases/panels/returned.html",
        order=15,
    )
