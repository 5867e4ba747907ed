"""What the case page shows of risk and safety, and its forms (salama.cases.safety_views).

The risk level and its next review are shown with the case (the summary header reads
``risk_level`` and ``next_review_on``); the notes, the safety plan and the contact log are
identifying data about the person and need person.view besides.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from salama.cases import safety_queries
from salama.cases.models import Case
from salama.cases.safety_forms import (
    PLAN_FIELDS,
    ContactForm,
    RiskAssessmentForm,
    SafetyPlanForm,
)
from salama.cases.safety_models import Risk, RiskLevel
from salama.core import home
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm

OPEN_SAFETY = "safety"
# Which form the page shows (?safety=…): forms are drawn only when asked for.
EDIT_RISK = "risk"
EDIT_PLAN = "plan"
EDIT_CONTACT = "contact"
_SECTION_FORMS = {"risk": EDIT_RISK, "safety_plan": EDIT_PLAN, "contact": EDIT_CONTACT}


def safety_context(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Any]
) -> dict[str, Any]:
    today = timezone.localdate()
    risk = safety_queries.current_risk(case)
    content = has_perm(principal, Perm.PERSON_VIEW) and not case.person.is_erased
    can_write = content and has_perm(principal, Perm.CASE_CHANGE) and not case.is_closed
    context: dict[str, Any] = {
        "risk_level": risk.level if risk else "",
        "risk_level_label": RiskLevel(risk.level).label if risk else "",
        "next_review_on": risk.next_review_on if risk else None,
        "risk_review_overdue": bool(risk and risk.review_overdue(today)),
        "risk_review_when": home.due(risk.next_review_on, today) if risk else None,
        "current_risk": risk,
        "can_see_safety": content,
        "can_write_safety": can_write,
    }
    if not content:
        return context
    revisions = safety_queries.plan_revisions(case)
    plan = revisions[0] if revisions else None
    revision = plan.revision if plan else 0
    risk_labels = dict(Risk.choices)
    wanted = request.GET.get(OPEN_SAFETY, "") if can_write and request.method == "GET" else ""
    shown = next((v for k, v in _SECTION_FORMS.items() if k in bound), wanted)
    plan_initial = {name: getattr(plan, name) for name in PLAN_FIELDS} if plan else {}
    risk_form = bound.get("risk")
    if risk_form is None and shown == EDIT_RISK:
        risk_form = RiskAssessmentForm(
            initial={"level": risk.level, "risks": risk.risks} if risk else {}
        )
    plan_form = bound.get("safety_plan")
    if plan_form is None and shown == EDIT_PLAN:
        plan_form = SafetyPlanForm(initial={**plan_initial, "revision": revision})
    contact_form = bound.get("contact")
    if contact_form is None and shown == EDIT_CONTACT:
        contact_form = ContactForm(initial={**plan_initial, "revision": revision})
    context.update(
        {
            "risk_history": [
                {
                    "risk": r,
                    "risks": [str(risk_labels.get(code, code)) for code in r.risks],
                }
                for r in safety_queries.risk_history(case)
            ],
            "safety_plan": plan,
            "safety_plan_revisions": revisions[1:],
            "contacts": safety_queries.case_contacts(case),
            "risk_form": risk_form,
            "safety_plan_form": plan_form,
            "contact_form": contact_form,
            "safety_open": bool(shown) or request.GET.get("open") == OPEN_SAFETY,
        }
    )
    return context
