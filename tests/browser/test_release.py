"""A data officer downloads a k = 11 release and reads its report, on a phone, in the browser."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, principal
from salama.assistance.tests.factories import make_case
from salama.evidence import release_services

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ready_release(
    settings: Any, tmp_path: Any, data_officer_a: Any, org_admin_a: Any, caseworker_a: Any
) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    for _ in range(12):
        make_case(caseworker_a)
    item = release_services.request_release(
        actor=principal(data_officer_a), k=11, purpose="CTDC contribution"
    )
    release_services.approve_release(actor=principal(org_admin_a), release=item)
    return release_services.build_release(item.pk)


@pytest.mark.browser
def test_a_data_officer_downloads_a_k11_release_and_reads_the_report(
    page: Page,
    ready_release: Any,
    data_officer_a: Any,
) -> None:
    # Data officers see no identifying data, so their log-in asks no second factor.
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(data_officer_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Releases", exact=True).click()
    page.locator("main table a").first.click()
    expect(page.get_by_role("heading", name="Release report")).to_be_visible()
    expect(page.get_by_text("Ready to download")).to_be_visible()
    expect(page.get_by_role("heading", name="Cells suppressed per column")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the report is {width}px wide on a 390px phone"
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the release (zip)").click()
    archive = zipfile.ZipFile(info.value.path())
    rows = list(csv.reader(io.StringIO(archive.read("cases.csv").decode())))
    classes = Counter(tuple(row) for row in rows[1:])
    assert len(rows) == 13 and min(classes.values()) >= 11
