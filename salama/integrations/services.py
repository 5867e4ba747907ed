"""Integrations: create, change, re-key, test and re-send (organisation administrators only).

Every service checks the actor (org.manage_settings, and the integration must be their
organisation's) before it reads its input, validates, writes and audits in one transaction.
The signing secret is returned once, by create and by rotate, and never stored in clear.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import audit
from salama.core.events import EVENT_NAMES
from salama.core.policy import Principal, require_perm
from salama.core.versioning import bump_version
from salama.integrations import delivery as sending
from salama.integrations import signing
from salama.integrations.access import MANAGE, ensure_integration
from salama.integrations.choices import PING, DeliveryStatus, DisabledReason, Scope
from salama.integrations.models import Delivery, Integration
from salama.integrations.urlsafety import check_target

MAX_INTEGRATIONS_PER_ORGANISATION = 20


def _clean(
    name: str, target_url: str, events: Iterable[str], scopes: Iterable[str]
) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the integration a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name to 100 characters.")})
    chosen_events = sorted(set(events))
    if not chosen_events:
        raise ValidationError({"events": _("Choose at least one event to send.")})
    unknown = [e for e in chosen_events if e not in EVENT_NAMES]
    if unknown:
        raise ValidationError(
            {"events": _("These events are not known: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    chosen_scopes = sorted(set(scopes))
    bad = [s for s in chosen_scopes if s not in Scope.values]
    if bad:
        raise ValidationError(
            {"scopes": _("These scopes are not known: %(names)s.") % {"names": ", ".join(bad)}}
        )
    if len(target_url) > 500:
        raise ValidationError({"target_url": _("Keep the address to 500 characters.")})
    return {
        "name": name,
        "target_url": check_target(target_url),
        "events": chosen_events,
        "scopes": chosen_scopes,
    }


@transaction.atomic
def create_integration(
    *,
    actor: Principal,
    name: str,
    target_url: str,
    events: Iterable[str],
    scopes: Iterable[str],
    request: HttpRequest | None = None,
) -> tuple[Integration, str]:
    """Create an integration of the actor's organisation; returns it and its secret (shown once)."""
    require_perm(actor, MANAGE)
    org = actor.organisation
    if org is None:
        raise PermissionDenied
    cleaned = _clean(name, target_url, events, scopes)
    if Integration.objects.filter(organisation=org).count() >= MAX_INTEGRATIONS_PER_ORGANISATION:
        raise ValidationError(
            _("Your organisation has %(n)s integrations, the most allowed. Remove one first.")
            % {"n": MAX_INTEGRATIONS_PER_ORGANISATION}
        )
    secret, raw = signing.new_secret()
    integration = Integration(organisation=org, created_by=actor.user, **cleaned)
    integration.secret_prefix = secret[:10]
    sending.wrap_secret(integration, raw)
    integration.save()
    audit.record(
        "integration.create",
        actor=actor.user,
        obj=integration,
        organisation=org,
        changes={
            "name": (None, cleaned["name"]),
            "target_url": (None, cleaned["target_url"]),
            "events": (None, cleaned["events"]),
            "scopes": (None, cleaned["scopes"]),
        },
        request=request,
    )
    return integration, secret


@transaction.atomic
def update_integration(
    *,
    actor: Principal,
    integration: Integration,
    name: str,
    target_url: str,
    events: Iterable[str],
    scopes: Iterable[str],
    is_active: bool,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Integration:
    """Change an integration; turning it back on clears its count of failures."""
    ensure_integration(actor, integration)
    cleaned = _clean(name, target_url, events, scopes)
    bump_version(
        integration,
        expected_version,
        _("Someone else changed this integration. Reload the page to see it, then try again."),
    )
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in cleaned.items():
        if getattr(integration, field) != value:
            changes[field] = (getattr(integration, field), value)
            setattr(integration, field, value)
    if is_active != integration.is_active:
        changes["is_active"] = (integration.is_active, is_active)
        integration.is_active = is_active
        integration.disabled_reason = "" if is_active else DisabledReason.BY_ADMIN
        integration.disabled_at = None if is_active else timezone.now()
        if is_active:
            integration.consecutive_failures = 0
    integration.save()
    audit.record(
        "integration.change",
        actor=actor.user,
        obj=integration,
        organisation=integration.organisation,
        changes=changes,
        request=request,
    )
    return integration


@transaction.atomic
def rotate_integration_secret(
    *, actor: Principal, integration: Integration, request: HttpRequest | None = None
) -> str:
    """Replace the signing secret; the old one stops working at once. Returns the new one."""
    ensure_integration(actor, integration)
    secret, raw = signing.new_secret()
    old_prefix = integration.secret_prefix
    integration.secret_prefix = secret[:10]
    sending.wrap_secret(integration, raw)
    integration.save(update_fields=["secret_prefix", "secret_kek_id", "secret_wrapped"])
    audit.record(
        "integration.rotate_secret",
        actor=actor.user,
        obj=integration,
        organisation=integration.organisation,
        changes={"secret_prefix": (old_prefix, integration.secret_prefix)},
        request=request,
    )
    return secret


@transaction.atomic
def send_test_event(
    *, actor: Principal, integration: Integration, request: HttpRequest | None = None
) -> Delivery:
    """Queue an ``integration.ping`` (no record, no data) to check the address and signature."""
    ensure_integration(actor, integration)
    if not integration.is_active:
        raise ValidationError(_("Turn the integration on before sending it a test event."))
    event_id = uuid.uuid4()
    found = Delivery.objects.create(
        integration=integration,
        event=PING,
        event_id=event_id,
        payload={
            "id": str(event_id),
            "event": PING,
            "occurred_at": timezone.now().isoformat(),
            "organisation": str(integration.organisation.uuid),
            "record_id": None,
            "data": {},
        },
    )
    audit.record(
        "integration.ping",
        actor=actor.user,
        obj=integration,
        organisation=integration.organisation,
        request=request,
    )
    sending.queue(found)
    return found


@transaction.atomic
def resend_delivery(
    *, actor: Principal, delivery: Delivery, request: HttpRequest | None = None
) -> Delivery:
    """Send a logged delivery again, as a new delivery with the same event id and payload."""
    integration = delivery.integration
    ensure_integration(actor, integration)
    if not integration.is_active:
        raise ValidationError(_("Turn the integration on before re-sending to it."))
    again = Delivery.objects.create(
        integration=integration,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        status=DeliveryStatus.PENDING,
        resent_from=delivery,
    )
    audit.record(
        "integration.resend",
        actor=actor.user,
        obj=integration,
        organisation=integration.organisation,
        changes={"delivery": (None, str(delivery.uuid)), "event": (None, delivery.event)},
        request=request,
    )
    sending.queue(again)
    return again
