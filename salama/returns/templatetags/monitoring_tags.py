"""The monitoring sections other apps' pages include (one include line each): the case page's
"Reintegration monitoring" section and the receiver's referral page section. The context comes
from here, so cases and referrals (lower apps) import nothing of returns."""

from __future__ import annotations

from typing import Any

from django import template

from salama.core.policy import has_perm, principal_for
from salama.core.roles import Perm
from salama.returns import monitoring_queries
from salama.returns.monitoring_forms import ScheduleForm

register = template.Library()


@register.simple_tag(takes_context=True)
def case_monitoring(context: Any) -> dict[str, Any]:
    """The case page section: shown on returnee cases and cases with a schedule."""
    request, case = context.get("request"), context.get("case")
    principal = principal_for(request) if request is not None else None
    if case is None or principal is None:
        return {"show": False}
    schedules = monitoring_queries.case_schedules(principal, case)
    can_schedule = has_perm(principal, Perm.CASE_CHANGE) and not case.is_closed
    done = [r for b in schedules for r in b["rows"] if r["status"] == "done"]
    latest = done[-1]["visit"].composite if done else None
    return {
        "show": bool(schedules) or case.case_type == "returnee",
        "schedules": schedules,
        "done": len(done),
        "latest": latest,
        "can_schedule": can_schedule,
        "schedule_form": ScheduleForm(auto_id="schedule-%s") if can_schedule else None,
    }


@register.simple_tag(takes_context=True)
def reception_monitoring(context: Any, referral: Any) -> dict[str, Any]:
    request = context.get("request")
    principal = principal_for(request) if request is not None else None
    if referral is None or principal is None:
        return {"schedules": []}
    return {"schedules": monitoring_queries.reception_schedules(principal, referral)}
