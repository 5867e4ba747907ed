"""Demo services for the demo organisations: a shelter, a clinic and legal aid in each."""

from __future__ import annotations

from salama.accounts.demo import DEMO_ORGS
from salama.accounts.models import Organisation
from salama.referrals.models import Service
from salama.referrals.services import ensure_provider

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
