"""Issue 4: screen for trafficking indicators, refer and record the identification decisions,
plan from vulnerability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.cases.services import open_case
from salama.core.policy import Principal
from salama.people.services import register_person

# (dimension heading, indicator label): enough for the adult labour profile —
# D1 positive (S + M), D4 positive (S + M), D5 positive (S + S).
PRESENT = (
    ("D1 · Deceptive recruitment", "Deceived about the nature of the job, location or employer"),
    ("D1 · Deceptive recruitment", "Deceived about conditions of work"),
    ("D4 · Exploitative conditions", "Excessive working days or hours"),
    ("D4 · Exploitative conditions", "Low or no salary"),
    ("D5 · Coercion at destination", "Confiscation of documents"),
    ("D5 · Coercion at destination", "Debt bondage"),
)


@pytest.mark.browser
def test_caseworker_screens_and_refers_supervisor_decides_and_plans_from_vulnerability(
    page: Page, caseworker_a: Any, supervisor_a: Any, login: Any, scripts_ready: Any
) -> None:
    principal = Principal(
        user=caseworker_a, membership=caseworker_a.memberships.first(), verified=True
    )
    person = register_person(
        actor=principal,
        given_name="Amina",
        family_name="Tesfaye",
        date_of_birth=dt.date(1995, 3, 1),
    )
    case = open_case(actor=principal, person=person, case_type="trafficking")
    today = timezone.localdate()

    login(page, caseworker_a, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Screening and assessment").click()

    # Start a labour-exploitation screening for an adult.
    start = page.get_by_role("form", name="Start a screening")
    start.get_by_label("Form of exploitation").select_option(label="Labour exploitation")
    start.get_by_label("Age at recruitment").fill("25")
    start.get_by_role("button", name="Start screening").click()
    expect(page.get_by_role("heading", name="Screening for trafficking indicators")).to_be_visible()
    scripts_ready(page)

    outcome = page.locator("#result-panel [data-testid=screening-outcome]")
    expect(outcome).to_have_text("No indicators found.")
    for dimension, label in PRESENT:
        indicator = page.get_by_role("region", name=dimension).get_by_role("group", name=label)
        # Each answer is posted by HTMX; wait for its panel before the next click.
        with page.expect_response(lambda r: r.url.endswith("/answer/")) as answered:
            indicator.get_by_label("Present", exact=True).check()
        assert answered.value.ok
        expect(indicator.get_by_label("Present", exact=True)).to_be_checked()
    expect(outcome).to_contain_text("meets the trafficking profile")
    panel = page.locator("#result-panel")
    expect(
        panel.get_by_role("listitem").filter(has_text="D5 · Coercion at destination")
    ).to_contain_text("positive")

    page.get_by_role("button", name="Finalise screening").click()
    # Finalising cannot be undone: the page says what stays unanswered and asks first.
    expect(page.get_by_role("heading", name="Finalise the screening?")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("indicators are not asked")
    page.get_by_role("button", name="Yes, finalise the screening").click()
    expect(page.get_by_text("The screening is final.")).to_be_visible()
    expect(page.get_by_role("heading", name="Result", exact=True)).to_be_visible()
    expect(outcome).to_contain_text("meets the trafficking profile")

    # The caseworker refers the person to the competent authority; decisions are not theirs.
    page.get_by_role("link", name="Back to the case's screenings").click()
    expect(page.get_by_text("Case stage: Screened")).to_be_visible()
    expect(page.get_by_role("link", name="Record reasonable-grounds decision")).to_have_count(0)
    page.get_by_text("Record the referral to a competent authority").click()
    referral = page.get_by_role("form", name="Referral to a competent authority")
    referral.get_by_label("Referred on").fill(today.isoformat())
    referral.get_by_label("Competent authority (type of body)").select_option(label="Police")
    referral.locator("input[name=authority_name]").fill("Anti-trafficking unit")
    referral.get_by_role("button", name="Record referral").click()
    expect(
        page.get_by_text("The referral to the competent authority was recorded.")
    ).to_be_visible()
    expect(page.get_by_text("Waiting for the reasonable-grounds decision, due by")).to_be_visible()
    screening_url = page.url
    page.get_by_role("button", name="Log out").click()

    # The supervisor records the reasonable-grounds decision on its own form.
    login(page, supervisor_a, PASSWORD)
    page.goto(screening_url)
    page.get_by_role("link", name="Record reasonable-grounds decision").click()
    decision = page.get_by_role("form", name="Identification decision")
    expect(decision.locator("input[name=authority_name]")).to_have_value("Anti-trafficking unit")
    decision.get_by_label("Date of the decision").fill(today.isoformat())
    decision.get_by_label("Positive").check()
    decision.get_by_label("Legal basis").fill("National anti-trafficking law, art. 12")
    decision.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The identification decision was recorded.")).to_be_visible()
    expect(page.get_by_text("Case stage: Presumed victim (reasonable grounds)")).to_be_visible()
    decided = page.locator("li[id^=decision-]")
    expect(decided).to_contain_text(
        f"Positive decided on {date_format(today, 'SHORT_DATE_FORMAT')}"
    )
    expect(decided).to_contain_text("Anti-trafficking unit (Police)")
    expect(page.get_by_text("the conclusive-grounds decision is expected from")).to_be_visible()
    expect(page.get_by_role("link", name="Record conclusive-grounds decision")).to_be_visible()

    # A vulnerability assessment: legal status is a present risk factor for exploitation.
    page.get_by_role("button", name="Start vulnerability assessment").click()
    expect(page.get_by_role("heading", name="Vulnerability assessment (DoMV)")).to_be_visible()
    scripts_ready(page)
    factor = page.get_by_role("group", name="Legal status", exact=True)
    factor.get_by_role("group", name="Polarity").get_by_label("Risk factor").check()
    with page.expect_response(lambda r: r.url.endswith("/answer/")):
        factor.get_by_role("group", name="Present").get_by_label("Yes").check()
    with page.expect_response(lambda r: r.url.endswith("/answer/")):
        factor.get_by_role("group", name="Vulnerable to").get_by_label("Exploitation").check()

    responses = page.get_by_role("form", name="Proposed responses")
    immediate = responses.get_by_role("group", name="Immediate")
    immediate.get_by_label("Documentation").check()
    responses.get_by_role("button", name="Add to case plan").click()
    expect(page.get_by_text("Added to the case plan: Documentation.")).to_be_visible()

    page.get_by_role("link", name="Back to the case's screenings").click()
    page.get_by_role("link", name="Back to the case").click()
    page.locator("details#plan > summary").click()
    plan = page.get_by_role("region", name="Case plan")
    row = plan.get_by_role("row").filter(has_text="Documentation")
    expect(row).to_contain_text("Reduce vulnerability to")
    expect(row).to_contain_text("exploitation", ignore_case=True)
