"""Demo services for the demo organisations: a shelter, a clinic and legal aid in each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from salama.accounts.demo import DEMO_ORGS, demo_email
from salama.accounts.models import Organisation, User
from salama.cases.models import Case
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import record_consent
from salama.referrals.collab import referral_consent
from salama.referrals.models import Referral, Service
from salama.referrals.services import (
    accept_referral,
    acknowledge_referral,
    complete_referral,
    ensure_provider,
    post_referral_message,
    record_delivery,
    send_referral,
)

DEMO_SERVICES = (
    ("Safe house", "accommodation", ["ar", "en"], 12, "Women and children; 24/7 intake."),
    ("Health clinic", "medical", ["ar", "en", "fr"], None, "General and reproductive health."),
    ("Legal aid desk", "legal", ["en", "fr"], None, "Residence, asylum and labour claims."),
)


def load_demo_referrals() -> list[str]:
    """Create the demo services (idempotent: existing ones are left alone)."""
    lines: list[str] = []
    orgs = Organisation.objects.filter(name__in=[o.name for o in DEMO_ORGS]).order_by("pk")
    if not orgs:
        return ["No demo organisations: load the demo accounts first."]
    for org in orgs:
        provider = ensure_provider(org)
        for name, service_type, languages, capacity, description in DEMO_SERVICES:
            full_name = f"{org.name} {name.lower()}"
            _service, created = Service.objects.get_or_create(
                provider=provider,
                name=full_name,
                defaults={
                    "service_type": service_type,
                    "description": description,
                    "country": org.country,
                    "area": "Capital",
                    "languages": languages,
                    "capacity": capacity,
                    "available": capacity // 2 if capacity else None,
                    "opening_hours": "Mon–Fri 08:00–17:00",
                },
            )
            if created:
                lines.append(f"service: {full_name}")
    return lines


# Working together: Nour's caseworker refers four of her cases to Amani's services, one at each
# urgency; the emergency one has a short thread; a fifth was delivered and completed, so Amani
# keeps its delivery record.
COLLAB_WANTED = (
    (
        "emergency",
        "accommodation",
        "A safe bed tonight: she left the employer's house an hour ago.",
    ),
    ("high", "medical", "A check of a hand injury that has not healed in three weeks."),
    ("normal", "legal", "Advice on residence status and the wages she is owed."),
    ("low", "legal", "Help to replace a lost birth certificate when there is time."),
)
COLLAB_THREAD = (
    ("sender", "She can reach your intake desk by 18:00. Is there a bed for her tonight?"),
    ("recipient", "Yes, one bed is free. Ask her to bring any medicines she takes."),
    ("sender", "Thank you. Our driver will bring her; I will call when they leave."),
)


def _demo_actor(org: Organisation, spec: Any, role: str) -> Principal | None:
    user = User.objects.filter(email=demo_email(spec, role)).first()
    membership = user.memberships.filter(organisation=org).first() if user else None
    if user is None or membership is None:
        return None
    return Principal(user=user, membership=membership, verified=True)


def _demo_consent(actor: Principal, case: Case, service: Service) -> None:
    if referral_consent(case, service) is not None:
        return
    minor = case.person.is_minor
    record_consent(
        actor=actor,
        person=case.person,
        purpose="referral",
        method="child_assent" if minor else "verbal",
        guardian_name="Guardian on file" if minor else "",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=service.provider.organisation,
        service_type=service.service_type,
    )


def load_demo_referral_collaboration() -> list[str]:
    """Referrals from the first demo organisation to the second at every urgency, a message
    thread, and a completed referral with the recipient's delivery record (idempotent)."""
    sender_spec, recipient_spec = DEMO_ORGS[0], DEMO_ORGS[1]
    sender_org = Organisation.objects.filter(name=sender_spec.name).first()
    recipient_org = Organisation.objects.filter(name=recipient_spec.name).first()
    if sender_org is None or recipient_org is None:
        return ["No demo organisations: load the demo accounts first."]
    if Referral.objects.filter(
        from_organisation=sender_org, to_organisation=recipient_org
    ).exists():
        return ["Demo referrals between the organisations already loaded."]
    worker = _demo_actor(sender_org, sender_spec, Role.CASEWORKER)
    provider = _demo_actor(recipient_org, recipient_spec, Role.SERVICE_PROVIDER)
    if worker is None or provider is None:
        return []
    services = {
        s.service_type: s for s in Service.objects.filter(provider__organisation=recipient_org)
    }
    cases = list(
        Case.objects.filter(
            organisation=sender_org, assigned_to=worker.user, closed_at__isnull=True
        )
        .select_related("person__data_key", "organisation")
        .order_by("opened_at")[:5]
    )
    if not cases or not services:
        return []
    lines: list[str] = []
    with transaction.atomic():
        sent = []
        for i, (level, service_type, purpose) in enumerate(COLLAB_WANTED):
            case, service = cases[i % len(cases)], services[service_type]
            _demo_consent(worker, case, service)
            sent.append(
                send_referral(
                    actor=worker,
                    case=case,
                    service=service,
                    packet_fields=["age_band", "sex", "languages"],
                    purpose_note=purpose,
                    urgency_level=level,
                    sender_phone="+962 6 555 0142",
                )
            )
            lines.append(f"referral {sent[-1].reference}: {level}, {service_type}")
        for side, body in COLLAB_THREAD:
            post_referral_message(
                actor=worker if side == "sender" else provider, referral=sent[0], body=body
            )
        lines.append(f"referral {sent[0].reference}: {len(COLLAB_THREAD)} messages")
        case, service = cases[-1], services["medical"]
        _demo_consent(worker, case, service)
        done = send_referral(
            actor=worker,
            case=case,
            service=service,
            packet_fields=["age_band", "sex"],
            purpose_note="A general health check after the journey.",
            sender_phone="+962 6 555 0142",
        )
        acknowledge_referral(actor=provider, referral=done, expected_version=None)
        accept_referral(actor=provider, referral=done, expected_version=None)
        record_delivery(
            actor=provider,
            referral=done,
            delivery_note="Health check done; no follow-up needed.",
            delivered_on=timezone.localdate(),
            expected_version=None,
        )
        complete_referral(actor=provider, referral=done, expected_version=None)
        lines.append(f"referral {done.reference}: completed, with Amani's delivery record")
    return lines
