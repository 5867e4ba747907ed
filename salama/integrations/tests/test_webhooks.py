"""Webhooks: signed, scoped, retried, disabled after failures, and never sent inside the network."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import principal
from salama.cases.services import open_case
from salama.core import events
from salama.integrations import delivery, services, signing
from salama.integrations.choices import DeliveryStatus, DisabledReason
from salama.integrations.models import Delivery, Integration
from salama.integrations.tests.receiver import Receiver, running_receiver
from salama.people.services import register_person

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["case.reference", "case.workflow", "referral.workflow", "staff.ids"]


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE = True
    with running_receiver() as state:
        yield state


def _integration(admin: Any, url: str, *, scopes: list[str], events_: list[str] | None = None):
    return services.create_integration(
        actor=principal(admin),
        name="Hotline",
        target_url=url,
        events=events_ or ["case.opened", "case.closed"],
        scopes=scopes,
    )


def _open_case(user: Any, capture: Any) -> Any:
    actor = principal(user)
    person = register_person(
        actor=actor, given_name="Amina", family_name="Yusuf", date_of_birth=dt.date(1994, 5, 17)
    )
    with capture(execute=True):
        return open_case(actor=actor, person=person, case_type="trafficking", summary="Secret")


def test_the_receiver_verifies_the_signature_of_an_event(
    receiver: Receiver, org_admin_a: Any, caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    integration, secret = _integration(org_admin_a, receiver.url, scopes=["case.workflow"])
    case = _open_case(caseworker_a, django_capture_on_commit_callbacks)

    [got] = receiver.received
    header = got.headers[signing.HEADER]
    assert signing.verify(secret, header, got.body, now=int(time.time()))
    assert not signing.verify(secret, header, got.body + b" ", now=int(time.time()))
    assert not signing.verify(secret, header, got.body, now=int(time.time()) + 3600)
    assert got.json["event"] == "case.opened"
    assert got.json["record_id"] == str(case.pk)
    assert got.json["data"] == {"case_type": "trafficking", "stage": case.stage}
    logged = Delivery.objects.get(integration=integration)
    assert (logged.status, logged.attempts, logged.response_code) == ("succeeded", 1, 204)
    assert logged.latency_ms is not None


def test_a_failed_delivery_is_retried_with_backoff_and_the_same_event_id(
    receiver: Receiver, org_admin_a: Any, caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.fail_first = 1
    integration, secret = _integration(org_admin_a, receiver.url, scopes=[])
    _open_case(caseworker_a, django_capture_on_commit_callbacks)

    logged = Delivery.objects.get(integration=integration)
    assert (logged.status, logged.attempts, logged.response_code) == ("retrying", 1, 500)
    assert logged.next_attempt_at is not None
    wait = (logged.next_attempt_at - logged.last_attempt_at).total_seconds()
    assert wait == delivery.BASE_DELAY_SECONDS
    # Nothing is due before the back-off has passed; then the retry is sent and succeeds.
    assert delivery.retry_due(now=logged.last_attempt_at + dt.timedelta(seconds=5)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.retry_due(now=logged.next_attempt_at) == 1
    logged.refresh_from_db()
    assert (logged.status, logged.attempts) == ("succeeded", 2)
    first, second = receiver.received
    assert first.json["id"] == second.json["id"]
    assert signing.verify(secret, second.headers[signing.HEADER], second.body, now=int(time.time()))
    assert delivery.backoff(3) == dt.timedelta(minutes=2)
    assert delivery.backoff(30) == dt.timedelta(hours=6)


def test_the_receiver_never_gets_a_field_outside_the_integrations_scopes(
    receiver: Receiver, org_admin_a: Any, caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _integration(org_admin_a, receiver.url, scopes=["case.workflow"])
    _open_case(caseworker_a, django_capture_on_commit_callbacks)
    # An event whose announcer put in more than it should: unlisted fields never leave, even
    # for an integration holding every scope.
    _integration(org_admin_a, receiver.url, scopes=ALL_SCOPES)
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(
            "case.closed",
            organisation_id=org_admin_a.memberships.first().organisation_id,
            record_id="x",
            data={"given_name": "Amina", "note": "Free text", "stage": "closed", "reference": "R"},
        )
    keys = receiver.keys_seen()
    assert {"given_name", "note", "summary", "family_name", "date_of_birth"}.isdisjoint(keys)
    assert "reference" not in receiver.received[0].json["data"]
    assert b"Amina" not in b"".join(r.body for r in receiver.received)
    assert b"Secret" not in b"".join(r.body for r in receiver.received)
    assert receiver.received[-1].json["data"] == {"stage": "closed", "reference": "R"}


def test_another_organisations_events_do_not_reach_an_integration(
    receiver: Receiver, org_admin_a: Any, caseworker_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _integration(org_admin_a, receiver.url, scopes=[])
    _open_case(caseworker_b, django_capture_on_commit_callbacks)
    assert receiver.received == []


def test_an_integration_is_turned_off_after_failures_in_a_row(
    receiver: Receiver,
    settings: Any,
    org_admin_a: Any,
    caseworker_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SALAMA_WEBHOOK_DISABLE_AFTER = 2
    receiver.fail_first = 10
    integration, _secret = _integration(org_admin_a, receiver.url, scopes=[])
    _open_case(caseworker_a, django_capture_on_commit_callbacks)
    _open_case(caseworker_a, django_capture_on_commit_callbacks)
    integration.refresh_from_db()
    assert not integration.is_active
    assert integration.disabled_reason == DisabledReason.FAILURES
    _open_case(caseworker_a, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 2  # nothing more is sent to a disabled integration
    page = _client(org_admin_a).get(integration.get_absolute_url())
    assert "deliveries in a row failed" in page.content.decode()


def test_resending_a_delivery_sends_the_same_event_again(
    receiver: Receiver, org_admin_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    integration, _secret = _integration(org_admin_a, receiver.url, scopes=[])
    actor = principal(org_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        ping = services.send_test_event(actor=actor, integration=integration)
    ping.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.resend_delivery(actor=actor, delivery=ping)
    again.refresh_from_db()
    assert again.status == DeliveryStatus.SUCCEEDED
    assert [r.json["id"] for r in receiver.received] == [str(ping.event_id)] * 2
    assert receiver.received[0].json["event"] == "integration.ping"


def test_the_secret_is_kept_wrapped_never_in_clear(receiver: Receiver, org_admin_a: Any) -> None:
    integration, secret = _integration(org_admin_a, receiver.url, scopes=[])
    stored = Integration.objects.get(pk=integration.pk)
    assert secret.encode() not in bytes(stored.secret_wrapped)
    assert signing.key_of(secret) not in bytes(stored.secret_wrapped)
    assert delivery.secret_key(stored) == signing.key_of(secret)
    new = services.rotate_integration_secret(actor=principal(org_admin_a), integration=stored)
    assert new != secret
    assert delivery.secret_key(Integration.objects.get(pk=stored.pk)) == signing.key_of(new)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://user:pw@example.org/hooks",
        "ftp://example.org/hooks",
    ],
)
def test_an_address_inside_the_network_or_not_https_is_refused(
    settings: Any, org_admin_a: Any, url: str
) -> None:
    settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        _integration(org_admin_a, url, scopes=[])
    assert "target_url" in refused.value.message_dict
    assert not Integration.objects.exists()


def test_a_delivery_to_an_address_that_became_private_is_not_sent(
    receiver: Receiver,
    settings: Any,
    org_admin_a: Any,
    caseworker_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    integration, _secret = _integration(org_admin_a, receiver.url, scopes=[])
    settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE = False
    _open_case(caseworker_a, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert Delivery.objects.get(integration=integration).error == "address_refused"


def test_only_an_organisation_administrator_creates_integrations(
    receiver: Receiver, caseworker_a: Any, supervisor_a: Any
) -> None:
    for user in (caseworker_a, supervisor_a):
        with pytest.raises(PermissionDenied):
            _integration(user, receiver.url, scopes=[])


def test_unknown_events_and_scopes_are_refused_with_what_to_fix(
    receiver: Receiver, org_admin_a: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        _integration(org_admin_a, receiver.url, scopes=["person.names"])
    assert "person.names" in str(refused.value.message_dict["scopes"])
    with pytest.raises(ValidationError) as refused:
        _integration(org_admin_a, receiver.url, scopes=[], events_=["case.deleted"])
    assert "case.deleted" in str(refused.value.message_dict["events"])


def _client(user: Any) -> Any:
    from conftest import verified_client

    return verified_client(user)


def test_another_organisations_integration_is_not_found(
    receiver: Receiver, org_admin_a: Any, org_admin_b: Any
) -> None:
    integration, _secret = _integration(org_admin_a, receiver.url, scopes=[])
    client = _client(org_admin_b)
    assert client.get(integration.get_absolute_url()).status_code == 404
    assert client.post(f"/integrations/{integration.uuid}/secret/").status_code == 404
    assert client.get(f"/api/v1/integrations/{integration.uuid}").status_code == 404
    assert _client(org_admin_a).get(integration.get_absolute_url()).status_code == 200
    assert timezone.now()  # the owner's page renders
