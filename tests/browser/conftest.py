"""Browser-test fixtures: one Chromium per session, a fresh page per test, a two-factor login.

The tests drive Debian's Chromium through Playwright's sync API against pytest-django's
``live_server``. Playwright's sync API keeps an event loop running in the test thread, so the ORM
calls the tests make for set-up would be refused without ``DJANGO_ALLOW_ASYNC_UNSAFE``.
"""

from __future__ import annotations

import contextlib
import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from django_otp.oath import totp  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Pages are photographed when a test fails; SALAMA_SCREENSHOTS=all photographs every test's last
# page and the journeys' named steps too (for walking the screens after a change).
EVERY_SCREENSHOT = os.environ.get("SALAMA_SCREENSHOTS", "") == "all"
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        # Never skipped: browser journeys are part of the suite. `make test` installs it as root.
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does it as root)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies) whose relative URLs go to the live server.

    The page is photographed into var/screenshots/<test>.png when the test fails (or always,
    with SALAMA_SCREENSHOTS=all): a full-page photograph costs Chromium more than most steps.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Buttons with data-confirm ask through window.confirm(); the person at the keyboard says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    report = getattr(request.node, "rep_call", None)
    if not EVERY_SCREENSHOT and report is not None and report.passed:
        context.close()
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{request.node.name}.png")
    try:
        page.screenshot(path=path, full_page=True, timeout=3_000)
    except PlaywrightError:
        # A page that keeps growing cannot be photographed whole; keep what the window shows.
        with contextlib.suppress(PlaywrightError):
            page.screenshot(path=path, timeout=5_000)
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so the page fixture knows how the test went."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def shot(page: Page, name: str) -> None:
    """Photograph a named step of a journey when SALAMA_SCREENSHOTS=all."""
    if EVERY_SCREENSHOT:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_for_scripts(page: Page) -> None:
    """Wait until the page's deferred scripts (HTMX, salama.js) have run.

    A click that navigates returns once the new page commits; a widget that relies on
    salama.js (auto-submitting selects) or HTMX must not be touched before they are loaded.
    """
    page.wait_for_load_state("load")
    expect(page.locator("html.js")).to_have_count(1)


class TwoFactorLogin:
    """The two steps of Salama's log-in, for tests that take them one at a time."""

    @staticmethod
    def device(user: Any) -> TOTPDevice:
        """The user's confirmed authenticator, created on first use."""
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        return device or TOTPDevice.objects.create(user=user, name="t", confirmed=True)

    @staticmethod
    def code(device: TOTPDevice, drift: int = 0) -> str:
        """The six digits the authenticator app shows now (or `drift` steps away)."""
        device.refresh_from_db()
        token = totp(device.bin_key, device.step, device.t0, device.digits, drift=drift)
        return str(token).zfill(device.digits)

    def wrong_code(self, device: TOTPDevice) -> str:
        """Six digits that match no code inside the device's tolerance window."""
        valid = {self.code(device, drift) for drift in range(-2, 3)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)

    @staticmethod
    def submit_password(page: Page, email: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(
            page.locator("body > main").get_by_role("heading", name="Enter your code")
        ).to_be_visible()

    @staticmethod
    def submit_code(page: Page, code: str) -> None:
        # Only the page's own <main>: a header widget that loads a page into itself (see the
        # two-factor journey) must not stop the journeys that are about something else.
        form = page.locator("body > main")
        form.get_by_label("Six-digit code from your authenticator app").fill(code)
        form.get_by_role("button", name="Verify").click()


@pytest.fixture
def scripts_ready() -> Callable[[Page], None]:
    """``scripts_ready(page)``: wait until HTMX and salama.js have run on the current page."""
    return wait_for_scripts


@pytest.fixture
def two_factor() -> TwoFactorLogin:
    return TwoFactorLogin()


@pytest.fixture
def login(two_factor: TwoFactorLogin) -> Callable[[Page, Any, str], None]:
    """``login(page, user, password)``: the log-in form, then the two-factor code, then home.

    Overrides the root conftest's test-client ``login`` for the browser tests.
    """

    def do_login(page: Page, user: Any, password: str) -> None:
        device = two_factor.device(user)
        two_factor.submit_password(page, user.email, password)
        two_factor.submit_code(page, two_factor.code(device))
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
        wait_for_scripts(page)

    return do_login
