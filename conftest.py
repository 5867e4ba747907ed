"""The shared cast: two organisations in two countries and a named user per role in each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts.models import Membership, Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Rate-limit counters and the like must not leak from one test into the next.
    from django.core.cache import cache

    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Each test's audit chain is new: anchors of another test (or of the development database
    # in var/) would not match it. Anchoring after commits is tested where it is switched on.
    anchors = tmp_path_factory.getbasetemp() / f"audit-anchors-{uuid.uuid4().hex}.jsonl"
    settings.SALAMA_AUDIT_ANCHOR = anchors
    settings.SALAMA_AUDIT_ANCHOR_INTERVAL = 0
    settings.SALAMA_AUDIT_ANCHOR_SYSLOG = ""


@pytest.fixture
def ngo_a(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="NGO A", org_type="NGO", country="JO", reference_prefix="NGOA"
    )


@pytest.fixture
def ngo_b(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="NGO B", org_type="NGO", country="KE", reference_prefix="NGOB"
    )


def make_user(org: Organisation | None, role: str | None, email: str, **extra: Any) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, full_name=email.split("@")[0], **extra
    )
    if org is not None and role is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def caseworker_a(ngo_a: Organisation) -> User:
    return make_user(ngo_a, Role.CASEWORKER, "caseworker@a.example")


@pytest.fixture
def caseworker2_a(ngo_a: Organisation) -> User:
    return make_user(ngo_a, Role.CASEWORKER, "caseworker2@a.example")


@pytest.fixture
def supervisor_a(ngo_a: Organisation) -> User:
    return make_user(ngo_a, Role.SUPERVISOR, "supervisor@a.example")


@pytest.fixture
def org_admin_a(ngo_a: Organisation) -> User:
    return make_user(ngo_a, Role.ORG_ADMIN, "admin@a.example")


@pytest.fixture
def data_officer_a(ngo_a: Organisation) -> User:
    return make_user(ngo_a, Role.DATA_OFFICER, "data@a.example")


@pytest.fixture
def receiver_a(ngo_a: Organisation) -> User:
    return make_user(ngo_a, Role.SERVICE_PROVIDER, "provider@a.example")


@pytest.fixture
def caseworker_b(ngo_b: Organisation) -> User:
    return make_user(ngo_b, Role.CASEWORKER, "caseworker@b.example")


@pytest.fixture
def supervisor_b(ngo_b: Organisation) -> User:
    return make_user(ngo_b, Role.SUPERVISOR, "supervisor@b.example")


@pytest.fixture
def receiver_b(ngo_b: Organisation) -> User:
    return make_user(ngo_b, Role.SERVICE_PROVIDER, "provider@b.example")


@pytest.fixture
def org_admin_b(ngo_b: Organisation) -> User:
    return make_user(ngo_b, Role.ORG_ADMIN, "admin@b.example")


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user(None, None, "root@salama.example", is_superuser=True, is_staff=True)


def principal(user: User, verified: bool = True) -> Principal:
    """The principal a service sees for `user` acting through their first membership."""
    membership = user.memberships.select_related("organisation").first()
    return Principal(user=user, membership=membership, verified=verified)


def verified_client(user: User) -> Client:
    """A test client logged in as `user` who has passed two-factor verification."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login() -> Callable[[User], Client]:
    return verified_client
