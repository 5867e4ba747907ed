"""Demo plan items delivered by a referral and an assistance item, and one organisation's own
risk review interval (idempotent; runs after the work lists, which send the demo referrals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS
from salama.accounts.models import Organisation
from salama.assistance.services import approve_item, request_assistance
from salama.cases import safety
from salama.cases.services import add_plan_item
from salama.core.roles import Role
from salama.demo.worklists import _actor
from salama.referrals.models import Referral


def load_demo_plan_links() -> list[str]:
    lines: list[str] = []
    for spec in DEMO_ORGS:
        org = Organisation.objects.filter(name=spec.name).first()
        worker = _actor(org, spec, Role.CASEWORKER) if org else None
        if org is None or worker is None:
            continue
        if Referral.objects.filter(from_organisation=org, plan_item__isnull=False).exists():
            continue
        referral = (
            Referral.objects.filter(from_organisation=org, service_type="accommodation")
            .select_related("case__person__data_key")
            .order_by("sent_at")
            .first()
        )
        if referral is None or referral.case.is_closed:
            continue
        with transaction.atomic():
            item = add_plan_item(
                actor=worker,
                case=referral.case,
                goal="Safe accommodation",
                action="A place in the safe house, with bedding and a travel pass to get there",
                service_type="accommodation",
                due_on=timezone.localdate() + dt.timedelta(days=7),
            )
            # The referral was sent before the plan item was written down: link it afterwards.
            Referral.objects.filter(pk=referral.pk).update(plan_item=item)
            assistance = request_assistance(
                actor=worker,
                case=referral.case,
                service_type="accommodation",
                description="Bedding and a bus pass to the safe house",
                quantity=Decimal(1),
                unit_cost=Decimal("0.00"),
                currency="USD",
                service_date=timezone.localdate(),
                provider_name="Donated by the parish",
                plan_item=item,
            )
            supervisor = _actor(org, spec, Role.SUPERVISOR)
            if supervisor is not None:  # approved: the approval queue keeps its own demo items
                approve_item(actor=supervisor, item=assistance)
        lines.append(f"plan item delivered by a referral and assistance: {org.name}")
    # The first demo organisation reviews medium risks every three weeks, not monthly.
    first = Organisation.objects.filter(name=DEMO_ORGS[0].name).first()
    admin = _actor(first, DEMO_ORGS[0], Role.ORG_ADMIN) if first else None
    if first is not None and admin is not None and safety.review_days(first, "medium") == 30:
        safety.set_review_interval(actor=admin, organisation=first, level="medium", days=21)
        lines.append(f"review interval for medium risk: 21 days at {first.name}")
    return lines
