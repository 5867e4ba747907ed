"""Issue 17: a case taken from counselling to arrival in the browser, handed to an organisation in
the country of return, which records the reception on its referral, then two monitoring visits,
and sees the score trend — and never sees the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from salama.referrals.models import Referral
from salama.returns.models import ReturnJourney
from salama.returns.tests.helpers import consent, reception_service, return_case
from salama.returns.tests.monitoring_world import answers_at
from tests.browser.test_referral import log_in_again, new_page, shot


def take_step(page: Page, summary: str, fields: dict[str, str], button: str = "Save") -> None:
    """Open the step's form in the Return section, fill it and save; the section comes back."""
    box = page.locator("#return details.subform").filter(
        has=page.locator("summary", has_text=summary)
    )
    box.locator("summary").click()
    for label, value in fields.items():
        field = box.get_by_label(label)
        if value == "check":
            field.check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    box.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")


@pytest.mark.browser
def test_a_return_from_counselling_to_reception_in_the_country_of_origin(
    page: Page,
    browser: Browser,
    live_server: Any,
    ngo_b: Any,
    caseworker_a: Any,
    receiver_b: Any,
    login: Callable[[Page, Any, str], None],
    two_factor: Any,
) -> None:
    case = return_case(caseworker_a)
    consent(caseworker_a, case)
    consent(caseworker_a, case, "referral", recipient=ngo_b)
    reception_service(ngo_b)
    today = timezone.localdate().isoformat()

    # (1) The host caseworker opens the journey and takes it through its steps.
    login(page, caseworker_a, PASSWORD)
    page.goto(f"/cases/{case.pk}/?open=return")
    section = page.locator("#return")
    section.get_by_label("Country of return").select_option("KE")
    section.get_by_role("button", name="Open the journey").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(section).to_contain_text("Counselling")
    take_step(
        page,
        "Record a counselling session",
        {"Date": today, "What was discussed": "Options explained; she wants to go home to Nakuru."},
    )
    take_step(page, "Record the decision to return", {"Date": today})
    take_step(
        page,
        "Record the return risk assessment",
        {"Date": today, "Risk on return": "low", "Reasons": "Her family in Nakuru expects her."},
    )
    take_step(
        page,
        "Record the pre-departure health assessment",
        {"Date": today, "Fitness to travel": "fit"},
    )
    take_step(
        page,
        "Record the travel document request",
        {
            "Date": today,
            "Travel document": "emergency_travel_document",
            "Consulate or embassy": "Embassy of Kenya, Amman",
        },
    )
    take_step(
        page, "Record the travel document issued", {"Date": today, "Document number": "ETD-55120"}
    )
    take_step(
        page,
        "Add a leg to the itinerary",
        {
            "Travel date": today,
            "From": "Amman (AMM)",
            "To": "Nairobi (NBO)",
            "Carrier": "Royal Jordanian",
            "Medical needs on the way": "Insulin in the cabin",
        },
    )
    take_step(
        page,
        "Hand over to the receiving organisation",
        {
            "Reception service in the country of return": reception_service_label(),
            "What you ask them to do": "Meet her at the airport.",
            "Name": "check",
        },
        button="Send the referral",
    )
    take_step(page, "Record the departure", {"Date": today})
    take_step(page, "Record the arrival", {"Date": today})
    expect(section).to_contain_text("Arrived")
    shot(page, "return_journey_arrived")
    referral = Referral.objects.get(case=case)
    page.get_by_role("button", name="Log out").click()

    # (2) The origin organisation records the reception on its referral's packet.
    receiver = new_page(browser, live_server.url)
    try:
        log_in_again(receiver, receiver_b, two_factor)
        receiver.goto(f"/referrals/inbox/{referral.pk}/")
        main = receiver.locator("body > main")
        expect(main).to_contain_text("Nairobi (NBO)")
        expect(main).to_contain_text("Insulin in the cabin")
        expect(main).not_to_contain_text("ETD-55120")
        expect(main).not_to_contain_text("Her family in Nakuru expects her.")
        receiver.get_by_label("Received on").fill(today)
        receiver.get_by_label("Where").fill("JKIA arrivals hall")
        receiver.get_by_role("button", name="Record the reception").click()
        expect(receiver.get_by_role("status")).to_contain_text("The reception is recorded")
        expect(main).to_contain_text("Received in the country of origin")
        response = receiver.goto(f"/cases/{case.pk}/")
        assert response is not None and response.status == 404

        # (3) The arrival scheduled the monitoring on the reception referral: the origin
        # organisation records two visits there and sees the score trend, still without the case.
        receiver.goto(f"/returns/monitoring/referrals/{referral.pk}/")
        expect(receiver.get_by_role("heading", name="Reintegration monitoring")).to_be_visible()
        for month, level, place in ((3, "worst", "home"), (6, "best", "office")):
            receiver.get_by_role("link", name="Record the visit").first.click()
            expect(
                receiver.get_by_role("heading", name=f"Monitoring visit · Month {month}")
            ).to_be_visible()
            receiver.get_by_label("Date of the visit").fill(today)
            receiver.get_by_label("Where").select_option(place)
            for code, answer in answers_at(level).items():
                receiver.locator(f'input[name="q_{code}"][value="{answer}"]').check()
            receiver.get_by_role("button", name="Record the visit").click()
        expect(receiver.get_by_text("Visit recorded.")).to_be_visible()
        chart = receiver.locator("figure.chart img")
        expect(chart).to_be_visible()
        assert chart.evaluate("img => img.naturalWidth") > 0  # the trend, drawn under the CSP
        rows = receiver.locator("table.monitoring-visits tbody tr")
        expect(rows.nth(0)).to_contain_text("0.00")
        expect(rows.nth(1)).to_contain_text("1.00")
        shot(receiver, "return_monitoring_trend")
    finally:
        receiver.context.close()
    assert ReturnJourney.objects.get(case=case).status == "received"


def reception_service_label() -> str:
    from salama.referrals.models import Service

    service = Service.objects.get(service_type="reintegration")
    return str(service.uuid)
