"""The "Family tracing" section of the case page: the case's requests with their matches, and
the matches where the case's person is the one sought."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from salama.cases.case_page import register_section_context
from salama.cases.models import Case
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.tracing import queries

SECTION = "tracing"


def tracing_context(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Any]
) -> dict[str, Any]:
    if not has_perm(principal, Perm.PERSON_VIEW):
        return {"tracing_readable": False}
    requests = [
        {"tr": tr, "matches": queries.request_matches(principal, tr)}
        for tr in queries.requests_of_case(principal, case)
    ]
    return {
        "tracing_readable": True,
        "tracing_requests": requests,
        "tracing_sought": queries.matches_about_case(principal, case),
        "tracing_can_open": has_perm(principal, Perm.CASE_CHANGE)
        and not case.is_closed
        and not case.person.is_erased,
    }


def register_section() -> None:
    register_section_context(SECTION, tracing_context)
