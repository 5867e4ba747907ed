"""Registration that fits the field: first contact, pickers, the estimated age, autofocus."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from salama.accounts.models import User
from salama.core.languages import language_choices, language_name
from salama.core.models import AuditEntry
from salama.people.models import Person
from salama.people.tests.test_api import Api
from salama.people.tests.test_services import register

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
CREATE = reverse("people:person-create")


def registration(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Amanuel",
        "family_name": "Tesfay",
        "date_of_birth": "2001-03-04",
        "sex": "male",
        "nationalities": ["ER"],
        "languages": ["ti"],
        "first_contact_on": "2026-01-15",
        "first_contact_place": "Border post of Om Hajer",
        "none_of_these": "on",
    }
    data.update(overrides)
    return data


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


# First contact -----------------------------------------------------------------------------


def test_first_contact_typed_in_the_form_is_kept_and_shown_on_the_person_page(
    login: Login, caseworker_a: User
) -> None:
    client = login(caseworker_a)
    day = yesterday()
    response = client.post(CREATE, registration(first_contact_on=day.isoformat()))
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get()
    assert person.first_contact_on == day
    assert person.first_contact_place == "Border post of Om Hajer"
    page = client.get(person.get_absolute_url()).content.decode()
    assert day.isoformat() in page and "Border post of Om Hajer" in page


def test_the_place_of_first_contact_is_encrypted_and_kept_out_of_the_audit_chain(
    caseworker_a: User,
) -> None:
    person = register(caseworker_a, first_contact_place="Metema crossing")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_contact_place FROM people_person WHERE id = %s", [person.pk.hex]
        )
        (stored,) = cursor.fetchone()
    assert "Metema" not in str(stored)
    entry = AuditEntry.objects.get(action="person.create")
    assert "Metema" not in str(entry.changes) and "first_contact_place" in entry.fields


def test_first_contact_can_be_changed_on_the_edit_page(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    client = login(caseworker_a)
    form = client.get(reverse("people:person-edit", args=[person.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(first_contact_on="2025-12-01", first_contact_place="Shelter in Kassala")
    data["date_of_birth"] = "1990-05-01"
    response = client.post(reverse("people:person-edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.first_contact_on == dt.date(2025, 12, 1)
    assert person.first_contact_place == "Shelter in Kassala"


def test_a_future_date_of_first_contact_is_refused_with_a_message_that_says_what_to_do(
    login: Login, caseworker_a: User
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login(caseworker_a).post(CREATE, registration(first_contact_on=tomorrow.isoformat()))
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["first_contact_on"])
    assert "in the future" in message and "today" in message
    assert Person.objects.count() == 0


def test_the_registration_form_offers_today_as_the_date_of_first_contact(
    login: Login, caseworker_a: User
) -> None:
    page = login(caseworker_a).get(CREATE).content.decode()
    field = re.search(r'<input[^>]*name="first_contact_on"[^>]*>', page)
    assert field and f'value="{timezone.localdate().isoformat()}"' in field.group(0)


def test_first_contact_round_trips_through_the_api(caseworker_a: User) -> None:
    api = Api(caseworker_a)
    created = api.call(
        "post",
        "",
        {
            "given_name": "Hawa",
            "estimated_age": 16,
            "first_contact_on": "2026-02-03",
            "first_contact_place": "Gallabat",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["first_contact_on"] == "2026-02-03" and body["first_contact_place"] == "Gallabat"
    assert body["age_is_estimated"] is True and body["age"] >= 16
    patched = api.call(
        "patch", f"/{body['id']}", {"version": body["version"], "first_contact_place": "Metema"}
    )
    assert patched.status_code == 200, patched.content
    read = api.call("get", f"/{body['id']}").json()
    assert read["first_contact_place"] == "Metema" and read["first_contact_on"] == "2026-02-03"


def test_the_api_refuses_a_future_date_of_first_contact_naming_the_field(
    caseworker_a: User,
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = Api(caseworker_a).call(
        "post", "", {"given_name": "A", "first_contact_on": tomorrow.isoformat()}
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "in the future" in errors["first_contact_on"]
    assert Person.objects.count() == 0


def test_the_api_refuses_a_place_of_first_contact_longer_than_200_characters(
    caseworker_a: User,
) -> None:
    response = Api(caseworker_a).call(
        "post", "", {"given_name": "A", "first_contact_place": "x" * 201}
    )
    assert response.status_code == 422 and Person.objects.count() == 0


# Pickers -----------------------------------------------------------------------------------


def test_the_pickers_are_plain_multiple_selects_that_submit_several_values_without_js(
    login: Login, caseworker_a: User
) -> None:
    client = login(caseworker_a)
    page = client.get(CREATE).content.decode()
    for name in ("nationalities", "citizenships", "languages"):
        select = re.search(rf'<select name="{name}"[^>]*>', page)
        assert select and "multiple" in select.group(0) and "data-picker" in select.group(0)
    response = client.post(
        CREATE, registration(nationalities=["SY", "ER"], languages=["ar", "ti", "tig"])
    )
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get()
    assert set(person.nationalities) == {"SY", "ER"}
    assert set(person.languages) == {"ar", "ti", "tig"}


def test_options_carry_the_code_and_english_name_so_an_arabic_page_finds_syria_by_syr(
    login: Login, caseworker_a: User
) -> None:
    page = login(caseworker_a).get(CREATE, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    option = re.search(r'<option value="SY"[^>]*>([^<]*)</option>', page)
    assert option is not None
    assert 'data-terms="SY Syrian Arab Republic"' in option.group(0)
    assert "السورية" in option.group(1)  # the label is the Arabic name


def test_languages_are_offered_by_name_in_the_users_language_and_stored_as_codes() -> None:
    with translation.override("ar"):
        assert dict(language_choices())["ar"] == "العربية"
    with translation.override("fr"):
        assert language_name("de").lower() == "allemand"
    assert language_name("zz") == "zz"


def test_the_person_page_names_countries_and_languages_instead_of_codes(
    login: Login, caseworker_a: User
) -> None:
    person = register(caseworker_a, nationalities=["ER"], languages=["ti", "ar"])
    page = login(caseworker_a).get(person.get_absolute_url()).content.decode()
    assert "Eritrea" in page and "Tigrinya, Arabic" in page


def test_a_form_with_an_error_keeps_every_value_typed_including_the_picked_items(
    login: Login, caseworker_a: User
) -> None:
    data = registration(
        date_of_birth="2999-01-01", nationalities=["SY", "ER"], languages=["ar", "ti"]
    )
    page = login(caseworker_a).post(CREATE, data).content.decode()
    assert 'value="Amanuel"' in page and 'value="Border post of Om Hajer"' in page
    assert 'value="2026-01-15"' in page
    for code in ("SY", "ER", "ar", "ti"):
        assert re.search(rf'<option value="{code}"[^>]*selected', page), code


# Autofocus ---------------------------------------------------------------------------------


def test_the_registration_form_focuses_its_first_field(login: Login, caseworker_a: User) -> None:
    page = login(caseworker_a).get(CREATE).content.decode()
    assert re.search(r'<input[^>]*name="given_name"[^>]*autofocus', page)
    assert page.count("autofocus") == 1


def test_after_an_error_the_form_focuses_the_field_to_fix(login: Login, caseworker_a: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = (
        login(caseworker_a)
        .post(CREATE, registration(first_contact_on=tomorrow.isoformat()))
        .content.decode()
    )
    assert re.search(r'<input[^>]*name="first_contact_on"[^>]*autofocus', page)
    assert page.count("autofocus") == 1


# The estimated age -------------------------------------------------------------------------


def test_an_estimated_age_is_shown_as_about_n_estimated_on_the_person_page_and_list(
    login: Login, caseworker_a: User
) -> None:
    person = register(caseworker_a, date_of_birth=None, estimated_age=16)
    client = login(caseworker_a)
    assert "about 16 (estimated)" in client.get(person.get_absolute_url()).content.decode()
    assert "about 16 (estimated)" in client.get(reverse("people:person-list")).content.decode()


def test_an_exact_date_of_birth_gives_a_plain_age_and_a_year_only_date_an_estimated_one(
    caseworker_a: User,
) -> None:
    today = timezone.localdate()
    exact = register(caseworker_a, date_of_birth=today.replace(year=today.year - 30))
    year_only = register(
        caseworker_a,
        date_of_birth=dt.date(today.year - 30, 1, 1),
        birth_date_accuracy="year",
    )
    assert exact.current_age() == 30 and not exact.age_is_estimated
    assert year_only.age_is_estimated


def test_an_estimated_age_grows_with_the_years_since_registration(caseworker_a: User) -> None:
    person = register(caseworker_a, date_of_birth=None, estimated_age=16)
    registered = timezone.localdate(person.created_at)
    assert person.current_age(registered) == 16
    assert person.current_age(registered + dt.timedelta(days=732)) == 18
    assert person.is_minor is True
