"""Issue 5: a cross-border referral; the recipient sees only the packet, and only until the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from salama.referrals.tests import helpers
from tests.browser.conftest import TIMEOUT_MS, shot, wait_for_scripts

PURPOSE = "Please give her a safe bed for at least four weeks."
NEEDS = "Needs a female-only room and an Arabic-speaking worker."
PASSPORT = "P7654321"


def new_page(browser: Browser, base_url: str) -> Page:
    """A second page in a fresh context (no cookies) on the same live server."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Buttons with data-confirm ask through window.confirm(); the person at the keyboard says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def log_in_again(page: Page, user: Any, two_factor: Any) -> None:
    """Log in a user who already used this time step's code: the app refuses a code twice, so
    type the next one, which it still accepts (one step of tolerance)."""
    device = two_factor.device(user)
    two_factor.submit_password(page, user.email, PASSWORD)
    two_factor.submit_code(page, two_factor.code(device, drift=1))
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    wait_for_scripts(page)


@pytest.mark.browser
def test_referral_from_one_country_to_a_shelter_in_another_ends_the_recipients_access(
    page: Page,
    browser: Browser,
    live_server: Any,
    ngo_a: Any,
    ngo_b: Any,
    caseworker_a: Any,
    receiver_b: Any,
    supervisor_a: Any,
    login: Callable[[Page, Any, str], None],
    two_factor: Any,
) -> None:
    person = helpers.make_person(caseworker_a)
    case = helpers.make_case(caseworker_a, person)
    shelter = helpers.make_service(ngo_b, name="Safe House Nairobi")
    helpers.consent_to(caseworker_a, person, ngo_b)
    today = timezone.localdate()

    # (1) Caseworker A finds B's shelter in the directory and refers the case to it.
    login(page, caseworker_a, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Refer to a service").click()
    expect(page.get_by_role("heading", name="Service directory")).to_be_visible()
    assert page.url.endswith(f"/referrals/directory/?case={case.pk}")
    row = page.get_by_role("row").filter(has_text=shelter.name)
    expect(row).to_contain_text("cross-border")
    expect(row).to_contain_text("NGO B")
    row.get_by_role("link", name="Refer", exact=True).click()

    expect(page.get_by_role("heading", name=f"Refer case {case.reference}")).to_be_visible()
    # The defaults for a shelter: name, age band, sex, languages and the needs note.
    expect(page.get_by_label("Name", exact=True)).to_be_checked()
    expect(page.get_by_label("Needs note (written for the recipient)")).to_be_checked()
    expect(page.get_by_label("Case summary", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Identity documents", exact=True)).not_to_be_checked()
    page.get_by_label("Nationalities", exact=True).check()
    page.get_by_label("What you ask the provider to do").fill(PURPOSE)
    page.get_by_label("Needs note for the recipient").fill(NEEDS)
    page.get_by_label("I have checked that the person agrees to this referral").check()
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_role("status")).to_contain_text("was sent.")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Sent")
    expect(heading).to_contain_text("cross-border")
    page.get_by_role("link", name="All referrals of this case").click()
    expect(page.get_by_role("heading", name=f"Referrals sent · {case.reference}")).to_be_visible()
    sent_row = page.get_by_role("row").filter(has_text=shelter.name)
    expect(sent_row).to_contain_text("Sent")
    expect(sent_row).to_contain_text("NGO B")
    page.get_by_role("button", name="Log out").click()

    # (2) B's service provider opens the packet from the inbox and takes the referral through.
    login(page, receiver_b, PASSWORD)
    page.get_by_role("link", name="Referral inbox").click()
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    inbox_row = page.get_by_role("listitem").filter(has_text=shelter.name)
    expect(inbox_row).to_contain_text("NGO A")
    inbox_row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Referral packet")).to_be_visible()
    packet_url = page.url
    main = page.locator("body > main")
    expect(main).to_contain_text(PURPOSE)
    expect(main).to_contain_text(NEEDS)
    expect(main).to_contain_text("Amina Yusuf")
    expect(main).to_contain_text("Jordan")
    expect(main).not_to_contain_text(helpers.SECRET_SUMMARY)
    expect(main).not_to_contain_text(PASSPORT)
    expect(main).not_to_contain_text("+962 79 555 0101")
    expect(main).not_to_contain_text(case.reference)
    shot(page, "referral_packet")

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("is now acknowledged.")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("is now accepted.")
    page.get_by_label("What was delivered").fill("Four weeks' stay in a women-only room.")
    page.get_by_label("Delivered on").fill(today.isoformat())
    page.get_by_role("button", name="Record delivery").click()
    expect(page.get_by_role("status")).to_contain_text("is now service delivered.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service delivered")
    page.goto("/referrals/inbox/")
    expect(page.get_by_role("listitem").filter(has_text=shelter.name)).to_contain_text(
        "Service delivered"
    )
    shot(page, "referral_inbox")

    # (3) Caseworker A sees the delivery on the case's referrals and completes the referral.
    sender = new_page(browser, live_server.url)
    try:
        log_in_again(sender, caseworker_a, two_factor)
        sender.goto(f"/referrals/sent/?case={case.pk}")
        sent_row = sender.get_by_role("row").filter(has_text=shelter.name)
        expect(sent_row).to_contain_text("Service delivered")
        sent_row.get_by_role("link").first.click()
        expect(sender.get_by_text("Four weeks' stay in a women-only room.")).to_be_visible()
        sender.get_by_role("button", name="Complete").click()
        expect(sender.get_by_role("status")).to_contain_text("is now completed.")
        expect(sender.get_by_role("heading", level=1)).to_contain_text("Completed")
    finally:
        sender.context.close()

    # (4) The recipient's access has ended: the packet and the case are not found.
    response = page.goto(packet_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    response = page.goto(f"/cases/{case.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
