"""People API: visibility, validation (422), version conflicts (409), consent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from salama.accounts import services as account_services
from salama.accounts.models import User
from salama.core.models import AuditEntry
from salama.people.models import CONSENT_CHECKLIST, Person
from salama.people.services import active_consent
from salama.people.tests.test_services import principal, register

pytestmark = pytest.mark.django_db

BASE = "/api/v1/people"


class Api:
    """A client that calls the API with a bearer token of `user`."""

    def __init__(self, user: User, scopes: list[str] | None = None) -> None:
        actor = principal(user)
        _token, self.secret = account_services.create_api_token(
            actor=actor, name="test", scopes=scopes or sorted(actor.permissions)
        )
        self.client = Client()

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(BASE + path, **kwargs)


def test_registers_and_reads_a_person(caseworker_a: User) -> None:
    api = Api(caseworker_a)
    response = api.call(
        "post",
        "",
        {
            "given_name": "Tesfaye",
            "family_name": "Gebremichael",
            "other_names": [{"name": "ተስፋዬ ገብረሚካኤል"}],
            "date_of_birth": "1995-02-02",
            "nationalities": ["ER"],
            "languages": ["ti"],
            "documents": [{"doc_type": "passport", "number": "E1234567", "issuing_country": "ER"}],
        },
    )
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    read = api.call("get", f"/{person_id}")
    assert read.status_code == 200
    body = read.json()
    assert body["other_names"][0]["script"] == "ethiopic"
    assert body["documents"][0]["number"] == "E1234567"
    assert AuditEntry.objects.filter(action="person.view", object_id=person_id).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"given_name": "A", "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"given_name": "A", "nationalities": ["XX"]}, "nationalities"),
        ({"given_name": "A", "languages": ["Arabic"]}, "languages"),
        ({"family_name": ""}, "given_name"),
    ],
)
def test_bad_registration_answers_422_with_field_errors(
    caseworker_a: User, payload: dict[str, Any], field: str
) -> None:
    response = Api(caseworker_a).call("post", "", payload)
    assert response.status_code == 422
    assert field in {e["field"].split(".")[0] for e in response.json()["errors"]}
    assert Person.objects.count() == 0


def test_impossible_date_answers_422(caseworker_a: User) -> None:
    response = Api(caseworker_a).call(
        "post", "", {"given_name": "A", "date_of_birth": "1990-02-30"}
    )
    assert response.status_code == 422 and Person.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"version": 1, "given_name": "X"}),
        (
            "post",
            "/consents",
            {
                "purpose": "assistance",
                "method": "written",
                "given_on": "2024-01-01",
                "checklist": {},
            },
        ),
    ],
)
def test_another_organisation_gets_404(
    caseworker_a: User, caseworker_b: User, method: str, suffix: str, body: Any
) -> None:
    person = register(caseworker_a)
    response = Api(caseworker_b).call(method, f"/{person.pk}{suffix}", body)
    assert response.status_code == 404
    assert Person.objects.get(pk=person.pk).given_name == "Youssef"


def test_search_returns_only_visible_people(caseworker_a: User, caseworker_b: User) -> None:
    register(caseworker_a)
    mine = register(caseworker_b, given_name="Yousef")
    found = Api(caseworker_b).call("post", "/search", {"q": "Youssef Haddad"}).json()
    assert [h["id"] for h in found["name_matches"]] == [str(mine.pk)]
    assert found["identifier_matches"] == [] and found["message_code"] == ""
    recent = Api(caseworker_b).call("get", "").json()
    assert [h["id"] for h in recent] == [str(mine.pk)]


def test_patch_with_a_stale_version_answers_409(caseworker_a: User) -> None:
    person = register(caseworker_a)
    api = Api(caseworker_a)
    first = api.call("patch", f"/{person.pk}", {"version": 1, "given_name": "Yusuf"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api.call("patch", f"/{person.pk}", {"version": 1, "given_name": "Joseph"})
    assert stale.status_code == 409
    assert Person.objects.get(pk=person.pk).given_name == "Yusuf"


def test_token_without_the_scope_gets_403(caseworker_a: User) -> None:
    response = Api(caseworker_a, scopes=["person.view"]).call("post", "", {"given_name": "A"})
    assert response.status_code == 403


def test_records_and_withdraws_consent(caseworker_a: User) -> None:
    person = register(caseworker_a)
    api = Api(caseworker_a)
    body = {
        "purpose": "assistance",
        "method": "written",
        "given_on": timezone.localdate().isoformat(),
        "checklist": {key: True for key, _label in CONSENT_CHECKLIST},
    }
    missing = api.call("post", f"/{person.pk}/consents", {**body, "checklist": {}})
    assert missing.status_code == 422
    assert "checklist" in {e["field"] for e in missing.json()["errors"]}
    created = api.call("post", f"/{person.pk}/consents", body)
    assert created.status_code == 201 and created.json()["status"] == "active"
    withdrawn = api.call(
        "post", f"/{person.pk}/consents/{created.json()['id']}/withdraw", {"note": ""}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert active_consent(person, "assistance") is None


def test_duplicate_check_finds_another_script_spelling(caseworker_a: User) -> None:
    existing = register(caseworker_a, given_name="يوسف", family_name="حداد")
    hits = (
        Api(caseworker_a)
        .call("post", "/duplicates", {"given_name": "Youssef", "family_name": "Haddad"})
        .json()
    )
    assert [h["id"] for h in hits] == [str(existing.pk)]
    assert hits[0]["reasons"] == ["given_name_agrees", "family_name_agrees"]
    assert hits[0]["explanation"] == ["given name and family name agree"]


def test_search_lists_an_exact_document_match_in_its_own_group(caseworker_a: User) -> None:
    from salama.people.services import DocumentInput

    register(caseworker_a, given_name="N12345678")
    wanted = register(caseworker_a, documents=[DocumentInput("passport", "N12345678", "SY")])
    found = Api(caseworker_a).call("post", "/search", {"q": "n1234-5678"}).json()
    assert [h["id"] for h in found["identifier_matches"]] == [str(wanted.pk)]
    assert found["identifier_matches"][0]["reasons"] == ["document"]
    assert found["identifier_matches"][0]["explanation"] == ["same document number"]
    assert found["name_matches"] == [] and found["message_code"] == ""


def test_search_for_noise_answers_empty_lists_and_says_why(caseworker_a: User) -> None:
    register(caseworker_a)
    api = Api(caseworker_a)
    for noise in ("zzqx", "qqqq wwww"):
        found = api.call("post", "/search", {"q": noise, "birth_year": 1990}).json()
        assert found["identifier_matches"] == [] and found["name_matches"] == []
        assert found["message_code"] == "no_close_name"
        assert found["message"].startswith("No one you may see matches this name closely")
    found = api.call("post", "/search", {"q": "P0000001"}).json()
    assert found["message_code"] == "no_identifier_match" and found["name_matches"] == []


def test_name_hits_say_which_parts_agreed_in_words(caseworker_a: User) -> None:
    register(caseworker_a, given_name="يوسف", family_name="حداد")
    found = Api(caseworker_a).call("post", "/search", {"q": "Yusuf Hadad", "birth_year": 1990})
    hit = found.json()["name_matches"][0]
    assert hit["reasons"] == ["given_name_agrees", "family_name_agrees", "birth_year"]
    assert hit["explanation"] == ["given name and family name agree", "same year of birth"]
