"""Demo funds (SALAMA_DEMO only): an emergency fund and a stranded-migrants fund per demo organisation."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.assistance import services
from salama.assistance.choices import FundKind
from salama.assistance.models import Fund
from salama.core.policy import Principal
from salama.core.roles import Role

# (kind, name, currency, approval threshold, first deposit)
DEMO_FUNDS = (
    (FundKind.LAST_RESORT, "Emergency fund (last resort)", "USD", "500.00", "20000.00"),
    (FundKind.STRANDED_MIGRANTS, "Stranded migrants fund", "USD", "1000.00", "50000.00"),
)


def _org_admin(organisation: Organisation, email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    membership = user.memberships.filter(organisation=organisation).first()
    return Principal(user=user, membership=membership, verified=True) if membership else None


def load_demo_assistance() -> list[str]:
    """Create and top up the demo funds through the services (idempotent)."""
    lines: list[str] = []
    for demo in DEMO_ORGS:
        org = Organisation.objects.filter(name=demo.name).first()
        actor = _org_admin(org, demo_email(demo, Role.ORG_ADMIN)) if org else None
        if org is None or actor is None:
            lines.append(f"{demo.name}: no demo organisation administrator; load accounts first.")
            continue
        with transaction.atomic():
            for kind, name, currency, threshold, amount in DEMO_FUNDS:
                fund = Fund.objects.filter(organisation=org, name=name).first()
                if fund is None:
                    fund = services.create_fund(
                        actor=actor,
                        name=name,
                        kind=kind,
                        currency=currency,
                        approval_threshold=Decimal(threshold),
                    )
                if not fund.movements.exists():
                    services.deposit(
                        actor=actor, fund=fund, amount=Decimal(amount), note="Demo opening balance"
                    )
                    lines.append(f"{org.name}: {name} topped up with {amount} {currency}.")
    return lines or ["Demo funds already loaded."]
