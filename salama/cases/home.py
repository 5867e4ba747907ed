"""The cases app's panels on the home page (registered from CasesConfig.ready).

Caseworkers see their own open cases by stage, their tasks due and overdue, and the consents of
their cases' persons that run out soon; supervisors see the organisation's cases by stage, who
carries how many, and reflection periods ending; data officers see what they can do today. Every
count links to the case list filtered to exactly what it counts.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from salama.cases import queries
from salama.cases.choices import Stage
from salama.core import home
from salama.core.policy import Principal
from salama.core.roles import Perm, Role
from salama.people.choices import ConsentPurpose


def case_list_url(**params: Any) -> str:
    """The case list filtered by `params` (the fields of queries.CaseListQuery)."""
    return f"{reverse('cases:case-list')}?{urlencode({k: str(v) for k, v in params.items()})}"


NONE = queries.Tally(0)


def _stages(
    counts: dict[str, queries.Tally], *, everyone: bool, keep_empty: bool
) -> list[dict[str, Any]]:
    mine = {} if everyone else {"assigned": queries.ASSIGNED_TO_ME}
    return [
        {
            "stage": value,
            "label": label,
            "count": counts.get(value, NONE).n,
            "more": counts.get(value, NONE).more,
            "url": case_list_url(status="open", stage=value, **mine),
        }
        for value, label in Stage.choices
        if value != Stage.CLOSED and (keep_empty or value in counts)
    ]


def _total(counts: dict[str, queries.Tally]) -> dict[str, Any]:
    return {
        "total": sum(t.n for t in counts.values()),
        "total_more": any(t.more for t in counts.values()),
    }


def my_cases(principal: Principal) -> dict[str, Any]:
    counts = queries.open_cases_by_stage(principal, mine=True)
    return {
        "stages": _stages(counts, everyone=False, keep_empty=False),
        **_total(counts),
        "total_url": case_list_url(status="open", assigned=queries.ASSIGNED_TO_ME),
    }


def my_tasks(principal: Principal) -> dict[str, Any]:
    today = timezone.localdate()
    tasks = [
        {
            "title": task.shown_title,
            "reference": task.case.reference,
            "url": f"{reverse('cases:case-detail', args=[task.case.id])}?open=plan#tasks",
            "when": home.due(task.due_on, today),
        }
        for task in queries.tasks_due(principal, today=today)
        if task.due_on is not None
    ]
    overdue = queries.overdue_case_count(principal, mine=True, today=today)
    return {
        "tasks": tasks,
        "days_ahead": queries.TASKS_AHEAD_DAYS,
        "overdue_cases": overdue.n,
        "overdue_url": case_list_url(status="open", assigned=queries.ASSIGNED_TO_ME, overdue="on"),
    }


def my_consents(principal: Principal) -> dict[str, Any]:
    today = timezone.localdate()
    purposes = dict(ConsentPurpose.choices)
    consents = [
        {
            "purpose": purposes.get(c.purpose, c.purpose),
            "recipient": c.recipient.name if c.recipient_id else "",
            "reference": c.case_reference,  # type: ignore[attr-defined]
            "url": f"{reverse('people:person-detail', args=[c.person_id])}#consents",
            "when": home.expires(c.expires_on, today),
        }
        for c in queries.consents_expiring(principal, today=today)
        if c.expires_on is not None
    ]
    return {"consents": consents, "days_ahead": queries.CONSENTS_AHEAD_DAYS}


def stage_board(principal: Principal) -> dict[str, Any]:
    counts = queries.open_cases_by_stage(principal)
    return {
        "stages": _stages(counts, everyone=True, keep_empty=True),
        **_total(counts),
        "total_url": case_list_url(status="open"),
        "cap": queries.HOME_COUNT_CAP,
    }


def team_workload(principal: Principal) -> dict[str, Any]:
    return {
        "rows": [
            {
                "name": user.full_name or user.email,
                "count": count.n,
                "more": count.more,
                "url": case_list_url(status="open", assignee=user.uuid),
            }
            for user, count in queries.workload(principal)
        ],
        "assign_url": case_list_url(status="open"),
    }


def reflection(principal: Principal) -> dict[str, Any]:
    today = timezone.localdate()
    cases = [
        {
            "reference": case.reference,
            "url": case.get_absolute_url(),
            "caseworker": (case.assigned_to.full_name or case.assigned_to.email)
            if case.assigned_to
            else "",
            "when": home.ends(case.reflection_ends, today),
        }
        for case in queries.reflection_ending(principal, today=today)
        if case.reflection_ends is not None
    ]
    return {"cases": cases, "days_ahead": queries.REFLECTION_AHEAD_DAYS}


def statistics(principal: Principal) -> dict[str, Any]:
    totals = queries.case_totals(principal)
    return {"totals": totals, "small": queries.SMALL_COUNT}


def register_panels() -> None:
    caseworker, supervisor = (Role.CASEWORKER,), (Role.SUPERVISOR,)
    home.register_panel(
        "cases.mine",
        perm=Perm.CASE_VIEW,
        roles=caseworker,
        reader=my_cases,
        template="cases/panels/mine.html",
        order=10,
    )
    home.register_panel(
        "cases.tasks",
        perm=Perm.CASE_VIEW,
        roles=caseworker,
        reader=my_tasks,
        template="cases/panels/tasks.html",
        order=20,
    )
    home.register_panel(
        "cases.consents",
        perm=Perm.PERSON_VIEW,
        roles=caseworker,
        reader=my_consents,
        template="cases/panels/consents.html",
        order=40,
    )
    home.register_panel(
        "cases.board",
        perm=Perm.CASE_VIEW_ALL,
        roles=supervisor,
        reader=stage_board,
        template="cases/panels/board.html",
        order=10,
    )
    home.register_panel(
        "cases.workload",
        perm=Perm.CASE_VIEW_ALL,
        roles=supervisor,
        reader=team_workload,
        template="cases/panels/workload.html",
        order=20,
    )
    home.register_panel(
        "cases.reflection",
        perm=Perm.CASE_VIEW_ALL,
        roles=supervisor,
        reader=reflection,
        template="cases/panels/reflection.html",
        order=50,
    )
    home.register_panel(
        "cases.statistics",
        perm=Perm.STATS_VIEW,
        roles=(Role.DATA_OFFICER,),
        reader=statistics,
        template="cases/panels/statistics.html",
        order=10,
    )
    home.register_panel(
        "cases.retention",
        perm=Perm.RETENTION_MANAGE,
        reader=lambda principal: {},
        template="cases/panels/retention.html",
        order=910,
    )
