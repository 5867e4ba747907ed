"""Demo data for anonymised releases: for each demo organisation, one release requested by the
data officer, approved by the organisation administrator and built (k = 11), and one
differentially private table in the ε ledger. Idempotent."""

from __future__ import annotations

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.evidence import privacy_services, release_services
from salama.evidence.release_models import AnonymisedRelease, PrivacyLedgerEntry

PURPOSE = "Annual contribution to the CTDC global dataset"


def _actor(organisation: Organisation, email: str) -> Principal | None:
    user = User.objects.filter(email=email).first()
    membership = user.memberships.filter(organisation=organisation).first() if user else None
    return Principal(user=user, membership=membership, verified=True) if membership else None


def load_demo_releases() -> list[str]:
    lines: list[str] = []
    for demo in DEMO_ORGS:
        org = Organisation.objects.filter(name=demo.name).first()
        officer = _actor(org, demo_email(demo, Role.DATA_OFFICER)) if org else None
        admin = _actor(org, demo_email(demo, Role.ORG_ADMIN)) if org else None
        if org is None or officer is None or admin is None:
            lines.append(f"{demo.name}: no demo data officer or administrator; load accounts.")
            continue
        if not AnonymisedRelease.objects.filter(organisation=org).exists():
            item = release_services.request_release(actor=officer, k=11, purpose=PURPOSE)
            release_services.approve_release(actor=admin, release=item)
            item = release_services.build_release(item.pk)  # at once, not via the queue
            lines.append(
                f"{org.name}: anonymised release (k = 11) {item.get_status_display()}, "
                f"{item.report.get('rows_out', 0)} rows."
            )
        if not PrivacyLedgerEntry.objects.filter(organisation=org).exists():
            privacy_services.publish_dp_table(
                actor=officer, dimensions=["gender", "ageBroad"], epsilon=0.5
            )
            lines.append(f"{org.name}: a differentially private table (ε = 0.5).")
    return lines or ["Demo releases already loaded."]
