"""Reintegration monitoring in a browser: the receiving organisation records two visits through
its referral and sees the score trend; the host's case page section on a phone in Arabic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD, principal
from salama.returns import monitoring
from salama.returns.tests.monitoring_world import answers_at, days_ago, open_returnee_case

PHONE = {"width": 390, "height": 844}


def _monitored(caseworker_a: Any, ngo_b: Any, receiver_b: Any) -> Any:
    world = open_returnee_case(caseworker_a, ngo_b, receiver_b)
    world.schedule = monitoring._create_schedule(
        world.case,
        arrived_on=days_ago(200),
        country="KE",
        reception_referral=world.referral,
        created_by=None,
    )
    return world


def _record(page: Page, answers: dict[str, str], place: str) -> None:
    page.get_by_label("Date of the visit").fill(days_ago(1).isoformat())
    page.get_by_label("Where").select_option(place)
    for code, answer in answers.items():
        page.locator(f'input[name="q_{code}"][value="{answer}"]').check()
    page.get_by_role("button", name="Record the visit").click()


def test_the_receiver_records_two_visits_and_sees_the_score_trend(
    page: Page,
    login: Callable[[Page, Any, str], None],
    caseworker_a: Any,
    ngo_b: Any,
    receiver_b: Any,
) -> None:
    world = _monitored(caseworker_a, ngo_b, receiver_b)
    login(page, receiver_b, PASSWORD)
    page.goto(f"/returns/monitoring/referrals/{world.referral.pk}/")
    expect(page.get_by_role("heading", name="Reintegration monitoring")).to_be_visible()
    page.get_by_role("link", name="Record the visit").first.click()
    expect(page.get_by_role("heading", name="Monitoring visit · Month 3")).to_be_visible()
    _record(page, answers_at("worst"), "home")
    expect(page.get_by_text("A score is below the programme's threshold")).to_be_visible()
    page.get_by_role("link", name="Record the visit").first.click()
    expect(page.get_by_role("heading", name="Monitoring visit · Month 6")).to_be_visible()
    _record(page, answers_at("best"), "office")
    expect(page.get_by_text("Visit recorded.")).to_be_visible()
    chart = page.locator("figure.chart img")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0  # the SVG rendered under the CSP
    rows = page.locator("table.monitoring-visits tbody tr")
    expect(rows.nth(0)).to_contain_text("0.00")
    expect(rows.nth(1)).to_contain_text("1.00")
    composites = [v.composite for v in world.schedule.visits.order_by("month")[:2]]
    assert composites == [0.0, 1.0]


def test_the_case_page_section_fits_a_phone_in_arabic(
    page: Page,
    login: Callable[[Page, Any, str], None],
    scripts_ready: Callable[[Page], None],
    caseworker_a: Any,
    ngo_b: Any,
    receiver_b: Any,
) -> None:
    world = _monitored(caseworker_a, ngo_b, receiver_b)
    for month, level in ((3, "worst"), (6, "best")):
        monitoring.record_monitoring_visit(
            world.schedule.visits.get(month=month),
            actor=principal(receiver_b),
            answers=answers_at(level),
            visited_on=days_ago(1),
            place="home",
        )
    login(page, caseworker_a, PASSWORD)
    page.get_by_label("Language").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{world.case.pk}/?open=monitoring#monitoring")
    scripts_ready(page)
    section = page.locator("#monitoring")
    expect(section).to_be_visible()
    expect(section.locator("figure.chart img")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the case page is {width}px wide on a 390px phone"
