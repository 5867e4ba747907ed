"""Demo risk assessments, safety plans and contacts on the demo caseworkers' cases (idempotent).

Shows each capability: cases at each risk level, one whose review is overdue, an assessment
history, a safety plan with a revision made at a contact, contacts of each kind, and a task and
a plan item agreed at a contact.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.cases import safety, services
from salama.cases.demo import _actor
from salama.cases.models import Case, PlanItem
from salama.cases.safety_models import PlanReview, RiskAssessment
from salama.core.roles import Role

PLAN = safety.SafetyPlanInput(
    safe_contacts="Her sister (number in the contacts); the caseworker's duty phone.",
    safe_places="The women's shelter; the police station on the main road.",
    warning_signs="Calls from unknown foreign numbers; the recruiter's car near the shelter.",
    actions="Do not answer unknown numbers; go to the shelter and call the duty phone.",
)


def _backdate(assessment: RiskAssessment, days: int) -> None:
    """Make a demo assessment look `days` old, its review counted from then."""
    at = timezone.now() - dt.timedelta(days=days)
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        assessed_at=at,
        next_review_on=timezone.localdate(at) + dt.timedelta(days=assessment.review_days),
    )


def load_demo_safety() -> list[str]:
    made = 0
    now = timezone.now()
    for spec in DEMO_ORGS:
        actor = _actor(demo_email(spec, Role.CASEWORKER))
        if actor is None or actor.organisation is None:
            continue
        org = actor.organisation
        if RiskAssessment.objects.filter(case__organisation=org).exists():
            continue
        cases = [
            case
            for case in Case.objects.filter(
                organisation=org, assigned_to=actor.user, closed_at__isnull=True
            )
            .select_related("person__data_key")
            .order_by("opened_at", "id")[:12]
            if not case.person.is_erased
        ][:5]
        if len(cases) < 5:
            continue
        overdue, high, medium, low, history = cases
        with transaction.atomic():
            # A high risk whose weekly review is three days overdue.
            _backdate(
                safety.record_risk_assessment(
                    actor=actor,
                    case=overdue,
                    level="high",
                    risks=["traffickers", "retaliation_family"],
                    notes="The recruiter has her family's address and has called her mother.",
                ),
                10,
            )
            safety.revise_safety_plan(actor=actor, case=overdue, plan=PLAN, expected_revision=0)
            # A high risk assessed today, with its plan revised at a home visit.
            safety.record_risk_assessment(
                actor=actor,
                case=high,
                level="high",
                risks=["traffickers", "self_harm"],
                notes="Says she cannot sleep; saw the recruiter's car twice this week.",
            )
            safety.revise_safety_plan(actor=actor, case=high, plan=PLAN, expected_revision=0)
            safety.log_contact(
                actor=actor,
                case=high,
                data=safety.ContactInput(
                    occurred_at=now - dt.timedelta(days=6, hours=3),
                    mode="phone",
                    with_whom="person",
                    summary="Checked in after the police statement; she is afraid to go out.",
                    agreed="Accompany her to the clinic on Thursday.",
                    plan_review=PlanReview.CONFIRMED,
                    follow_up="Accompany to the clinic",
                    follow_up_due=timezone.localdate() + dt.timedelta(days=2),
                ),
            )
            visit = safety.log_contact(
                actor=actor,
                case=high,
                data=safety.ContactInput(
                    occurred_at=now - dt.timedelta(hours=5),
                    mode="home_visit",
                    with_whom="person",
                    place="The shelter",
                    summary="Went over the safety plan; she named a new safe contact.",
                    agreed="Add the imam of the local mosque as a safe contact; start counselling.",
                    plan_review=PlanReview.REVISED,
                    plan=safety.SafetyPlanInput(
                        **{
                            **PLAN.__dict__,
                            "safe_contacts": PLAN.safe_contacts + " The imam of the local mosque.",
                        }
                    ),
                    follow_up="Book the first counselling session",
                    follow_up_due=timezone.localdate() - dt.timedelta(days=1),
                ),
                expected_revision=1,
            )
            item = services.add_plan_item(
                actor=actor,
                case=high,
                goal="Psychological recovery",
                action="Weekly counselling sessions",
                service_type="mental_health",
            )
            PlanItem.objects.filter(pk=item.pk).update(contact=visit)
            safety.log_contact(
                actor=actor,
                case=high,
                data=safety.ContactInput(
                    occurred_at=now - dt.timedelta(days=3),
                    mode="message",
                    with_whom="provider",
                    summary="The clinic confirmed Thursday's appointment.",
                ),
            )
            # Medium and low risks, on their monthly and quarterly reviews.
            safety.record_risk_assessment(
                actor=actor, case=medium, level="medium", risks=["legal", "health"]
            )
            safety.record_risk_assessment(actor=actor, case=low, level="low", risks=["other"])
            safety.log_contact(
                actor=actor,
                case=low,
                data=safety.ContactInput(
                    occurred_at=now - dt.timedelta(days=1),
                    mode="video",
                    with_whom="family",
                    summary="Spoke with her brother about the return date.",
                ),
            )
            # A history: high at first, medium after a month of shelter.
            _backdate(
                safety.record_risk_assessment(
                    actor=actor, case=history, level="high", risks=["traffickers"]
                ),
                35,
            )
            safety.record_risk_assessment(
                actor=actor, case=history, level="medium", risks=["traffickers", "legal"]
            )
            made += 5
    if made:
        return [f"Loaded risk and safety records on {made} demo cases."]
    return ["Demo risk and safety records already loaded."]
