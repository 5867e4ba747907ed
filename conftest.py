"""The shared cast: two organisations in two countries and a named user per role in each."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts.models import Membership, Organisation, User
from salama.core.policy import Principal
from salama.core.roles import Role
from tests import sqlite_template

_TEMPLATE = pytest.StashKey[tuple[Any, Path]]()

# Hypothesis's 200 ms deadline fails a property whose first example is slow only because other
# processes starve the two cores (a first example of 260-370 ms, the next of 0.2 ms). CI already
# runs without it (hypothesis's "ci" profile); the properties themselves are unchanged.
hypothesis.settings.register_profile("salama", deadline=None)
hypothesis.settings.load_profile("salama")

PASSWORD = "correct-horse-battery-staple"


def _with_keystore(databases: Any) -> Any:
    # The wrapped data keys live in their own database (the `keys` alias, salama/core/keystore.py)
    # and nearly every test decrypts something: a test that may use the data database may use the
    # key store too, a genuinely separate test database, as in production.
    if databases is None:
        return ("default", "keys")
    if databases != "__all__" and "default" in databases and "keys" not in databases:
        return (*databases, "keys")
    return databases


def _install_keystore_databases() -> None:
    import django.test
    import pytest_django.fixtures as fixtures

    django.test.TransactionTestCase.databases = {"default", "keys"}  # type: ignore[assignment]
    databases_for_test = fixtures._get_databases_for_test

    def with_keys(test: pytest.Item) -> tuple[Any, bool]:
        databases, serialized = databases_for_test(test)
        databases = tuple(databases)
        return (_with_keystore(databases) if databases else databases), serialized

    fixtures._get_databases_for_test = with_keys  # what pytest-django sets up for the session


_install_keystore_databases()


@pytest.fixture(scope="session")
def django_db_keepdb(
    request: pytest.FixtureRequest,
    django_test_environment: Any,
    django_db_modify_db_settings: Any,
    django_db_use_migrations: bool,
    django_db_createdb: bool,
) -> bool:
    """Keep (that is, use as it is) a copy of the migrated SQLite template: tests/sqlite_template.py."""
    reuse_db: bool = request.config.getvalue("reuse_db")
    if reuse_db or django_db_createdb or not django_db_use_migrations:
        return reuse_db
    from django.conf import settings
    from django.db import connections

    test_name = connections["default"].settings_dict["TEST"].get("NAME")
    if connections["default"].vendor != "sqlite" or not test_name:
        return False
    template = sqlite_template.Template(Path(settings.VAR_DIR))
    request.config.stash[_TEMPLATE] = (template, Path(test_name))
    return template.copy_or_lock(Path(test_name))


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_keepdb: bool,
    django_db_blocker: Any,
) -> Iterator[None]:
    """pytest-django's set-up, then: save the template after migrating, or, when the database
    was a copy of it (kept, so pytest-django leaves it behind), remove the copy at the end."""
    from django.db import connections

    template, test_db = request.config.stash.get(_TEMPLATE, (None, None))
    if template is not None and not django_db_keepdb:
        with django_db_blocker.unblock():
            template.save_from(connections["default"])
    yield
    if template is not None and django_db_keepdb:
        connections.close_all()
        sqlite_template.remove(test_db)
        keys_db = connections["keys"].settings_dict["NAME"]
        if connections["keys"].vendor == "sqlite" and "memory" not in str(keys_db):
            sqlite_template.remove(Path(keys_db))


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _fast_hashing_for_the_session(django_test_environment: Any) -> Iterator[None]:
    # Tests only: Argon2 costs about 0.3 s a password. The per-test fixture below comes too late
    # for a module's shared world (the URL and service matrices make a dozen users each), so the
    # fast hasher is set for the whole session as well.
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
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
