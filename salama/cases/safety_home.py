"""The caseworker's home-page panel of risk reviews due and overdue (from CasesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from salama.cases import safety_queries
from salama.cases.safety_models import RiskLevel
from salama.core import home
from salama.core.policy import Principal
from salama.core.roles import Perm, Role


def reviews(principal: Principal) -> dict[str, Any]:
    today = timezone.localdate()
    levels = dict(RiskLevel.choices)
    rows = [
        {
            "reference": risk.case.reference,
            "url": f"{reverse('cases:case-detail', args=[risk.case.id])}?open=safety#safety",
            "level": risk.level,
            "level_label": levels.get(risk.level, risk.level),
            "when": home.due(risk.next_review_on, today),
        }
        for risk in safety_queries.reviews_due(principal, today=today)
    ]
    return {
        "reviews": rows,
        "overdue": sum(1 for row in rows if row["when"].days < 0),
        "days_ahead": safety_queries.REVIEWS_AHEAD_DAYS,
    }


def register_safety_panels() -> None:
    home.register_panel(
        "cases.risk_reviews",
        perm=Perm.CASE_VIEW,
        roles=(Role.CASEWORKER,),
        reader=reviews,
        template="cases/panels/risk_reviews.html",
        order=25,
    )
