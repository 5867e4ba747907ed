"""Issue 3: register with a duplicate warning, open a case, consent, stages, closure, search."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.cases import approvals
from salama.cases.models import ApprovalRequest, Case
from salama.core.policy import Principal
from salama.people.services import register_person
from salama.screening.services import record_identification_decision

CHECKLIST = (
    "The purpose of collecting their data",
    "The actual and potential uses of the data",
    "Non-identifying use for research and statistics",
    "Their right to ask for their data at any time",
    "How long the data is kept",
    "How to withdraw consent",
)
# How the case reaches each stage: its stage button, or a supervisor's identification decision
# (only a decision reaches the identification stages).
STAGES = (
    ("button", "Screened"),
    ("button", "Referred for identification"),
    ("reasonable_grounds", "Presumed victim (reasonable grounds)"),
    ("button", "Reflection and recovery period"),
    ("conclusive_grounds", "Identified as a victim"),
    ("button", "Assistance plan"),
)
LABELS = tuple(label for _how, label in STAGES)


def stage_of(page: Page) -> Any:
    return page.locator("xpath=//dt[normalize-space()='Stage']/following-sibling::dd[1]/strong")


def open_section(page: Page, name: str) -> None:
    """Open one of the case page's sections by its heading."""
    page.locator("details.case-section > summary").filter(has_text=name).click()


def search(page: Page, text: str) -> None:
    """Type into the search box; HTMX posts it after the typing stops."""
    box = page.get_by_label("Name, document or phone number")
    with page.expect_response(
        lambda r: r.url.endswith("/people/") and r.request.method == "POST"
    ) as response:
        box.fill(text)
        box.press("End")  # a keyup: HTMX's trigger is "keyup changed delay:300ms"
    assert response.value.request.headers.get("hx-request") == "true"


@pytest.mark.browser
def test_caseworker_registers_links_duplicate_opens_case_and_finds_person_across_scripts(
    page: Page, caseworker_a: Any, supervisor_a: Any, login: Any, scripts_ready: Any
) -> None:
    principal = Principal(
        user=caseworker_a, membership=caseworker_a.memberships.first(), verified=True
    )
    person = register_person(
        actor=principal,
        given_name="Mohammed",
        family_name="Hassan",
        date_of_birth=dt.date(1990, 5, 12),
    )
    today = timezone.localdate()

    login(page, caseworker_a, PASSWORD)

    # Register: the Arabic spelling of a person already on file in Latin letters.
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Register a person").click()
    expect(page.get_by_role("heading", name="Register a person")).to_be_visible()
    page.get_by_label("Given name", exact=True).fill("محمد")
    page.get_by_label("Family name", exact=True).fill("حسن")
    page.get_by_label("Date of birth", exact=True).fill("1990-05-12")
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("button", name="None of these — register a new person")).to_be_visible()
    warning = page.get_by_role("alert").filter(has_text="This person may already be on file")
    expect(warning).to_be_visible()
    row = warning.get_by_role("row").filter(has_text="Mohammed Hassan")
    expect(row).to_contain_text("12 May 1990")
    expect(row).to_contain_text("same date of birth")
    expect(row).to_contain_text("given name and family name agree")
    row.get_by_role("link", name="This is the person — use this record").click()

    expect(page).to_have_url(re.compile(rf"/people/{person.pk}/$"))
    expect(page.get_by_role("heading", name="Mohammed Hassan", level=1)).to_be_visible()

    # Open a trafficking case from the person's record.
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Case type").select_option(label="Trafficking")
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Case NGOA"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Case NGOA\S* was opened\."))).to_be_visible()
    case_url = page.url
    expect(stage_of(page)).to_have_text("Registered (not yet screened)")

    # Consent for assistance, recorded from the person page.
    page.locator(".case-header").get_by_role("link", name="Mohammed Hassan").click()
    page.get_by_role("link", name="Record consent").click()
    page.get_by_role("combobox", name="Purpose").select_option(label="Assistance")
    page.get_by_label("How consent was given").select_option(label="Written")
    page.get_by_label("Date given").fill(today.isoformat())
    for item in CHECKLIST:
        page.get_by_label(item).check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("The consent was recorded.")).to_be_visible()
    consent = page.get_by_role("region", name="Consent").get_by_role("row").nth(1)
    expect(consent).to_contain_text("Assistance")
    expect(consent).to_contain_text("Written")
    # Pages show one date format per language: in English, "7 Dec 2026".
    expect(consent).to_contain_text(date_format(today, "SHORT_DATE_FORMAT"))
    expect(consent).to_contain_text("active")

    # Back to the case, and through the stages: the stage buttons, and a supervisor's decisions
    # for the identification stages (the caseworker has no button for those).
    page.get_by_role("region", name="Cases").get_by_role("link", name=re.compile("^NGOA")).click()
    expect(page).to_have_url(case_url)
    open_section(page, "Stage and assignment")
    supervisor = Principal(
        user=supervisor_a, membership=supervisor_a.memberships.first(), verified=True
    )
    for how, label in STAGES:
        if how == "button":
            page.get_by_role("button", name=f"Move to “{label}”").click()
            expect(page.get_by_text("The stage was changed.")).to_be_visible()
        else:
            expect(page.get_by_role("button", name=f"Move to “{label}”")).to_have_count(0)
            record_identification_decision(
                actor=supervisor,
                case=Case.objects.get(),
                step=how,
                decided_by_org_type="Police",
                authority_name="Anti-trafficking unit",
                decided_on=today,
                outcome="positive",
            )
            page.reload()
        expect(stage_of(page)).to_have_text(label)
        if label == "Reflection and recovery period":
            ends = today + dt.timedelta(days=30)
            period = page.locator(
                "xpath=//dt[normalize-space()='Reflection and recovery period']"
                "/following-sibling::dd[1]"
            )
            # English short dates read "7 Dec 2026" (salama/formats/en).
            shown = f"{today.day} {today:%b %Y} – {ends.day} {ends:%b %Y}"
            expect(period).to_contain_text(shown)
            expect(period).to_contain_text("30 days left")

    # Close it (not "person returned": the reflection period is still running).
    page.get_by_text("Close the case", exact=True).click()
    page.get_by_label("Reason for closing").select_option(label="Objectives of the plan met")
    page.get_by_label("Closing note").fill("Plan completed.")
    page.get_by_role("button", name="Close case").click()
    # The organisation wants a supervisor to approve closures: the case stays open meanwhile.
    expect(page.get_by_text("The closure waits for a supervisor's approval")).to_be_visible()
    expect(stage_of(page)).to_have_text(LABELS[-1])
    closure = ApprovalRequest.objects.get(kind="closure", status="pending")
    approvals.decide(actor=supervisor, approval=closure, approve=True)
    page.reload()
    expect(stage_of(page)).to_have_text("Closed")
    expect(page.get_by_role("button", name="Reopen the case")).to_be_visible()

    open_section(page, "Timeline")
    timeline = page.locator("#timeline").get_by_role("listitem")
    expect(timeline.filter(has_text="Case closed")).to_contain_text("Objectives of the plan met")
    expect(timeline.filter(has_text="Stage changed")).to_have_count(len(STAGES))
    for before, after in zip(("Registered (not yet screened)", *LABELS[:-1]), LABELS, strict=True):
        expect(timeline.filter(has_text=f"{before} → {after}")).to_have_count(1)
    expect(timeline.filter(has_text="reflection period until")).to_have_count(1)
    expect(timeline.filter(has_text="Case opened")).to_have_count(1)

    # Search: the Cyrillic spelling, then a misspelling in Latin letters.
    page.get_by_role("link", name="People", exact=True).click()
    scripts_ready(page)
    results = page.locator("#search-results")
    for query in ("Мухаммед Хасан", "Muhamad Hasan"):
        search(page, query)
        expect(results).to_contain_text("found")
        expect(results.get_by_role("link", name="Mohammed Hassan")).to_be_visible()
