"""The API never answers 500, enforces the limits it declares, and its OpenAPI document is true.

Findings of an attack on the API: endpoints guarded by a permission answered 500 instead of 403;
extreme numbers and nulls where lists are declared crashed the services; fields took a megabyte
where the model holds 200 characters, a person took a thousand aliases, an age of -5 and any
value as a kind of name or a language; a bad `next` crashed the assistance forms; and the document
declared shapes (a 422's `detail`, the case plan's items) the API did not answer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import principal, verified_client
from salama.accounts import services as account_services
from salama.accounts.models import User
from salama.assistance import services as assistance_services
from salama.assistance.choices import FundKind, ItemStatus
from salama.assistance.models import Fund
from salama.assistance.tests.factories import ask, make_case, make_fund
from salama.cases import services as case_services
from salama.cases.models import Case, CaseNote
from salama.people import services as people_services
from salama.people.models import Person
from salama.people.tests.test_services import register

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Api:
    """Calls the API as `user` with a bearer token carrying all of the role's permissions."""

    def __init__(self, user: User) -> None:
        actor = principal(user)
        _token, secret = account_services.create_api_token(
            actor=actor, name="security test", scopes=sorted(actor.permissions)
        )
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            API + path, json.dumps(body), content_type="application/json"
        )

    def post(self, path: str, body: Any) -> Any:
        return self.send("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The response is the API's declared error: JSON with a string `detail` and a list `errors`."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
        assert isinstance(error["field"], str) and isinstance(error["message"], str)
    return body


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def case(caseworker_a: User) -> Case:
    return make_case(caseworker_a)


@pytest.fixture
def fund(org_admin_a: User) -> Fund:
    return make_fund(org_admin_a, deposit="500.00", threshold="10.00")


# Finding 4: permission refusals and bad input answered 500 ----------------------------------------


def test_caseworker_reading_the_referral_inbox_gets_a_json_403(caseworker_a: User) -> None:
    assert_error(Api(caseworker_a).get("/referrals/inbox"), 403)


def test_data_officer_listing_cases_gets_a_json_403(data_officer_a: User) -> None:
    assert_error(Api(data_officer_a).get("/cases/"), 403)


@pytest.mark.parametrize("threshold", [-1e308, "1e309", "-1", "NaN", "Infinity", "0.001"])
def test_fund_with_an_impossible_threshold_is_refused_with_422(
    org_admin_a: User, threshold: Any
) -> None:
    response = Api(org_admin_a).post(
        "/assistance/funds",
        {
            "name": "F",
            "kind": FundKind.PROJECT_BUDGET,
            "currency": "USD",
            "approval_threshold": threshold,
        },
    )
    assert_error(response, 422)
    assert fields(response) == {"approval_threshold"}
    assert not Fund.objects.filter(name="F").exists()


def test_deposit_of_1e309_is_refused_with_422(org_admin_a: User, fund: Fund) -> None:
    response = Api(org_admin_a).post(f"/assistance/funds/{fund.uuid}/deposits", {"amount": "1e309"})
    assert_error(response, 422)
    assert fields(response) == {"amount"}


def test_item_costing_1e309_is_refused_with_422(caseworker_a: User, case: Case, fund: Fund) -> None:
    response = Api(caseworker_a).post(
        f"/assistance/cases/{case.pk}/items",
        {
            "service_type": "medical",
            "description": "Clinic visit",
            "unit_cost": "1e309",
            "service_date": "2026-03-02",
            "fund_id": str(fund.uuid),
        },
    )
    assert_error(response, 422)
    assert fields(response) == {"unit_cost"}
    assert not case.assistance_items.exists()


def test_disbursing_1e309_is_refused_with_422(
    caseworker_a: User, supervisor_a: User, case: Case, fund: Fund
) -> None:
    item = ask(caseworker_a, case, fund, "5")
    response = Api(supervisor_a).post(f"/assistance/items/{item.pk}/disburse", {"amount": "1e309"})
    assert_error(response, 422)
    item.refresh_from_db()
    assert item.status == ItemStatus.REQUESTED


@pytest.mark.parametrize(
    "field",
    ["nationalities", "citizenships", "languages", "other_names", "given_name", "sex", "gender"],
)
def test_patching_a_person_with_null_where_a_value_is_declared_answers_422(
    caseworker_a: User, field: str
) -> None:
    person = register(caseworker_a)
    response = Api(caseworker_a).patch(f"/people/{person.pk}", {"version": 1, field: None})
    assert_error(response, 422)
    assert fields(response) == {field}
    person.refresh_from_db()
    assert person.version == 1


def test_an_unexpected_error_answers_json_500_without_the_traceback(
    caseworker_a: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
) -> None:
    settings.DEBUG = True  # a traceback must not reach the client even then

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("internal detail 7f3a")

    monkeypatch.setattr("salama.people.queries.recent_people", broken)
    with caplog.at_level(logging.ERROR, logger="salama.api"):
        response = Api(caseworker_a).get("/people")
    body = assert_error(response, 500)
    assert "7f3a" not in response.content.decode() and "Traceback" not in body["detail"]
    logged = [r for r in caplog.records if r.name == "salama.api"]
    assert logged and logged[0].exc_info is not None
    assert "internal detail 7f3a" in str(logged[0].exc_info[1])


@pytest.mark.parametrize("debug", [True, False])
def test_an_api_path_without_an_operation_answers_json_404(
    caseworker_a: User, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    api = Api(caseworker_a)
    for path in ("/api/v1/no-such-thing", "/api/v2/people", "/api/"):
        assert_error(api.client.get(path), 404)


def test_a_method_a_path_does_not_take_answers_json_405(caseworker_a: User) -> None:
    response = Api(caseworker_a).client.delete(f"{API}/people")
    assert_error(response, 405)
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_outside_the_api_operations_answers_json_under_api(
    settings: Any, debug: bool
) -> None:
    from django.http import HttpResponseServerError

    from salama.api.middleware import ApiJsonErrorsMiddleware

    settings.DEBUG = debug
    page = HttpResponseServerError("<h1>Traceback (most recent call last)</h1>")
    middleware = ApiJsonErrorsMiddleware(lambda request: page)
    response = middleware(RequestFactory().get("/api/v1/people"))
    body = assert_error(response, 500)
    assert "Traceback" not in response.content.decode() and body["errors"] == []
    assert middleware(RequestFactory().get("/cases/")) is page


def test_a_multipart_body_without_boundary_answers_400(caseworker_a: User, case: Case) -> None:
    response = Api(caseworker_a).client.post(
        f"{API}/cases/{case.pk}/attachments", b"x", content_type="multipart/form-data"
    )
    assert_error(response, 400)


@pytest.mark.parametrize("action", ["approve", "reject", "disburse", "cancel"])
def test_assistance_forms_with_a_bare_word_as_next_return_to_the_case(
    caseworker_a: User, supervisor_a: User, case: Case, fund: Fund, action: str
) -> None:
    item = ask(caseworker_a, case, fund, "5")
    if action == "disburse":
        assistance_services.approve_item(actor=principal(supervisor_a), item=item)
    response = verified_client(supervisor_a).post(
        reverse(f"assistance:item-{action}", args=[item.pk]), {"next": "XX", "reason": "No"}
    )
    assert response.status_code == 302
    assert response.url == reverse("assistance:case-assistance", kwargs={"case_id": case.pk})


@pytest.mark.parametrize("target", ["XX", "//evil.example/x", "https://evil.example/", "core:home"])
def test_switching_organisation_with_a_bad_next_goes_home(supervisor_a: User, target: str) -> None:
    membership = supervisor_a.memberships.get()
    response = verified_client(supervisor_a).post(
        reverse("accounts:organisation-switch"),
        {"membership": str(membership.uuid), "next": target},
    )
    assert response.status_code == 302 and response.url == reverse("core:home")


def test_switching_to_a_membership_that_is_not_a_uuid_is_refused(supervisor_a: User) -> None:
    response = verified_client(supervisor_a).post(
        reverse("accounts:organisation-switch"), {"membership": "XX"}
    )
    assert response.status_code == 403


# Finding 5: declared limits were not enforced ----------------------------------------------------


MEGABYTE = "x" * 1_000_000


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/people", {"given_name": MEGABYTE}, "given_name"),
        ("/people", {"given_name": "A", "place_of_birth": MEGABYTE}, "place_of_birth"),
        ("/people", {"given_name": "A", "other_names": [{"name": MEGABYTE}]}, "other_names.0.name"),
        ("/people/search", {"q": MEGABYTE}, "q"),
    ],
)
def test_a_megabyte_in_a_person_field_is_refused(
    caseworker_a: User, path: str, body: dict[str, Any], field: str
) -> None:
    response = Api(caseworker_a).post(path, body)
    assert_error(response, 422)
    assert fields(response) == {field}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("/notes", {"body": "x" * 20_001}, "body"),
        ("/tasks", {"title": "x" * 301}, "title"),
        ("/plan", {"action": MEGABYTE}, "action"),
        ("/close", {"reason": "other", "version": 1, "note": MEGABYTE}, "note"),
    ],
)
def test_a_case_field_over_its_limit_is_refused(
    caseworker_a: User, case: Case, suffix: str, body: dict[str, Any], field: str
) -> None:
    response = Api(caseworker_a).post(f"/cases/{case.pk}{suffix}", body)
    assert_error(response, 422)
    assert field in fields(response)
    assert not CaseNote.objects.exists()


def test_a_case_summary_of_a_megabyte_is_refused(caseworker_a: User) -> None:
    person = register(caseworker_a)
    response = Api(caseworker_a).post(
        "/cases/",
        {"person_id": str(person.pk), "case_type": "stranded_migrant", "summary": MEGABYTE},
    )
    assert_error(response, 422)
    assert fields(response) == {"summary"}
    assert not Case.objects.exists()


def test_a_fund_name_of_a_million_characters_is_refused(org_admin_a: User) -> None:
    response = Api(org_admin_a).post(
        "/assistance/funds",
        {
            "name": MEGABYTE,
            "kind": FundKind.PROJECT_BUDGET,
            "currency": "USD",
            "approval_threshold": "1",
        },
    )
    assert_error(response, 422)
    assert fields(response) == {"name"}
    assert not Fund.objects.exists()


def test_a_person_may_have_twenty_aliases_but_not_a_thousand(caseworker_a: User) -> None:
    api = Api(caseworker_a)
    many = api.post(
        "/people", {"given_name": "A", "other_names": [{"name": f"N{i}"} for i in range(1000)]}
    )
    assert_error(many, 422)
    assert fields(many) == {"other_names"}
    twenty = api.post(
        "/people", {"given_name": "A", "other_names": [{"name": f"N{i}"} for i in range(20)]}
    )
    assert twenty.status_code == 201
    assert len(twenty.json()["other_names"]) == 20


def test_the_registration_service_refuses_more_than_twenty_other_names(caseworker_a: User) -> None:
    with pytest.raises(ValidationError) as refused:
        people_services.register_person(
            actor=principal(caseworker_a),
            given_name="A",
            other_names=[{"name": f"N{i}"} for i in range(21)],
        )
    assert "other_names" in refused.value.message_dict


@pytest.mark.parametrize(
    "body",
    [
        {"given_name": "A", "estimated_age": -5},
        {"given_name": "A", "date_of_birth": "1990-01-01", "estimated_age": -5},
        {"given_name": "A", "estimated_age": 500},
    ],
)
def test_a_negative_or_impossible_age_is_refused(caseworker_a: User, body: dict[str, Any]) -> None:
    response = Api(caseworker_a).post("/people", body)
    assert_error(response, 422)
    assert fields(response) == {"estimated_age"}


def test_the_service_behind_the_pages_refuses_a_negative_age_beside_a_birth_date(
    caseworker_a: User,
) -> None:
    with pytest.raises(ValidationError) as refused:
        people_services.register_person(
            actor=principal(caseworker_a),
            given_name="A",
            date_of_birth=dt.date(1990, 1, 1),
            estimated_age=-5,
        )
    assert "estimated_age" in refused.value.message_dict


@pytest.mark.parametrize("kind", ["anything", "x" * 200, ""])
def test_an_other_name_kind_must_be_one_of_the_kinds(caseworker_a: User, kind: str) -> None:
    response = Api(caseworker_a).post(
        "/people", {"given_name": "A", "other_names": [{"name": "B", "kind": kind}]}
    )
    assert_error(response, 422)
    assert fields(response) == {"other_names.0.kind"}


def test_the_service_refuses_an_unknown_kind_of_name(caseworker_a: User) -> None:
    with pytest.raises(ValidationError):
        people_services.register_person(
            actor=principal(caseworker_a), given_name="A", other_names=[{"name": "B", "kind": "x"}]
        )


@pytest.mark.parametrize("code", ["XX", "XXX", "xx", "zz", "arabic", ""])
def test_a_language_must_be_a_known_code(caseworker_a: User, code: str) -> None:
    response = Api(caseworker_a).post("/people", {"given_name": "A", "languages": [code]})
    assert_error(response, 422)
    assert fields(response) == {"languages.0"}
    with pytest.raises(ValidationError):
        people_services.register_person(
            actor=principal(caseworker_a), given_name="A", languages=[code or "q"]
        )


def test_known_languages_in_either_case_are_accepted(caseworker_a: User) -> None:
    response = Api(caseworker_a).post(
        "/people", {"given_name": "A", "languages": ["AR", "ti", "tig"], "nationalities": ["er"]}
    )
    assert response.status_code == 201, response.content
    assert response.json()["languages"] == ["ar", "ti", "tig"]
    assert response.json()["nationalities"] == ["ER"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nationalities", ["SY", "ER", "UA", "SD", "SO", "AF"]),
        ("nationalities", ["XX"]),
        ("citizenships", ["ZZ"]),
        ("languages", ["ar"] * 11),
        ("documents", [{"doc_type": "passport", "number": f"P{i}"} for i in range(11)]),
        ("contacts", [{"kind": "phone", "value": f"+9627{i:07}"} for i in range(11)]),
    ],
)
def test_lists_are_capped_and_codes_checked(caseworker_a: User, field: str, value: Any) -> None:
    response = Api(caseworker_a).post("/people", {"given_name": "A", field: value})
    assert_error(response, 422)
    assert {f.split(".")[0] for f in fields(response)} == {field}


def test_nul_characters_and_lone_surrogates_are_refused(
    caseworker_a: User, org_admin_a: User, case: Case
) -> None:
    # PostgreSQL cannot store a NUL in a text column: the fund's name was a 500 there.
    fund = Api(org_admin_a).post(
        "/assistance/funds",
        {"name": "a\x00b", "kind": "project_budget", "currency": "USD", "approval_threshold": "1"},
    )
    assert_error(fund, 422)
    assert fields(fund) == {"name"}
    api = Api(caseworker_a)
    nul = api.post(f"/cases/{case.pk}/notes", {"body": "a\x00b"})
    assert_error(nul, 422)
    surrogate = api.client.post(
        f"{API}/cases/{case.pk}/notes", '{"body": "a\\ud800b"}', content_type="application/json"
    )
    assert_error(surrogate, 422)
    assert not CaseNote.objects.exists()


def test_a_blank_note_is_refused_by_the_schema(caseworker_a: User, case: Case) -> None:
    assert_error(Api(caseworker_a).post(f"/cases/{case.pk}/notes", {"body": "   "}), 422)


def test_a_version_beyond_the_column_is_refused(caseworker_a: User, case: Case) -> None:
    response = Api(caseworker_a).post(f"/cases/{case.pk}/reopen", {"version": 10**30})
    assert_error(response, 422)
    assert fields(response) == {"version"}


def test_the_html_forms_cap_the_reasons_they_send(caseworker_a: User) -> None:
    from salama.referrals.forms import DeclineForm, MoveForm
    from salama.screening.forms import DecisionForm

    assert not MoveForm({"version": 1, "reason": "x" * 2001}).is_valid()
    assert not MoveForm({"version": 1, "delivery_note": "x" * 2001}).is_valid()
    assert not DeclineForm({"reason": "x" * 2001}).is_valid()
    decision = DecisionForm(
        {
            "decided_by_org_type": "police",
            "decided_on": "2026-01-01",
            "outcome": "identified",
            "legal_basis": "x" * 4001,
        },
        org_types=[("police", "Police")],
    )
    assert not decision.is_valid() and "legal_basis" in decision.errors


# Errors have one shape ------------------------------------------------------------------------------


def test_a_validation_error_has_a_string_detail_and_the_fields(caseworker_a: User) -> None:
    api = Api(caseworker_a)
    for response in (
        api.get("/people", page="abc"),
        api.get("/people/not-a-uuid"),
        api.post("/people/search", {}),
        api.client.post(f"{API}/people/search", content_type="application/json"),
    ):
        body = assert_error(response, 422)
        assert body["errors"]
    assert fields(api.get("/people", page="abc")) == {"page"}
    assert fields(api.get("/people/not-a-uuid")) == {"person_id"}
    assert fields(api.post("/people/search", {})) == {"q"}


def test_service_refusals_keep_their_words(caseworker_a: User) -> None:
    response = Api(caseworker_a).post("/people", {"given_name": "A", "date_of_birth": "2999-01-01"})
    body = assert_error(response, 422)
    assert body["errors"] == [
        {"field": "date_of_birth", "message": "The date of birth is in the future."}
    ]


def test_missing_stale_and_unparseable_answer_the_declared_shape(
    caseworker_a: User, case: Case
) -> None:
    api = Api(caseworker_a)
    assert_error(api.get("/cases/00000000-0000-0000-0000-000000000000"), 404)
    assert_error(api.post(f"/cases/{case.pk}/reopen", {"version": 99}), 422)  # not closed
    assert_error(
        api.post(f"/cases/{case.pk}/move", {"target": "assistance_plan", "version": 99}), 409
    )
    broken = api.client.post(f"{API}/cases/{case.pk}/notes", "{", content_type="application/json")
    assert_error(broken, 400)
    assert_error(Client().get(f"{API}/cases/"), 401)


def test_too_many_searches_answer_429_with_retry_information(
    caseworker_a: User, settings: Any
) -> None:
    settings.SALAMA_SEARCHES_PER_MINUTE = 1
    api = Api(caseworker_a)
    assert api.post("/people/search", {"q": "A"}).status_code == 200
    assert_error(api.post("/people/search", {"q": "A"}), 429)


# Finding 8: the OpenAPI document is true ---------------------------------------------------------


@pytest.fixture
def document(db: Any) -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: set[str]
) -> list[str]:
    """Where an input schema lets a string, list, map or number grow without a declared limit."""
    ref = schema.get("$ref")
    if ref:
        if ref in seen:
            return []
        seen = seen | {ref}
    schema = _resolve(document, schema)
    problems = []
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            problems += _unbounded(document, branch, where, seen)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return problems
    if kind == "string" and not (
        "maxLength" in schema or schema.get("format") in {"uuid", "date", "date-time", "binary"}
    ):
        problems.append(f"{where}: string without maxLength")
    if kind in {"integer", "number"} and not ("minimum" in schema and "maximum" in schema):
        problems.append(f"{where}: {kind} without minimum and maximum")
    if kind == "array":
        if "maxItems" not in schema:
            problems.append(f"{where}: array without maxItems")
        problems += _unbounded(document, schema.get("items", {}), f"{where}[]", seen)
    if kind == "object":
        for name, sub in schema.get("properties", {}).items():
            problems += _unbounded(document, sub, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                problems.append(f"{where}: map without maxProperties")
            problems += _unbounded(document, extra, f"{where}{{}}", seen)
    return problems


def test_every_input_declares_its_limits(document: dict[str, Any]) -> None:
    problems = []
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            problems += _unbounded(
                document, parameter["schema"], f"{where} {parameter['name']}", set()
            )
        for content in operation.get("requestBody", {}).get("content", {}).values():
            problems += _unbounded(document, content["schema"], f"{where} body", set())
    assert problems == []


def test_every_operation_declares_the_error_answers(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        expected = {"401", "403", "404", "422", "500"}
        if "requestBody" in operation:
            expected |= {"400", "413"}
        if method != "get":
            expected.add("409")
        assert expected <= set(responses), f"{method} {path}"
        for code in expected:
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, f"{method} {path} {code}"
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["properties"]["errors"]["type"] == "array"


def test_searches_declare_429(document: dict[str, Any]) -> None:
    for path in ("/api/v1/people/search", "/api/v1/people/duplicates"):
        assert "429" in document["paths"][path]["post"]["responses"]


def test_schema_names_are_unique_across_apps() -> None:
    """Two schemas of one name make the document describe one of them twice (PlanItemOut did)."""
    import enum
    import typing

    from pydantic import BaseModel

    from salama.api.urls import api

    found: dict[str, set[str]] = {}

    def walk(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, (BaseModel, enum.Enum)):
            name = f"{tp.__module__}.{tp.__qualname__}"
            if name in found.setdefault(tp.__name__, set()):
                return
            found[tp.__name__].add(name)
            if issubclass(tp, BaseModel):
                for field in tp.model_fields.values():
                    walk(field.annotation)
        for arg in typing.get_args(tp):
            walk(arg)

    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in operation.models:
                    for field in model.model_fields.values():
                        walk(field.annotation)
                for response in operation.response_models.values():
                    if isinstance(response, type) and issubclass(response, BaseModel):
                        walk(response.model_fields["response"].annotation)
    clashes = {name: where for name, where in found.items() if len(where) > 1}
    assert clashes == {}


def test_the_case_plan_is_documented_as_it_is_answered(
    caseworker_a: User, case: Case, document: dict[str, Any]
) -> None:
    case_services.add_plan_item(
        actor=principal(caseworker_a), case=case, goal="Safe housing", action="Find a shelter"
    )
    answered = Api(caseworker_a).get(f"/cases/{case.pk}/plan").json()
    declared = document["paths"]["/api/v1/cases/{case_id}/plan"]["get"]["responses"]["200"]
    item_schema = _resolve(document, declared["content"]["application/json"]["schema"]["items"])
    assert set(item_schema["required"]) <= set(answered[0])
    assert set(answered[0]) <= set(item_schema["properties"])
    assert "source" not in item_schema["required"]


def test_amounts_patterns_and_choices_are_documented(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    number, text = schemas["DepositIn"]["properties"]["amount"]["anyOf"]
    assert (number["minimum"], number["maximum"]) == (0, float(Decimal("999999999999.99")))
    assert text["maxLength"] == 15 and text["pattern"]
    # A pattern written after a validator silently disappears from pydantic's schema.
    assert schemas["FundIn"]["properties"]["currency"]["pattern"] == "^[A-Za-z]{3}$"
    assert schemas["NoteIn"]["properties"]["body"]["pattern"] == r"\S"
    assert "Police" in schemas["DecisionIn"]["properties"]["decided_by_org_type"]["enum"]
    assert "tig" in schemas["LanguageCode"]["enum"] and "xx" not in schemas["LanguageCode"]["enum"]
    assert "SY" in schemas["CountryCode"]["enum"] and "XX" not in schemas["CountryCode"]["enum"]


# The fuzzing's token command ---------------------------------------------------------------------


def test_api_token_command_refuses_outside_demo_mode(caseworker_a: User, settings: Any) -> None:
    settings.SALAMA_DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("api_token", caseworker_a.email)


def test_api_token_command_prints_a_working_token(caseworker_a: User, capsys: Any) -> None:
    call_command("api_token", caseworker_a.email, "--scopes", "person.view")
    secret = capsys.readouterr().out.strip()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(f"{API}/me")
    assert response.status_code == 200 and response.json()["permissions"] == ["person.view"]
