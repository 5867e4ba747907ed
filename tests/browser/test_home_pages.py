"""Issue 15: each role opens on its own work, follows a link from it and comes back; on a phone
the home page is no wider than the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from tests.browser.conftest import wait_for_scripts
from tests.test_home_pages import build

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def work_a(
    ngo_a: Any,
    caseworker_a: Any,
    caseworker2_a: Any,
    supervisor_a: Any,
    receiver_a: Any,
    org_admin_a: Any,
    data_officer_a: Any,
) -> Any:
    return build(ngo_a, caseworker_a, caseworker2_a, supervisor_a, org_admin_a)


def home_fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/")
    wait_for_scripts(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the home page is {width}px wide on a 390px phone"


def back_home(page: Page) -> None:
    page.go_back()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()


def panel(page: Page, title: str) -> Any:
    return page.locator("section.home-panel").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


@pytest.mark.browser
def test_a_caseworker_opens_an_overdue_task_from_home_and_comes_back(
    page: Page, work_a: Any, caseworker_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, caseworker_a, PASSWORD)
    expect(panel(page, "My open cases")).to_contain_text("3 open cases")
    tasks = panel(page, "Tasks due and overdue")
    expect(tasks).to_contain_text("3 days overdue")
    expect(panel(page, "Referrals of my cases")).to_contain_text("Overdue")
    expect(panel(page, "Consents running out")).to_contain_text("expires in 9 days")

    tasks.get_by_role("link", name="Call the shelter back").click()
    # The task's case, its plan and tasks open, and the header says what is late.
    expect(page.get_by_role("heading", name="Tasks and follow-ups")).to_be_visible()
    assert page.url.endswith("?open=plan#tasks")
    expect(page.locator("details#plan")).to_have_attribute("open", "")
    expect(page.locator("#tasks")).to_contain_text("Call the shelter back")
    next_due = page.locator("xpath=//dt[normalize-space()='Next due']/following-sibling::dd[1]")
    expect(next_due).to_contain_text("Call the shelter back")
    expect(next_due).to_contain_text("3 days overdue")
    expect(page.locator("details#notes")).not_to_have_attribute("open", "")

    back_home(page)
    home_fits_a_phone(page)


@pytest.mark.browser
def test_a_supervisor_follows_a_caseworkers_workload_to_their_cases_and_comes_back(
    page: Page, work_a: Any, supervisor_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, supervisor_a, PASSWORD)
    expect(panel(page, "Cases by stage")).to_contain_text("4 open cases")
    expect(panel(page, "Approvals waiting")).to_contain_text(work_a.reflecting.reference)
    expect(panel(page, "Reflection periods ending")).to_contain_text("ends in 5 days")

    workload = panel(page, "Team workload")
    workload.get_by_role("row").filter(has_text="caseworker2").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    expect(page.get_by_label("Caseworker", exact=True)).to_have_value(
        str(work_a.other.assigned_to.uuid)
    )
    expect(page.locator("#case-table tbody tr")).to_have_count(1)

    back_home(page)
    # A reflection period ending: its case, whose header says how long is left and what waits.
    reflecting = work_a.reflecting.reference
    panel(page, "Reflection periods ending").get_by_role("link", name=reflecting).click()
    expect(page.get_by_role("heading", name=f"Case {reflecting}")).to_be_visible()
    period = page.locator(
        "xpath=//dt[normalize-space()='Reflection and recovery period']/following-sibling::dd[1]"
    )
    expect(period).to_contain_text("5 days left")
    expect(page.locator(".case-header")).to_contain_text("a supervisor must approve")

    back_home(page)
    home_fits_a_phone(page)


@pytest.mark.browser
def test_a_service_provider_opens_the_new_referrals_from_home_and_comes_back(
    page: Page, work_a: Any, receiver_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, receiver_a, PASSWORD)
    inbox = panel(page, "Referral inbox")
    expect(inbox).to_contain_text("needs note attached")
    expect(inbox).not_to_contain_text("Needs a quiet room")

    inbox.get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Sent")
    expect(page.locator("ul.inbox-list > li")).to_have_count(2)

    back_home(page)
    home_fits_a_phone(page)


@pytest.mark.browser
def test_an_organisation_administrator_opens_the_pending_invitations_and_comes_back(
    page: Page, work_a: Any, org_admin_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, org_admin_a, PASSWORD)
    expect(panel(page, "Funds running low")).to_contain_text("Winter fund")

    panel(page, "Members").get_by_role("link", name="Pending invitations").click()
    expect(page.get_by_role("heading", name="Pending invitations")).to_be_visible()
    expect(page.locator("ul.invitations li")).to_have_count(1)

    back_home(page)
    home_fits_a_phone(page)


@pytest.mark.browser
def test_a_data_officer_is_told_what_they_can_do_today_and_comes_back_from_their_profile(
    page: Page, work_a: Any, data_officer_a: Any
) -> None:
    # A data officer reads aggregates only and logs in with a password alone.
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(data_officer_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    statistics = panel(page, "Statistics")
    expect(statistics).to_contain_text("fewer than 11")
    expect(page.locator("body")).not_to_contain_text(work_a.screened.reference)

    statistics.get_by_role("link", name="profile and password").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()

    back_home(page)
    home_fits_a_phone(page)


def fits(page: Page, path: str) -> None:
    page.goto(path)
    wait_for_scripts(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{path} is {width}px wide in a {inner}px window"


@pytest.mark.browser
def test_on_a_phone_home_cases_and_a_case_fit_the_screen_in_english_and_arabic(
    page: Page, work_a: Any, caseworker_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, caseworker_a, PASSWORD)
    page.set_viewport_size(PHONE)
    every_section = "&".join(
        f"open={s}"
        for s in (
            "stage",
            "identification",
            "screening",
            "plan",
            "referrals",
            "exploitation",
            "notes",
            "timeline",
        )
    )
    case_page = f"{work_a.screened.get_absolute_url()}?{every_section}"
    for language in ("en", "ar"):
        if language == "ar":
            page.get_by_label("Language").select_option("ar")
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
        for path in ("/", "/cases/", case_page):
            fits(page, path)
        # The case list is a stack of cards whose overdue flag names the task and its lateness.
        page.goto("/cases/")
        row = page.locator("#case-table tbody tr").filter(has_text=work_a.screened.reference)
        expect(row).to_contain_text("Call the shelter back")
        expect(row.locator(".tag.overdue")).to_be_visible()
