"""Demo integration (SALAMA_DEMO only): Nour's hotline hears of case events by webhook.

Its address is under the reserved ``.example`` domain, so nothing leaves the machine: a worker
that tries to send finds no such host, and the log shows the retries and, in the end, the
integration turned off after failures in a row. The log starts with a few past deliveries.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.integrations import services
from salama.integrations.choices import DeliveryStatus, Scope
from salama.integrations.models import Delivery, Integration

NAME = "Protection hotline (case events)"
URL = "https://hotline.nour.example/salama/webhooks"

# (event, status, attempts, answer, latency in ms, minutes ago)
LOG = (
    ("integration.ping", DeliveryStatus.SUCCEEDED, 1, 204, 95, 60 * 26),
    ("case.opened", DeliveryStatus.SUCCEEDED, 1, 200, 140, 60 * 25),
    ("case.stage_changed", DeliveryStatus.SUCCEEDED, 2, 200, 120, 60 * 5),
    ("case.closed", DeliveryStatus.FAILED, 6, 503, 2100, 60 * 3),
)


def load_demo_integrations() -> list[str]:
    demo = DEMO_ORGS[0]
    org = Organisation.objects.filter(name=demo.name).first()
    user = User.objects.filter(email=demo_email(demo, Role.ORG_ADMIN)).first()
    membership = user.memberships.filter(organisation=org).first() if user and org else None
    if membership is None:
        return [f"{demo.name}: no demo organisation administrator; load accounts first."]
    if Integration.objects.filter(organisation=org, name=NAME).exists():
        return ["Demo integration already loaded."]
    actor = Principal(user=user, membership=membership, verified=True)
    try:
        with transaction.atomic():
            integration, _secret = services.create_integration(
                actor=actor,
                name=NAME,
                target_url=URL,
                events=["case.opened", "case.stage_changed", "case.closed", "referral.accepted"],
                scopes=[Scope.CASE_REFERENCE, Scope.CASE_WORKFLOW],
            )
            now = timezone.now()
            for event, status, attempts, code, latency, minutes in LOG:
                at = now - dt.timedelta(minutes=minutes)
                event_id = uuid.uuid4()
                Delivery.objects.create(
                    integration=integration,
                    event=event,
                    event_id=event_id,
                    payload={
                        "id": str(event_id),
                        "event": event,
                        "occurred_at": at.isoformat(),
                        "organisation": str(org.uuid),
                        "record_id": None,
                        "data": {},
                    },
                    status=status,
                    attempts=attempts,
                    response_code=code,
                    latency_ms=latency,
                    error="" if status == DeliveryStatus.SUCCEEDED else f"http_{code}",
                    created_at=at,
                    last_attempt_at=at,
                    delivered_at=at if status == DeliveryStatus.SUCCEEDED else None,
                )
    except ValidationError as exc:  # production-like settings refuse the .example address
        return [f"{demo.name}: demo integration not created ({'; '.join(exc.messages)})."]
    return [f"{demo.name}: integration '{NAME}' with {len(LOG)} deliveries in its log."]
