"""Demo integration and import (SALAMA_DEMO only): Nour's hotline hears of case events by webhook,
and Nour's caseworker has imported a small Kobo export.

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


# A small Kobo-style export (";" and group prefixes): what a partner brings from a field survey.
IMPORT_FILE = "kobo_intake_export.csv"
IMPORT_CSV = (
    "start;group_bio/given_name;group_bio/family_name;group_bio/dob;group_bio/sex;"
    "group_origin/nationality;_uuid\n"
    "2026-11-02;Halima;Abdi;1997-02-11;F;SO;u-1\n"
    "2026-11-02;Yonas;Tesfaye;12/08/2001;M;ER;u-2\n"
    "2026-11-03;Grace;Nnamdi;1989-10-30;F;NG;u-3\n"
)


def load_demo_import() -> list[str]:
    """One finished import by Nour's demo caseworker (three persons, each with a case)."""
    from salama.integrations import import_services as imports
    from salama.integrations.import_models import ImportJob

    demo = DEMO_ORGS[0]
    org = Organisation.objects.filter(name=demo.name).first()
    user = User.objects.filter(email=demo_email(demo, Role.CASEWORKER)).first()
    membership = user.memberships.filter(organisation=org).first() if user and org else None
    if membership is None:
        return [f"{demo.name}: no demo caseworker; load accounts first."]
    if ImportJob.objects.filter(created_by=user, file_name=IMPORT_FILE).exists():
        return ["Demo import already loaded."]
    actor = Principal(user=user, membership=membership, verified=True)
    job = imports.create_import(
        actor=actor,
        file_name=IMPORT_FILE,
        content=IMPORT_CSV.encode(),
        default_case_type="returnee",
    )
    imports.start_import(actor=actor, job=job, commit=True, background=False)
    status = imports.run_import(str(job.pk))
    return [f"{demo.name}: demo import of {IMPORT_FILE}: {status}."]


def load_demo_integrations() -> list[str]:
    demo = DEMO_ORGS[0]
    org = Organisation.objects.filter(name=demo.name).first()
    user = User.objects.filter(email=demo_email(demo, Role.ORG_ADMIN)).first()
    membership = user.memberships.filter(organisation=org).first() if user and org else None
    if membership is None:
        return [f"{demo.name}: no demo organisation administrator; load accounts first."]
    if Integration.objects.filter(organisation=org, name=NAME).exists():
        return ["Demo integration already loaded.", *load_demo_import()]
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
    lines = [f"{demo.name}: integration '{NAME}' with {len(LOG)} deliveries in its log."]
    return [*lines, *load_demo_import()]
