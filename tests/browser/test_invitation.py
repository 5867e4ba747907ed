"""An administrator invites a new colleague on a phone; the colleague accepts on theirs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from salama.accounts.models import Membership

PHONE = {"width": 390, "height": 844}


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.browser
def test_an_invited_colleague_creates_an_account_on_a_phone(
    page: Page, browser: Browser, live_server: Any, org_admin_a: Any, ngo_a: Any, login: Any
) -> None:
    page.set_viewport_size(PHONE)
    login(page, org_admin_a, PASSWORD)
    page.goto("/accounts/members/")
    page.get_by_label("Email address").fill("nadia.farah@a.example")
    page.get_by_label("Role").select_option("caseworker")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_text("An invitation was sent to nadia.farah@a.example.")).to_be_visible()
    expect(page.get_by_role("button", name="Send again")).to_be_visible()
    assert fits_the_width(page)

    link = re.search(r"https?://\S+?(/accounts/invitations/\S+/)", mail.outbox[-1].body)
    assert link is not None
    phone = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    invitee = phone.new_page()
    try:
        invitee.goto(link.group(1))
        expect(
            invitee.get_by_text("You are invited to work for NGO A as Caseworker.")
        ).to_be_visible()
        assert fits_the_width(invitee)
        invitee.get_by_label("Your full name").fill("Nadia Farah")
        invitee.locator("#id_password1").fill("a-long-new-passphrase")
        invitee.locator("#id_password2").fill("a-long-new-passphrase")
        invitee.get_by_role("button", name="Create account and accept").click()
        expect(invitee.get_by_text("Your account is ready.")).to_be_visible()
    finally:
        phone.close()
    membership = Membership.objects.get(user__email="nadia.farah@a.example")
    assert (membership.organisation, membership.role) == (ngo_a, "caseworker")
