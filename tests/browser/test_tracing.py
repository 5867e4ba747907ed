"""Family tracing in a browser: a caseworker opens a tracing request from the case page, in
Arabic script, and finds the consenting person registered in Latin script, never the
namesake who gave no tracing consent; the section fits a phone in Arabic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD, principal
from salama.tracing import services
from salama.tracing.models import TracingMatch
from salama.tracing.tests.helpers import consent, person, seeker_case

PHONE = {"width": 390, "height": 844}


def test_a_caseworker_finds_the_consenting_person_and_not_the_namesake(
    page: Page, login: Callable[[Page, Any, str], None], caseworker_a: Any
) -> None:
    consenting = person(caseworker_a, "Mohammed", "Ali", age=12, sex="male")
    consent(caseworker_a, consenting)
    silent = person(caseworker_a, "Mohammed", "Ali", age=12, sex="male")  # no tracing consent
    case = seeker_case(caseworker_a, "Fatima", "Hassan")
    login(page, caseworker_a, PASSWORD)
    page.goto(f"{case.get_absolute_url()}?open=tracing#tracing")
    page.get_by_role("link", name="Open a tracing request").click()
    page.get_by_label("Given name of the person sought").fill("محمد")
    page.get_by_label("Family name of the person sought").fill("علي")
    page.get_by_label("Relationship to the seeker").select_option("child")
    page.get_by_label("Approximate age now").fill("12")
    page.get_by_role("button", name="Open the request and look for matches").click()
    expect(page.get_by_text("Tracing request opened.")).to_be_visible()
    matches = page.locator("li.tracing-match")
    expect(matches).to_have_count(1)
    expect(matches.first).to_contain_text("Mohammed Ali")
    [match] = TracingMatch.objects.all()
    assert match.person_id == consenting.pk and match.person_id != silent.pk
    matches.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Possible tracing match")).to_be_visible()
    expect(page.get_by_text("The names agree across scripts")).to_be_visible()


def test_the_tracing_section_fits_a_phone_in_arabic(
    page: Page, login: Callable[[Page, Any, str], None], caseworker_a: Any
) -> None:
    son = person(caseworker_a, "محمد", "علي", age=12)
    consent(caseworker_a, son)
    case = seeker_case(caseworker_a)
    services.create_request(
        actor=principal(caseworker_a),
        case=case,
        relationship="child",
        sought_given_name="Mohammed",
        sought_family_name="Ali",
        sought_age=12,
        separation_place="Agadez",
    )
    page.set_viewport_size(PHONE)
    page.set_extra_http_headers({"Accept-Language": "ar"})
    login(page, caseworker_a, PASSWORD)
    page.goto(f"{case.get_absolute_url()}?open=tracing#tracing")
    expect(page.locator("#tracing li.tracing-match")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
