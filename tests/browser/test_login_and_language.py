"""Issue 2: two-factor log-in, and Arabic read right to left."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import PASSWORD


@pytest.mark.browser
def test_caseworker_logs_in_with_two_factors_and_reads_arabic_right_to_left(
    page: Page, caseworker_a: Any, two_factor: Any, scripts_ready: Any
) -> None:
    device = two_factor.device(caseworker_a)

    two_factor.submit_password(page, caseworker_a.email, PASSWORD)
    two_factor.submit_code(page, two_factor.wrong_code(device))
    expect(page.get_by_role("alert")).to_contain_text("That code is not valid.")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    # The header's HTMX widgets load after the page does; let them settle, then the page must
    # still hold one code form (not copies of itself loaded into the header).
    scripts_ready(page)
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=3_000)
    expect(page.get_by_role("heading", name="Enter your code")).to_have_count(1, timeout=2_000)
    expect(page.get_by_role("button", name="Verify")).to_have_count(1, timeout=2_000)

    # A person takes longer than the one second django-otp makes them wait after a wrong code;
    # the test moves the failure into the past instead of sleeping.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=5)
    )
    two_factor.submit_code(page, two_factor.code(device))
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(page.get_by_text("You work in NGO A as")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    scripts_ready(page)
    # Django's own name for Arabic is written with a shadda: العربيّة.
    language = page.get_by_label("Language")
    expect(language.locator("option[value=ar]")).to_have_text("العربيّة")
    language.select_option("ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html[dir=rtl]")).to_have_count(1)
    expect(page.locator("#language-select")).to_have_value("ar")
