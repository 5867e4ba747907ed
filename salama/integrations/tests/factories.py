"""An integration with one logged delivery, made without the address check (for matrices)."""

from __future__ import annotations

from typing import Any

from salama.integrations import delivery, signing
from salama.integrations.choices import DeliveryStatus
from salama.integrations.models import Delivery, Integration


def make_integration(organisation: Any, **fields: Any) -> tuple[Integration, Delivery]:
    secret, raw = signing.new_secret()
    integration = Integration(
        organisation=organisation,
        name=fields.pop("name", "Hotline"),
        target_url=fields.pop("target_url", "https://hooks.example.org/salama"),
        events=fields.pop("events", ["case.opened"]),
        scopes=fields.pop("scopes", []),
        secret_prefix=secret[:10],
        **fields,
    )
    delivery.wrap_secret(integration, raw)
    integration.save()
    logged = Delivery.objects.create(
        integration=integration,
        event="integration.ping",
        status=DeliveryStatus.SUCCEEDED,
        attempts=1,
        response_code=204,
        latency_ms=80,
    )
    return integration, logged
