"""Demo organisations and logins (only when SALAMA_DEMO is on; never in production)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts.models import Membership, Organisation, User
from salama.core.roles import Role

DEMO_PASSWORD = "salama-demo-2026"  # noqa: S105  (demo mode only; refused in production)


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    org_type: str
    country: str
    prefix: str
    domain: str


DEMO_ORGS = (
    DemoOrg("ngo_a", "Nour Migrant Aid", "NGO", "JO", "NOUR", "nour.example"),
    DemoOrg("ngo_b", "Amani Protection Centre", "NGO", "KE", "AMANI", "amani.example"),
)

DEMO_ROLES = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.SERVICE_PROVIDER,
    Role.DATA_OFFICER,
    Role.ORG_ADMIN,
)

_NAMES = {
    "ngo_a": {
        Role.CASEWORKER: "Layla Haddad",
        Role.SUPERVISOR: "Omar Khalil",
        Role.SERVICE_PROVIDER: "Rania Saleh",
        Role.DATA_OFFICER: "Sami Nasser",
        Role.ORG_ADMIN: "Dina Azar",
    },
    "ngo_b": {
        Role.CASEWORKER: "Wanjiru Kamau",
        Role.SUPERVISOR: "Otieno Odhiambo",
        Role.SERVICE_PROVIDER: "Achieng Atieno",
        Role.DATA_OFFICER: "Kiprop Cheruiyot",
        Role.ORG_ADMIN: "Njeri Mwangi",
    },
}

SYSTEM_ADMIN_EMAIL = "admin@salama.example"


def demo_email(org: DemoOrg, role: str) -> str:
    return f"{role.replace('_', '-')}@{org.domain}"


def _demo_key(email: str) -> str:
    # Deterministic per demo user so `salama demo-code` and an authenticator app agree.
    return hashlib.sha256(f"salama-demo-totp:{email}".encode()).hexdigest()[:40]


def _require_demo() -> None:
    if not settings.SALAMA_DEMO or settings.PRODUCTION:
        raise ImproperlyConfigured("Demo data and demo codes exist only when SALAMA_DEMO is on")


def _ensure_user(email: str, full_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, is_superuser=superuser, is_staff=superuser)
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Demo", key=_demo_key(email), confirmed=True)
    return user


@transaction.atomic
def load_demo_accounts() -> list[tuple[str, str, str]]:
    """Create (or keep) the demo organisations and users; returns (email, organisation, role)."""
    _require_demo()
    rows: list[tuple[str, str, str]] = []
    admin = _ensure_user(SYSTEM_ADMIN_EMAIL, "Salama Administrator", superuser=True)
    rows.append((admin.email, "—", str(Role.SYSTEM_ADMIN.label)))
    for spec in DEMO_ORGS:
        org, _created = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={
                "org_type": spec.org_type,
                "country": spec.country,
                "reference_prefix": spec.prefix,
            },
        )
        for role in DEMO_ROLES:
            email = demo_email(spec, role)
            user = _ensure_user(email, _NAMES[spec.slug][role])
            Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})
            rows.append((email, org.name, str(Role(role).label)))
    return rows


def current_code(email: str) -> str:
    """The code a demo user's authenticator shows now."""
    _require_demo()
    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is None or device.key != _demo_key(email):
        raise LookupError(f"{email} is not a demo login")
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift=0)
    return str(value).zfill(device.digits)
