"""Reads of risk and safety shared by the case page, the API, the home page and the reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from salama.cases.access import through_visible_case, visible_cases
from salama.cases.models import Case
from salama.cases.safety_models import Contact, RiskAssessment, SafetyPlan
from salama.core.policy import Principal, require_perm
from salama.core.roles import Perm

# The home page lists reviews due within this many days, at most this many.
REVIEWS_AHEAD_DAYS = 7
REVIEWS_LIST_LIMIT = 10
# The case page shows the latest contacts; the API pages through all.
CONTACTS_SHOWN = 20


def current_risk(case: Case) -> RiskAssessment | None:
    """The case's latest risk assessment (the current one), or None."""
    risk = (
        RiskAssessment.objects.filter(case=case)
        .select_related("assessed_by")
        .order_by("-assessed_at", "-id")
        .first()
    )
    if risk is not None:
        risk.case = case
    return risk


def risk_history(case: Case) -> list[RiskAssessment]:
    rows = list(
        RiskAssessment.objects.filter(case=case)
        .select_related("assessed_by")
        .order_by("-assessed_at", "-id")
    )
    for row in rows:
        row.case = case
    return rows


def plan_revisions(case: Case) -> list[SafetyPlan]:
    """Every revision of the safety plan, latest first."""
    rows = list(
        SafetyPlan.objects.filter(case=case)
        .select_related("revised_by", "contact")
        .order_by("-revision")
    )
    for row in rows:
        row.case = case
    return rows


def case_contacts(case: Case, limit: int | None = CONTACTS_SHOWN) -> list[Contact]:
    qs = (
        Contact.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("tasks")
        .order_by("-occurred_at", "-created_at")
    )
    rows = list(qs[:limit] if limit else qs)
    for row in rows:
        row.case = case
    return rows


def current_assessments() -> QuerySet[RiskAssessment]:
    """Each case's latest risk assessment (one row per assessed case)."""
    latest = (
        RiskAssessment.objects.filter(case=OuterRef("case"))
        .order_by("-assessed_at", "-id")
        .values("id")[:1]
    )
    return RiskAssessment.objects.filter(id=Subquery(latest))


def reviews_due(principal: Principal | None, *, today: dt.date | None = None) -> list[Any]:
    """Current risk assessments of the principal's own open cases whose review is past due or
    due within REVIEWS_AHEAD_DAYS, soonest first."""
    principal = require_perm(principal, Perm.CASE_VIEW)
    day = today or timezone.localdate()
    rows = (
        current_assessments()
        .filter(
            through_visible_case(
                principal,
                cases=visible_cases(principal).filter(
                    closed_at__isnull=True, assigned_to=principal.user
                ),
            ),
            next_review_on__lte=day + dt.timedelta(days=REVIEWS_AHEAD_DAYS),
            case__person__erased_at__isnull=True,
        )
        .select_related("case")
        .only("id", "level", "next_review_on", "case__id", "case__reference")
        .order_by("next_review_on", "case__reference")
    )
    return list(rows[:REVIEWS_LIST_LIMIT])
