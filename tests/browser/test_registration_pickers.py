"""Issue 15 item 9: registering at a border post with the type-ahead pickers, in English and Arabic."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from salama.people.models import Person


def no_horizontal_overflow(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def pick(page: Page, picker_label: str, typed: str, expected: str) -> None:
    """Type into a picker's box, check the first match, and take it with Enter."""
    box = page.get_by_role("combobox", name=picker_label, exact=True)
    box.fill(typed)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(listbox).to_be_visible()
    active = listbox.locator("[role=option][aria-selected=true]")
    expect(active).to_contain_text(expected)
    expect(box).to_have_attribute("aria-activedescendant", active.get_attribute("id") or "")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "typed", "syria", "labels"),
    [
        (
            "en",
            "Syr",
            "Syrian Arab Republic",
            {
                "nationalities": "Nationalities",
                "languages": "Languages",
                "register": "Register",
                "first_contact": "Place of first contact",
            },
        ),
        (
            "ar",
            "سور",
            "السورية",
            {"nationalities": None, "languages": None, "register": None, "first_contact": None},
        ),
    ],
)
def test_caseworker_picks_syria_by_typing_and_enter_in_english_and_arabic_and_registers(
    page: Page,
    caseworker_a: Any,
    login: Any,
    scripts_ready: Any,
    lang: str,
    typed: str,
    syria: str,
    labels: dict[str, str | None],
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, caseworker_a, PASSWORD)
    if lang == "ar":
        page.get_by_label("Language").select_option("ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/people/new/")
    scripts_ready(page)
    expect(page.locator(".picker")).to_have_count(3)

    # The first field has the focus: the caseworker types at once.
    expect(page.locator("#id_given_name")).to_be_focused()
    page.keyboard.type("Amal")

    # Labels in the page's language, read from the page itself for Arabic.
    def label(name: str, key: str) -> str:
        return labels[key] or page.locator(f"label[for=id_{name}_search]").inner_text().strip()

    pick(page, label("nationalities", "nationalities"), typed, syria)
    chips = page.locator("#id_nationalities_search").locator("xpath=..").locator(".picker-chip")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text(syria)

    # Languages by name; the English name and the code find them in any language.
    languages = label("languages", "languages")
    language_chips = (
        page.locator("#id_languages_search").locator("xpath=..").locator(".picker-chip")
    )
    pick(page, languages, "Tigrinya", "")
    expect(language_chips).to_have_count(1)
    # Backspace in the empty box takes the chip back; the picker offers the language again.
    page.locator("#id_languages_search").press("Backspace")
    expect(language_chips).to_have_count(0)
    pick(page, languages, "tigrinya", "")
    pick(page, languages, "ar", "")
    expect(language_chips).to_have_count(2)

    page.locator("#id_first_contact_place").fill("Jaber crossing")
    assert no_horizontal_overflow(page)
    if labels["register"]:
        page.get_by_role("button", name=labels["register"], exact=True).click()
    else:
        page.locator("form button[type=submit]").last.click()

    expect(page.locator("h1")).to_have_text("Amal")
    assert no_horizontal_overflow(page)
    person = Person.objects.get()
    assert person.nationalities == ["SY"]
    assert set(person.languages) == {"ti", "ar"}
    assert person.first_contact_place == "Jaber crossing"
    expect(page.locator("body")).to_contain_text("Jaber crossing")
    expect(page.locator("body")).to_contain_text(syria)
