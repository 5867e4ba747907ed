"""The "Return" section of the case page: the journey as a timeline of steps, and the next
allowed steps as forms (a form that comes back with errors keeps what was typed, in place)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from salama.assistance.models import Fund
from salama.cases.case_page import register_section_context
from salama.cases.models import Case
from salama.core.countries import COUNTRIES
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.referrals.access import visible_services
from salama.returns import rules
from salama.returns.access import visible_journeys
from salama.returns.choices import (
    STEP_DONE,
    ActionKind,
    CancelReason,
    Dimension,
    Fitness,
    Level,
    NoShowReason,
    RiskLevel,
    Step,
)
from salama.returns.forms import HandoverForm, OpenJourneyForm, ReintegrationActionForm, StepForm
from salama.returns.models import ReturnJourney
from salama.returns.services import HANDOVER_FROM, RECEPTION_SERVICE_TYPES

SECTION = "return"


def step_detail(details: dict[str, Any]) -> str:
    """A step's codes in words (risk level, fitness, reason...)."""
    labels = {
        **dict(RiskLevel.choices),
        **dict(Fitness.choices),
        **dict(CancelReason.choices),
        **dict(NoShowReason.choices),
        **dict(Dimension.choices),
        **dict(Level.choices),
        **dict(ActionKind.choices),
    }
    words = []
    for key in ("risk_level", "fitness", "reason", "dimension", "level", "kind"):
        if key in details:
            words.append(str(labels.get(details[key], details[key])))
    return " · ".join(words)


def timeline(journey: ReturnJourney) -> list[dict[str, Any]]:
    return [
        {
            "step": s,
            "label": STEP_DONE.get(s.step, s.step),
            "detail": step_detail(s.details),
            "by": s.actor.full_name if s.actor else "",
            "org": s.organisation.name if s.organisation else "",
        }
        for s in journey.steps.select_related("actor", "organisation").order_by(
            "happened_on", "recorded_at"
        )
    ]


def _services(journey: ReturnJourney, principal: Principal) -> list[tuple[str, str]]:
    services = visible_services(principal).filter(
        service_type__in=sorted(RECEPTION_SERVICE_TYPES),
        provider__organisation__country=journey.country,
        is_active=True,
    )
    return [
        (str(s.uuid), f"{s.name} — {s.provider.organisation.name}")
        for s in services.select_related("provider__organisation")
    ]


def _funds(case: Case) -> list[tuple[str, str]]:
    funds = Fund.objects.filter(organisation_id=case.organisation_id, is_active=True)
    return [(str(f.pk), f"{f.name} ({f.currency})") for f in funds.order_by("name")]


def return_context(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Any]
) -> dict[str, Any]:
    if not has_perm(principal, Perm.PERSON_VIEW):
        return {"return_readable": False}
    journeys = list(visible_journeys(principal).filter(case=case).order_by("-opened_at"))
    current = next((j for j in journeys if j.is_open), journeys[0] if journeys else None)
    can_change = (
        has_perm(principal, Perm.CASE_CHANGE) and not case.is_closed and not case.person.is_erased
    )
    form = bound.get(SECTION)
    kind = getattr(form, "kind", None)
    context: dict[str, Any] = {
        "return_readable": True,
        "return_journey": current,
        "return_past": [j for j in journeys if j is not current],
        "return_country": str(COUNTRIES.get(current.country, current.country)) if current else "",
        "return_end_reason": step_detail({"reason": current.end_reason})
        if current and current.end_reason
        else "",
        "return_timeline": timeline(current) if current else [],
        "return_legs": list(current.legs.all()) if current else [],
        "return_actions": list(current.reintegration_actions.select_related("assistance_item"))
        if current
        else [],
        "return_can_change": can_change,
        "return_open_form": None,
        "return_step_forms": [],
        "return_handover_form": None,
        "return_action_form": None,
    }
    if not can_change:
        return context
    if current is None or not current.is_open:
        context["return_open_form"] = form if kind == "open" else OpenJourneyForm()
        return context
    step_forms = []
    for step in rules.allowed_steps(current.status, rules.HOST_STEPS):
        if kind == "step" and form.step == step:
            shown = form
        else:
            shown = StepForm(step=step, initial={"version": current.version})
        step_forms.append({"step": step, "label": Step(step).label, "form": shown})
    context["return_step_forms"] = step_forms
    referral = current.reception_referral
    if current.status in HANDOVER_FROM and (referral is None or not referral.is_open):
        context["return_handover_form"] = (
            form if kind == "handover" else HandoverForm(services=_services(current, principal))
        )
    context["return_action_form"] = (
        form if kind == "reintegration" else ReintegrationActionForm(funds=_funds(case))
    )
    return context


def register_section() -> None:
    register_section_context(SECTION, return_context)
