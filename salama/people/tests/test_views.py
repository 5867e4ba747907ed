"""People pages: access, search, registration with the duplicate warning, editing, consent."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from salama.accounts.models import User
from salama.core.models import AuditEntry
from salama.people.choices import ConsentPurpose
from salama.people.models import CONSENT_CHECKLIST, Person
from salama.people.services import active_consent
from salama.people.tests.test_services import PNG, consent, register

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(name: str, person: Person | None = None, *args: Any) -> str:
    return reverse(f"people:{name}", args=[person.pk, *args] if person else args)


def registration(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Mohammed",
        "family_name": "Al-Hassan",
        "date_of_birth": "1990-05-01",
        "sex": "male",
        "nationalities": ["SY"],
        "languages": "ar",
    }
    data.update(overrides)
    return data


# Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["person-detail", "person-edit", "person-photo", "consent-create"])
def test_caseworker_of_another_organisation_gets_404(
    login: Login, caseworker_a: User, caseworker_b: User, name: str
) -> None:
    person = register(caseworker_a)
    assert login(caseworker_b).get(url(name, person)).status_code == 404


def test_caseworker_of_another_organisation_does_not_find_them_in_search(
    login: Login, caseworker_a: User, caseworker_b: User
) -> None:
    register(caseworker_a)
    client = login(caseworker_b)
    for query in ("Youssef Haddad", ""):
        response = client.post(url("person-list"), {"q": query})
        assert response.status_code == 200
        assert response.context["rows"] == []


@pytest.mark.parametrize("name", ["person-list", "person-create"])
def test_data_officer_gets_403_on_people_pages(
    login: Login, data_officer_a: User, name: str
) -> None:
    assert login(data_officer_a).get(url(name)).status_code == 403


def test_data_officer_gets_403_on_a_person(
    login: Login, caseworker_a: User, supervisor_a: User, data_officer_a: User
) -> None:
    person = register(caseworker_a)
    assert login(data_officer_a).get(url("person-detail", person)).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client: Client) -> None:
    assert client.get(url("person-list")).status_code == 302


# Search ------------------------------------------------------------------------------------


def test_search_finds_a_person_by_another_script_and_audits_without_the_query(
    login: Login, caseworker_a: User
) -> None:
    register(caseworker_a, given_name="يوسف", family_name="حداد")
    response = login(caseworker_a).post(url("person-list"), {"q": "Yousef Hadad"})
    assert "حداد" in response.content.decode()
    entry = AuditEntry.objects.filter(action="person.search").get()
    assert "Yousef" not in str(entry.changes) and entry.changes["results"] == [None, 1]


def test_search_with_htmx_returns_only_the_results_fragment(
    login: Login, caseworker_a: User
) -> None:
    register(caseworker_a)
    response = login(caseworker_a).post(
        url("person-list"), {"q": "Youssef"}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert "Haddad" in content and "<html" not in content


def test_search_by_exact_document_number_shows_it_in_its_own_group_above_any_names(
    login: Login, caseworker_a: User
) -> None:
    from salama.people.services import DocumentInput

    register(caseworker_a, given_name="N12345678")
    wanted = register(caseworker_a, documents=[DocumentInput("passport", "N12345678", "SY")])
    response = login(caseworker_a).post(url("person-list"), {"q": "n1234 5678"})
    assert response.context["identifier_groups"] == [("Same document number", [(wanted, [])])]
    # A document number is not read as a name: the person "named" N12345678 is not listed.
    assert response.context["rows"] == []
    content = response.content.decode()
    assert content.index("Same document number") < content.index(wanted.get_absolute_url())


def test_a_search_that_finds_nobody_says_the_name_is_not_close_enough(
    login: Login, caseworker_a: User
) -> None:
    register(caseworker_a)
    response = login(caseworker_a).post(url("person-list"), {"q": "zzqx"})
    assert response.context["rows"] == [] and response.context["identifier_groups"] == []
    assert "No one you may see matches this name closely enough." in response.content.decode()


def test_list_page_query_count_is_bounded(
    login: Login, caseworker_a: User, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        register(caseworker_a, given_name=f"Person{i}")
    client = login(caseworker_a)
    with django_assert_max_num_queries(15):
        response = client.get(url("person-list"))
    assert len(response.context["rows"]) == 25 and response.context["page"].has_next() is True
    with django_assert_max_num_queries(25):
        client.post(url("person-list"), {"q": "Person7 Haddad", "birth_year": 1990})


# Registration ------------------------------------------------------------------------------


def test_registers_a_person_and_shows_their_page(login: Login, caseworker_a: User) -> None:
    client = login(caseworker_a)
    response = client.post(url("person-create"), registration(other_name_1="محمد الحسن"))
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Al-Hassan" in page and "محمد الحسن" in page


def test_duplicate_warning_for_a_latin_spelling_of_an_arabic_name_and_linking(
    login: Login, caseworker_a: User
) -> None:
    existing = register(
        caseworker_a, given_name="محمد", family_name="الحسن", date_of_birth=dt.date(1990, 5, 1)
    )
    client = login(caseworker_a)
    response = client.post(url("person-create"), registration(given_name="Mohamed"))
    assert response.status_code == 200
    assert Person.objects.count() == 1
    candidates = response.context["candidates"]
    assert [c.person for c, _reasons in candidates] == [existing]
    content = response.content.decode()
    assert "same date of birth" in content and "This is the person" in content
    assert existing.get_absolute_url() in content
    assert client.get(existing.get_absolute_url()).status_code == 200


def test_none_of_these_registers_a_new_person_despite_candidates(
    login: Login, caseworker_a: User
) -> None:
    register(caseworker_a, given_name="محمد", family_name="الحسن")
    response = login(caseworker_a).post(
        url("person-create"), registration(given_name="Mohamed", none_of_these="on")
    )
    assert response.status_code == 302 and Person.objects.count() == 2


def test_live_duplicate_check_returns_the_warning_fragment(
    login: Login, caseworker_a: User
) -> None:
    register(caseworker_a, given_name="محمد", family_name="الحسن")
    response = login(caseworker_a).post(
        url("person-duplicates"), {"given_name": "Muhammad", "family_name": "Alhassan"}
    )
    content = response.content.decode()
    assert "This person may already be on file" in content and "<html" not in content
    assert AuditEntry.objects.filter(action="person.duplicates").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "1990-02-30", "valid date"),
        ("date_of_birth", "2999-01-01", "future"),
        ("languages", "Arabic", "not one of the available choices"),
        ("estimated_age", "150", "between 0 and 120"),
    ],
)
def test_bad_input_shows_an_inline_error_and_saves_nothing(
    login: Login, caseworker_a: User, field: str, value: str, message: str
) -> None:
    data = registration(**{field: value})
    if field == "estimated_age":
        data["date_of_birth"] = ""
    response = login(caseworker_a).post(url("person-create"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Person.objects.count() == 0


def test_unknown_country_code_is_refused(login: Login, caseworker_a: User) -> None:
    response = login(caseworker_a).post(url("person-create"), registration(nationalities=["XX"]))
    assert response.status_code == 400 and "nationalities" in response.context["form"].errors
    assert Person.objects.count() == 0


# The person page ---------------------------------------------------------------------------


def test_viewing_a_person_is_audited(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    response = login(caseworker_a).get(url("person-detail", person))
    assert response.status_code == 200 and "Youssef" in response.content.decode()
    entry = AuditEntry.objects.filter(action="person.view").get()
    assert entry.object_id == str(person.pk)


def test_edit_saves_changes(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    client = login(caseworker_a)
    form = client.get(url("person-edit", person)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(given_name="Yusuf", date_of_birth="1990-05-01")
    response = client.post(url("person-edit", person), data)
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).given_name == "Yusuf"


def test_edit_with_a_stale_version_shows_the_conflict_and_does_not_overwrite(
    login: Login, caseworker_a: User
) -> None:
    person = register(caseworker_a)
    client = login(caseworker_a)
    base = registration(given_name="Yusuf", version=person.version)
    assert client.post(url("person-edit", person), base).status_code == 302
    response = client.post(url("person-edit", person), {**base, "given_name": "Joseph"})
    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    assert Person.objects.get(pk=person.pk).given_name == "Yusuf"


def test_adds_a_document_and_a_contact(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    client = login(caseworker_a)
    client.post(url("person-document-add", person), {"doc_type": "passport", "number": "N998877"})
    client.post(url("person-contact-add", person), {"kind": "phone", "value": "12"})
    assert person.documents.count() == 1 and person.contacts.count() == 0
    response = client.post(
        url("person-contact-add", person), {"kind": "phone", "value": "+254 712 345678"}
    )
    assert response.status_code == 302 and person.contacts.count() == 1


def test_photo_upload_and_private_stream(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    client = login(caseworker_a)
    upload = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    assert client.post(url("person-photo-upload", person), {"photo": upload}).status_code == 302
    response = client.get(url("person-photo", person))
    # Stored re-encoded: the opaque PNG is served as a JPEG of the same size.
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (12, 9)
    assert response["Cache-Control"] == "private, no-store"
    views = AuditEntry.objects.filter(action="person.view", object_id=str(person.pk))
    assert ["photo"] in [entry.fields for entry in views]


def test_photo_of_the_wrong_type_is_refused(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    upload = SimpleUploadedFile("p.png", b"<svg></svg>" * 4, content_type="image/png")
    response = login(caseworker_a).post(url("person-photo-upload", person), {"photo": upload})
    assert response.status_code == 400 and "JPEG or PNG" in response.content.decode()


# Consent -----------------------------------------------------------------------------------


def test_records_consent_from_the_form(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    data = {
        "purpose": "assistance",
        "method": "written",
        "given_on": timezone.localdate().isoformat(),
        **{key: "on" for key, _label in CONSENT_CHECKLIST},
    }
    client = login(caseworker_a)
    assert (
        client.post(url("consent-create", person), {**data, "told_retention": ""}).status_code
        == 400
    )
    assert client.post(url("consent-create", person), data).status_code == 302
    assert active_consent(person, ConsentPurpose.ASSISTANCE) is not None


def test_withdrawing_consent_blocks_its_purpose(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    given = consent(caseworker_a, person)
    response = login(caseworker_a).post(
        url("consent-withdraw", person, given.pk), {"note": "by phone"}
    )
    assert response.status_code == 302
    assert active_consent(person, ConsentPurpose.ASSISTANCE) is None


def test_consent_withdraw_needs_post(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    given = consent(caseworker_a, person)
    assert login(caseworker_a).get(url("consent-withdraw", person, given.pk)).status_code == 405


# Erasure -----------------------------------------------------------------------------------


def test_supervisor_erases_a_person_and_sees_no_identifying_data(
    login: Login, caseworker_a: User, supervisor_a: User
) -> None:
    person = register(caseworker_a)
    client = login(supervisor_a)
    assert "Erase for good" in client.get(url("person-detail", person)).content.decode()
    response = client.post(url("person-erase", person), {"reason": "person_request"})
    content = response.content.decode()
    assert response.status_code == 200 and "erased" in content and "Youssef" not in content
    assert client.get(url("person-detail", person)).status_code == 404


def test_caseworker_cannot_erase(login: Login, caseworker_a: User) -> None:
    person = register(caseworker_a)
    response = login(caseworker_a).post(url("person-erase", person), {"reason": "person_request"})
    assert response.status_code == 403
    assert Person.objects.get(pk=person.pk).is_erased is False


def test_name_searches_are_rate_limited_per_user(caseworker_a, login, settings) -> None:
    settings.SALAMA_SEARCHES_PER_MINUTE = 3
    client = login(caseworker_a)
    statuses = [client.post("/people/", {"q": "Amina"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many searches" in client.post("/people/", {"q": "Amina"}).content.decode()
