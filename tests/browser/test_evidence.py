"""A data officer opens the dashboard (charts drawn, no Content-Security-Policy violation), reads
the SDG 16.2.2 table and downloads a dashboard table as HXL."""

from __future__ import annotations

from typing import Any

import hxl
import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.evidence.tests.factories import open_cases
from tests.browser.conftest import wait_for_scripts

# Records every CSP violation the page reports (an init script runs whatever the page's CSP).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.mark.browser
def test_a_data_officer_reads_the_dashboard_and_downloads_hxl(
    page: Page, settings: Any, caseworker_a: Any, data_officer_a: Any, tmp_path: Any
) -> None:
    settings.SALAMA_EVIDENCE_MIN_CELL = 3
    open_cases(caseworker_a, 4, sex="female")
    open_cases(caseworker_a, 1, sex="male")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH_CSP)

    # A data officer logs in with a password alone (aggregates only).
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(data_officer_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    wait_for_scripts(page)

    stage = page.locator("#table-stage")
    expect(stage.get_by_role("heading", name="Caseload by stage")).to_be_visible()
    expect(stage.locator("svg.evidence-chart")).to_be_visible()
    expect(stage.locator("svg.evidence-chart rect.reactive")).not_to_have_count(0)
    expect(stage.get_by_role("row", name="Registered (not yet screened) 5")).to_be_visible()
    by_sex = page.locator("#table-type")
    expect(by_sex).to_contain_text("Trafficking")

    # The SDG 16.2.2 table, by sex: 4 women shown, 1 man withheld under k = 3.
    page.locator(".evidence-nav").get_by_role("link", name="Indicators").click()
    sex = page.locator("#sdg-table-sex")
    expect(sex.get_by_role("row", name="JO Female")).to_contain_text("4")
    expect(sex.get_by_role("row", name="JO Male")).to_contain_text("fewer than 3")
    expect(page.get_by_text("Not computable from Salama's records")).to_be_visible()

    # The stage table as HXL, read back with libhxl.
    page.go_back()
    stage = page.locator("#table-stage")
    with page.expect_download() as download:
        stage.get_by_role("link", name="HXL CSV").click()
    path = tmp_path / "stage.hxl.csv"
    download.value.save_as(path)
    data = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    rows = {row.get("#status"): row.get("#affected") for row in data}
    assert rows["Registered (not yet screened)"] == "5"

    assert page.evaluate("window.__cspViolations") == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
