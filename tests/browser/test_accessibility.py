"""Issue 15: the main pages have no serious or critical accessibility violation, in English and in
Arabic (right to left), as axe-core finds them in a real browser.

axe-core comes inside the axe-playwright-python wheel (pinned in requirements-dev.txt), so the
tests download nothing. Each role logs in once, reads its pages in English, switches to Arabic
and reads them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from tests.browser.conftest import wait_for_scripts
from tests.test_home_pages import build

# Violations a screen-reader or keyboard user cannot get past.
BLOCKING = {"serious", "critical"}
AXE = Axe()


@pytest.fixture
def work_a(
    ngo_a: Any,
    caseworker_a: Any,
    caseworker2_a: Any,
    supervisor_a: Any,
    receiver_a: Any,
    org_admin_a: Any,
) -> Any:
    return build(ngo_a, caseworker_a, caseworker2_a, supervisor_a, org_admin_a)


def blocking_violations(page: Page) -> list[str]:
    """Each serious or critical violation on the page, with the elements it was found on."""
    results = AXE.run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def check_pages(page: Page, urls: list[str]) -> list[str]:
    problems = []
    for url in urls:
        page.goto(url)
        wait_for_scripts(page)
        problems += [
            f"{url} [{page.locator('html').get_attribute('lang')}] {v}"
            for v in blocking_violations(page)
        ]
    return problems


def switch_to_arabic(page: Page) -> None:
    page.goto("/")
    wait_for_scripts(page)
    page.locator("#language-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")


def in_both_languages(page: Page, urls: list[str]) -> None:
    problems = check_pages(page, urls)
    switch_to_arabic(page)
    problems += check_pages(page, urls)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_a_caseworkers_pages_have_no_serious_accessibility_violation(
    page: Page, work_a: Any, caseworker_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    from salama.screening.tests.test_services import screen

    screening = screen(caseworker_a, work_a.screened, {"d1_deceived_nature_of_job": "present"})
    login(page, caseworker_a, PASSWORD)
    in_both_languages(
        page,
        [
            "/",
            reverse("cases:case-list"),
            work_a.screened.get_absolute_url(),
            work_a.screened.person.get_absolute_url(),
            reverse("screening:screening-detail", args=[screening.id]),
            reverse("people:person-create"),
            "/no-such-page/",
        ],
    )


@pytest.mark.browser
def test_the_check_finds_a_violation_when_there_is_one(
    page: Page, caseworker_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, caseworker_a, PASSWORD)
    # An unlabelled text box is a critical violation; the check must see it.
    page.evaluate("document.querySelector('main').appendChild(document.createElement('input'))")
    assert any(v.startswith("label (critical)") for v in blocking_violations(page))


@pytest.mark.browser
def test_a_supervisors_pages_have_no_serious_accessibility_violation(
    page: Page, work_a: Any, supervisor_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, supervisor_a, PASSWORD)
    in_both_languages(page, ["/", reverse("referrals:board"), reverse("core:audit-log")])


@pytest.mark.browser
def test_a_service_providers_pages_have_no_serious_accessibility_violation(
    page: Page, work_a: Any, receiver_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, receiver_a, PASSWORD)
    in_both_languages(page, ["/", reverse("referrals:inbox"), reverse("referrals:directory")])


@pytest.mark.browser
def test_an_administrators_pages_have_no_serious_accessibility_violation(
    page: Page, work_a: Any, org_admin_a: Any, login: Callable[[Page, Any, str], None]
) -> None:
    login(page, org_admin_a, PASSWORD)
    in_both_languages(page, ["/", reverse("accounts:member-list")])
