"""Issue 19: a supervisor reviews one woman registered twice (in Arabic and in Latin script),
merges the two records, sees both spellings on the kept one, then undoes the merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.core.policy import Principal
from salama.matching.tests.review_factories import make_pair
from salama.people.services import DocumentInput, register_person


@pytest.mark.browser
def test_supervisor_merges_a_pair_in_two_scripts_then_undoes_the_merge(
    page: Page, caseworker_a: Any, supervisor_a: Any, login: Any
) -> None:
    cw = Principal(user=caseworker_a, membership=caseworker_a.memberships.first(), verified=True)
    latin = register_person(
        actor=cw,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=dt.date(1994, 5, 17),
        documents=[DocumentInput(doc_type="passport", number="P7654321")],
    )
    arabic = register_person(
        actor=cw, given_name="أمينة", family_name="يوسف", date_of_birth=dt.date(1994, 5, 17)
    )
    make_pair(latin, arabic, requested_by=supervisor_a, probability=0.995)

    login(page, supervisor_a, PASSWORD)
    page.get_by_role("link", name="Possible duplicates").first.click()
    expect(page.get_by_role("heading", name="Possible duplicates", level=1)).to_be_visible()
    page.get_by_role("link", name="Amina Yusuf").click()

    main = page.locator("body > main")
    expect(main.get_by_role("heading", name="أمينة يوسف")).to_be_visible()
    expect(main.get_by_role("heading", name="Amina Yusuf")).to_be_visible()
    expect(main.get_by_text("the same name written in another script")).to_be_visible()
    expect(main.get_by_text("•••321")).to_be_visible()

    main.get_by_role("radio", name="Amina Yusuf").check()
    main.get_by_label("Why they are the same person").select_option("registered_twice")
    main.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("heading", name="Merged", exact=True)).to_be_visible()

    page.get_by_role("link", name="Amina Yusuf").click()
    expect(page.get_by_role("heading", name="Amina Yusuf", level=1)).to_be_visible()
    expect(page.locator("body > main").get_by_text("أمينة يوسف")).to_be_visible()
    page.goto(f"/people/{arabic.pk}/")
    expect(page.get_by_text("This person was registered twice")).to_be_visible()

    page.go_back()
    page.go_back()
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_text("The merge was undone")).to_be_visible()
    page.goto(f"/people/{arabic.pk}/")
    expect(page.get_by_role("heading", name="أمينة يوسف", level=1)).to_be_visible()
    page.goto(f"/people/{latin.pk}/")
    expect(page.get_by_role("heading", name="Amina Yusuf", level=1)).to_be_visible()
    expect(page.locator("body > main").get_by_text("أمينة يوسف")).to_have_count(0)
