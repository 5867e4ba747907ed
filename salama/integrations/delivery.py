"""Sending events to integrations: the payload a scope allows, signed, retried with back-off.

``on_event`` (subscribed to salama.core.events, so it runs after the announcing write commits)
records one Delivery per active integration of the event's organisation that asked for the
event, and queues ``tasks.deliver_webhook`` for it. An attempt posts the JSON with a short
timeout and no redirects; a 2xx answer is success. A failure is retried after 30 s, 1, 2, 4, 8 …
minutes (at most six hours apart) until SALAMA_WEBHOOK_MAX_ATTEMPTS; after
SALAMA_WEBHOOK_DISABLE_AFTER failed attempts in a row the integration is turned off, audited,
and its page says why. Only the answer's status code, the latency and a short error code are
logged, never the answer's body.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from salama.core import audit, crypto
from salama.core.events import Event
from salama.integrations import signing
from salama.integrations.choices import FIELD_SCOPES, DeliveryStatus, DisabledReason
from salama.integrations.models import Delivery, Integration
from salama.integrations.urlsafety import check_target

logger = logging.getLogger(__name__)

BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 6 * 3600
USER_AGENT = "Salama-Webhooks/1"


def _subject(integration: Integration) -> str:
    return f"integration/{integration.uuid}"


def wrap_secret(integration: Integration, raw: bytes) -> None:
    integration.secret_kek_id, integration.secret_wrapped = crypto.wrap_data_key(
        raw, _subject(integration)
    )


def secret_key(integration: Integration) -> bytes:
    return crypto.unwrap_data_key(
        integration.secret_kek_id, bytes(integration.secret_wrapped), _subject(integration)
    )


def rewrap_secrets(ring: crypto.KeyRing) -> int:
    """Re-wrap every signing secret not under the current KEK (called by `salama keys rotate`),
    so that the retired KEK can be removed; returns how many were re-wrapped."""
    count = 0
    for integration in Integration.objects.exclude(secret_kek_id=ring.current_id).iterator():
        with transaction.atomic():
            locked = Integration.objects.select_for_update().get(pk=integration.pk)
            if locked.secret_kek_id == ring.current_id:
                continue
            raw = crypto.unwrap_data_key(
                locked.secret_kek_id, bytes(locked.secret_wrapped), _subject(locked), ring
            )
            locked.secret_kek_id, locked.secret_wrapped = crypto.wrap_data_key(
                raw, _subject(locked), ring
            )
            locked.save(update_fields=["secret_kek_id", "secret_wrapped"])
        count += 1
    return count


def scoped_data(data: dict[str, Any], scopes: list[str]) -> dict[str, Any]:
    """The fields of an event's data that the scopes let out (unlisted fields never do)."""
    allowed = set(scopes)
    return {k: v for k, v in data.items() if FIELD_SCOPES.get(k) in allowed}


def payload_for(integration: Integration, event: Event, event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "event": event.name,
        "occurred_at": event.occurred_at.isoformat(),
        "organisation": str(integration.organisation.uuid),
        "record_id": None if event.record_id is None else str(event.record_id),
        "data": scoped_data(dict(event.data), list(integration.scopes)),
    }


def on_event(event: Event) -> None:
    """Record and queue a delivery to each integration that subscribed to `event`."""
    if event.organisation_id is None:
        return
    integrations = Integration.objects.select_related("organisation").filter(
        organisation_id=event.organisation_id, is_active=True
    )
    created = []
    with transaction.atomic():
        for integration in integrations:
            if event.name not in integration.events:
                continue
            delivery = Delivery(integration=integration, event=event.name)
            delivery.payload = payload_for(integration, event, str(delivery.event_id))
            delivery.save()
            created.append(delivery)
    for delivery in created:
        queue(delivery)


def on_events(batch: list[Event]) -> None:
    """``on_event`` for the many events of one bulk write: the integrations of each
    organisation are read once, and the deliveries are the same, in the events' order."""
    by_org: dict[int, list[Integration]] = {}
    created = []
    with transaction.atomic():
        for event in batch:
            if event.organisation_id is None:
                continue
            integrations = by_org.get(event.organisation_id)
            if integrations is None:
                integrations = by_org[event.organisation_id] = list(
                    Integration.objects.select_related("organisation").filter(
                        organisation_id=event.organisation_id, is_active=True
                    )
                )
            for integration in integrations:
                if event.name not in integration.events:
                    continue
                delivery = Delivery(integration=integration, event=event.name)
                delivery.payload = payload_for(integration, event, str(delivery.event_id))
                delivery.save()
                created.append(delivery)
    for delivery in created:
        queue(delivery)


def queue(delivery: Delivery, run_after: dt.datetime | None = None) -> None:
    """Hand the delivery to the task worker (after the current transaction commits)."""
    from salama.integrations.tasks import deliver_webhook

    def enqueue() -> None:
        task = deliver_webhook
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # left for `retry_due_deliveries`, which picks up what is due
            task = task.using(run_after=run_after)
        task.enqueue(str(delivery.uuid))

    transaction.on_commit(enqueue)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, 4 min …"""
    return dt.timedelta(seconds=min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (attempts - 1)))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer like any other: a redirect could lead inside


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (status code, error code); the answer's body is read and dropped."""
    if not url.startswith(("https://", "http://")):
        return None, "address_refused"
    opener = urllib.request.build_opener(_NoRedirects)
    # The scheme is http(s) only: checked above and by check_target before every attempt.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=settings.SALAMA_WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code), f"http_{exc.code}"
    except TimeoutError:
        return None, "timeout"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, ("timeout" if isinstance(reason, TimeoutError) else "connection_failed")


def attempt(delivery_uuid: str, *, now: dt.datetime | None = None) -> str:
    """Make one attempt of a delivery that is due; returns its status afterwards."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("integration__organisation")
            .filter(uuid=delivery_uuid)
            .first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            return delivery.status if delivery else "missing"
        integration = delivery.integration
        if not integration.is_active:
            return str(delivery.status)
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Salama-Event": delivery.event,
            "X-Salama-Delivery": str(delivery.uuid),
            signing.HEADER: signing.header_value(secret_key(integration), stamp, body),
        }
        started = time.monotonic()
        try:
            check_target(integration.target_url)
        except ValidationError:
            code, error = None, "address_refused"
        else:
            code, error = post(integration.target_url, body, headers)
        latency = int((time.monotonic() - started) * 1000)
        _record(delivery, integration, code, error, latency, now or timezone.now())
        return str(delivery.status)


def _record(
    delivery: Delivery,
    integration: Integration,
    code: int | None,
    error: str,
    latency: int,
    now: dt.datetime,
) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = code
    delivery.latency_ms = latency
    ok = code is not None and 200 <= code < 300
    delivery.error = "" if ok else (error or f"http_{code}")
    if ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        Integration.objects.filter(pk=integration.pk).update(consecutive_failures=0)
    elif delivery.attempts >= settings.SALAMA_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save()
    if ok:
        return
    integration.consecutive_failures += 1
    Integration.objects.filter(pk=integration.pk).update(
        consecutive_failures=integration.consecutive_failures
    )
    if integration.consecutive_failures >= settings.SALAMA_WEBHOOK_DISABLE_AFTER:
        _disable_after_failures(integration, now)
    elif delivery.next_attempt_at is not None:
        queue(delivery, run_after=delivery.next_attempt_at)


def _disable_after_failures(integration: Integration, now: dt.datetime) -> None:
    integration.is_active = False
    integration.disabled_reason = DisabledReason.FAILURES
    integration.disabled_at = now
    integration.save(update_fields=["is_active", "disabled_reason", "disabled_at"])
    audit.record(
        "integration.disable",
        obj=integration,
        organisation=integration.organisation,
        actor_label="salama",
        changes={
            "is_active": (True, False),
            "disabled_reason": ("", DisabledReason.FAILURES),
            "consecutive_failures": (None, integration.consecutive_failures),
        },
    )
    logger.warning(
        "integration %s disabled after %s failed deliveries",
        integration.uuid,
        integration.consecutive_failures,
    )


def retry_due(now: dt.datetime | None = None) -> int:
    """Attempt every delivery whose retry is due (for backends that cannot defer a task)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
        integration__is_active=True,
    ).filter(next_attempt_at__lte=now)
    count = 0
    for uuid in list(due.values_list("uuid", flat=True)[:500]):
        attempt(str(uuid), now=now)
        count += 1
    return count
