"""A caseworker, in the browser, sees her own organisation's dashboard only: exact figures of her
organisation's cases, no organisation to choose, and another organisation's UUID in the address
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.evidence.tests.factories import open_cases


@pytest.mark.browser
def test_a_caseworker_sees_her_own_organisations_dashboard_only(
    page: Page, login: Any, caseworker_a: Any, caseworker_b: Any, ngo_b: Any
) -> None:
    open_cases(caseworker_a, 2)
    open_cases(caseworker_b, 5)
    login(page, caseworker_a, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()

    expect(page.get_by_text("Your organisation's figures, exact")).to_be_visible()
    stage = page.locator("#table-stage")
    expect(stage.locator("svg.evidence-chart")).to_be_visible()
    expect(stage.get_by_role("row", name="Registered (not yet screened) 2")).to_be_visible()
    expect(page.get_by_label("Organisation", exact=True)).to_have_count(0)

    # Naming the other organisation in the address is ignored: still her own figures.
    page.goto(f"/evidence/?organisation={ngo_b.uuid}")
    stage = page.locator("#table-stage")
    expect(stage.get_by_role("row", name="Registered (not yet screened) 2")).to_be_visible()
    expect(stage.get_by_role("row", name="Registered (not yet screened) 7")).to_have_count(0)
