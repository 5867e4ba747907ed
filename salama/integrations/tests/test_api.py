"""The integrations API and the per-token rate limit of the whole API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import principal
from salama.accounts.services import create_api_token
from salama.integrations.models import Delivery, Integration

pytestmark = pytest.mark.django_db

API = "/api/v1/integrations"


def _client(user: Any, scopes: list[str] | None = None) -> Client:
    actor = principal(user)
    _token, secret = create_api_token(
        actor=actor, name="integration test", scopes=scopes or sorted(actor.permissions)
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(API + path, json.dumps(body or {}), content_type="application/json")


BODY = {
    "name": "Hotline",
    "target_url": "https://hooks.example.org/salama",
    "events": ["case.opened", "referral.accepted"],
    "scopes": ["case.workflow"],
}


@pytest.fixture(autouse=True)
def _private_allowed(settings: Any) -> None:
    # hooks.example.org does not resolve here; the address check itself is tested elsewhere.
    settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE = True


def test_an_org_admin_creates_an_integration_and_sees_the_secret_once(org_admin_a: Any) -> None:
    client = _client(org_admin_a)
    created = _post(client, "", BODY)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["scopes"] == ["case.workflow"]
    read = client.get(f"{API}/{body['id']}").json()
    assert "secret" not in read
    assert read["secret_prefix"] == body["secret"][:10]
    listed = client.get(API).json()
    assert [i["name"] for i in listed] == ["Hotline"]


def test_the_catalogue_names_events_and_scopes(org_admin_a: Any) -> None:
    body = _client(org_admin_a).get(f"{API}/events").json()
    assert "case.opened" in {e["name"] for e in body["events"]}
    assert {s["name"] for s in body["scopes"]} >= {"case.workflow", "staff.ids"}


def test_an_unknown_event_is_a_422_naming_the_field(org_admin_a: Any) -> None:
    response = _post(_client(org_admin_a), "", {**BODY, "events": ["case.eaten"]})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"events"}


def test_a_caseworker_may_not_manage_integrations(caseworker_a: Any) -> None:
    response = _client(caseworker_a).get(API)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_another_organisations_integration_and_delivery_are_404(
    org_admin_a: Any, org_admin_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    created = _post(_client(org_admin_a), "", BODY).json()
    other = _client(org_admin_b)
    integration = Integration.objects.get(uuid=created["id"])
    delivery = Delivery.objects.create(integration=integration, event="integration.ping")
    assert other.get(f"{API}/{created['id']}").status_code == 404
    assert other.get(f"{API}/{created['id']}/deliveries").status_code == 404
    assert _post(other, f"/{created['id']}/secret").status_code == 404
    assert _post(other, f"/deliveries/{delivery.uuid}/resend").status_code == 404
    assert (
        other.put(
            f"{API}/{created['id']}", json.dumps(BODY), content_type="application/json"
        ).status_code
        == 404
    )
    assert other.get(API).json() == []


def test_a_stale_version_is_a_409(org_admin_a: Any) -> None:
    client = _client(org_admin_a)
    created = _post(client, "", BODY).json()
    url = f"{API}/{created['id']}"
    first = client.put(url, json.dumps({**BODY, "version": 1}), content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.put(url, json.dumps({**BODY, "version": 1}), content_type="application/json")
    assert stale.status_code == 409


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(
    settings: Any, caseworker_a: Any
) -> None:
    settings.SALAMA_API_TOKEN_REQUESTS_PER_MINUTE = 3
    client = _client(caseworker_a)
    answers = [client.get("/api/v1/me") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert "too many requests" in body["detail"] and body["errors"] == []
    # Another token (another integration) has its own allowance.
    assert _client(caseworker_a).get("/api/v1/me").status_code == 200


def test_every_operation_declares_429(client: Client) -> None:
    from salama.api.urls import api

    document = api.get_openapi_schema()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "429" in operation["responses"], f"{method} {path}"
