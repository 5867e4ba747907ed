"""Another organisation's caseworker learns nothing: no case page, no search hit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.cases.services import open_case
from salama.core.policy import Principal
from salama.people.services import register_person


@pytest.mark.browser
def test_other_organisation_caseworker_gets_not_found_for_a_case(
    page: Page, caseworker_a: Any, caseworker_b: Any, login: Any, scripts_ready: Any
) -> None:
    principal = Principal(
        user=caseworker_a, membership=caseworker_a.memberships.first(), verified=True
    )
    person = register_person(
        actor=principal,
        given_name="Mohammed",
        family_name="Hassan",
        date_of_birth=dt.date(1990, 5, 12),
    )
    case = open_case(actor=principal, person=person, case_type="trafficking")

    login(page, caseworker_b, PASSWORD)
    response = page.goto(f"/cases/{case.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(page.get_by_text("Mohammed Hassan")).to_have_count(0)
    expect(page.get_by_text(case.reference)).to_have_count(0)

    response = page.goto(f"/people/{person.pk}/")
    assert response is not None and response.status == 404

    page.goto("/people/")
    scripts_ready(page)
    box = page.get_by_label("Name, document or phone number")
    with page.expect_response(lambda r: r.url.endswith("/people/") and r.request.method == "POST"):
        box.fill("Mohammed Hassan")
        box.press("End")
    results = page.locator("#search-results")
    expect(results).to_contain_text("No one you may see matches this name closely enough.")
    expect(results.get_by_role("link", name="Mohammed Hassan")).to_have_count(0)
