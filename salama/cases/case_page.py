"""The case page's summary header and the sections a caseworker opens when needed.

The header answers at a glance what a caseworker checks before acting: who, which stage (with
its HTCDS trafficking status), the risk level, what the person consented to and what is due
next. Below it each part of the case is a closed section; `?open=<section>` opens one, and a
form that comes back with errors opens its own, so nothing typed is hidden or lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.forms import Form
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from salama.cases import queries
from salama.cases.choices import PlanItemStatus, TaskStatus
from salama.cases.models import Case
from salama.core import home
from salama.core.policy import Principal, visible
from salama.people.choices import ConsentPurpose, TraffickingStatus

# Other names a link may use for a section (`?open=tasks` opens the plan and tasks).
ALIASES = {"tasks": "plan", "files": "notes", "summary": "notes", "perpetrators": "exploitation"}
# Which section each case-page form lives in: a redirect after its post, or its errors, open it.
SECTION_OF_FORM = {
    "move": "stage",
    "close": "stage",
    "reopen": "stage",
    "assign": "stage",
    "decide": "stage",
    "summary": "notes",
    "note": "notes",
    "attachment": "notes",
    "task": "plan",
    "task_status": "plan",
    "plan": "plan",
    "plan_status": "plan",
}
EXPLOITATION_FORMS = frozenset({"exploitation", "events", "perpetrator", "open"})
# The forms shown with what was typed, whose refusals go onto the form itself; the others (stage
# buttons, status menus) show theirs above the page.
FORMS_WITH_TEXT = frozenset({"close", "summary", "assign", "note", "attachment", "task", "plan"})

# HTCDS cas_Status, as the stage table gives it, in words.
CASE_STATUS_LABELS = {
    "Active": gettext_lazy("Active"),
    "FollowUp": gettext_lazy("Follow-up"),
    "Closed": gettext_lazy("Closed"),
    "ClosedReferred": gettext_lazy("Closed (referred on)"),
}


def section_of(form_name: str) -> str:
    """The section a form lives in: as listed, the exploitation record's forms (its places, a
    perpetrator's, by their prefix `p-<id>`) in theirs, else the section of the form's name (a
    section added by another app names its bound forms after itself)."""
    if form_name in EXPLOITATION_FORMS or form_name.startswith("p-"):
        return "exploitation"
    return SECTION_OF_FORM.get(form_name, form_name)


def section_url(case: Case, form_name: str) -> str:
    """Where to go after a form of the case page was saved: its section, open."""
    section = section_of(form_name)
    return f"{case.get_absolute_url()}?open={section}#{section}"


def form_ids(form_name: str) -> str:
    """The id pattern of one case-page form: its name first, as several share field names
    (a task and a plan item both have a due date)."""
    return f"{form_name.replace('_', '-')}-%s"


def open_sections(request: HttpRequest, bound: dict[str, Form | None]) -> frozenset[str]:
    """The sections shown open: those the URL names and those holding a form with errors."""
    asked = {ALIASES.get(name, name) for name in request.GET.getlist("open")}
    return frozenset(asked | {section_of(name) for name in bound})


def _consents(principal: Principal, case: Case, today: dt.date) -> list[dict[str, Any]]:
    """The person's consents in force, soonest to run out first, each saying when it ends."""
    if case.person.is_erased:
        return []
    purposes = dict(ConsentPurpose.choices)
    consents = (
        visible(principal, "people.consent")
        .filter(person=case.person, withdrawn_at__isnull=True, given_on__lte=today)
        .exclude(expires_on__lt=today)
        .select_related("recipient")
        .only("id", "purpose", "expires_on", "recipient__name", "person_id")
        .order_by("expires_on", "purpose")
    )
    shown = []
    for c in consents:
        when = home.expires(c.expires_on, today) if c.expires_on else None
        shown.append(
            {
                "purpose": purposes.get(c.purpose, c.purpose),
                "recipient": c.recipient.name if c.recipient_id else "",
                "when": when,
                "soon": when is not None and when.days <= queries.CONSENTS_AHEAD_DAYS,
            }
        )
    return shown


def _next_due(tasks: list[Any], plan_items: list[Any], today: dt.date) -> dict[str, Any] | None:
    """The open task or plan action due soonest: what it is, when, and how late."""
    due = [
        (t.due_on, "task", t.shown_title) for t in tasks if t.status == TaskStatus.OPEN and t.due_on
    ]
    due += [
        (p.due_on, "plan", p.shown_action)
        for p in plan_items
        if p.due_on and p.status in (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS)
    ]
    if not due:
        return None
    day, kind, title = min(due, key=lambda item: item[0])
    return {"title": title, "kind": kind, "due_on": day, "when": home.due(day, today)}


def _related(principal: Principal, case: Case) -> dict[str, Any]:
    """What other apps recorded on the case, read through their registered visibility rules (a
    missing app or permission gives empty lists, never an error)."""

    def of(label: str) -> Any:
        return visible(principal, label).filter(case=case)

    return {
        "identification_decisions": list(
            of("screening.identificationdecision").only(
                "id", "step", "outcome", "decided_on", "authority_name", "case_id"
            )[:10]
        ),
        "screenings": list(
            of("screening.screening").only("id", "status", "outcome", "created_at", "case_id")[:5]
        ),
        "assessment_count": of("screening.vulnerabilityassessment").count(),
        "case_referrals": list(
            of("referrals.referral")
            .select_related("to_organisation")
            .only("id", "status", "service_type", "sent_at", "to_organisation__name", "case_id")
            .order_by("-sent_at")[:10]
        ),
        "assistance_count": of("assistance.assistanceitem").count(),
    }


# Sections that apps above cases add to the case page (returns...): each registers one function
# giving its partial's context; the partial is included by one line in case_detail.html.
SectionContext = Callable[[HttpRequest, Principal, Case, dict[str, Any]], dict[str, Any]]
_SECTION_CONTEXTS: dict[str, SectionContext] = {}


def register_section_context(key: str, context: SectionContext) -> None:
    """Called from an app's ready(): its section's context, merged into the case page's."""
    _SECTION_CONTEXTS[key] = context


def section_contexts(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Any]
) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for context in _SECTION_CONTEXTS.values():
        merged.update(context(request, principal, case, bound))
    return merged


def case_page_context(
    request: HttpRequest,
    principal: Principal,
    case: Case,
    bound: dict[str, Any],
    *,
    tasks: list[Any],
    plan_items: list[Any],
    case_status: str,
) -> dict[str, Any]:
    today = timezone.localdate()
    status = case.person.trafficking_status
    return {
        "open_sections": open_sections(request, bound),
        # HTCDS vic_TraffickingStatus, set by identification decisions (blank: not assessed).
        "trafficking_status_label": dict(TraffickingStatus.choices).get(status, status),
        "case_status_label": CASE_STATUS_LABELS.get(case_status, case_status),
        "consents_at_a_glance": _consents(principal, case, today),
        "next_due": _next_due(tasks, plan_items, today),
        "open_task_count": sum(1 for t in tasks if t.status == TaskStatus.OPEN),
        "overdue_task_count": sum(1 for t in tasks if t.is_overdue(today)),
        **_related(principal, case),
        **section_contexts(request, principal, case, bound),
    }
