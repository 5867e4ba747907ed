"""Logging in: password, lockout, two factors, session expiry, log out everywhere, switching."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from salama.accounts.middleware import SESSION_MEMBERSHIP_KEY, SESSION_TOUCHED_KEY
from salama.accounts.models import Membership
from salama.core.models import AuditEntry
from salama.core.roles import Role

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def password_login(user, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": password})
    return client, response


def code_now(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(6)


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code that no step within the device's tolerance accepts."""
    accepted = {
        str(totp(device.bin_key, device.step, device.t0, device.digits, drift)).zfill(6)
        for drift in range(-device.tolerance - 1, device.tolerance + 2)
    }
    return next(code for code in ("123456", "654321", "111111", "222222") if code not in accepted)


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


# Password --------------------------------------------------------------------------------------


def test_wrong_password_shows_a_clear_message_and_is_audited(caseworker_a) -> None:
    client, response = password_login(caseworker_a, "not-the-password")
    assert response.status_code == 200
    assert b"That email address and password do not match an active account" in response.content
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor_label == "caseworker@a.example"
    assert entry.actor_id is None
    assert entry.ip == "127.0.0.1"


def test_unknown_email_gets_the_same_message(db) -> None:
    response = Client().post(LOGIN, {"username": "nobody@a.example", "password": PASSWORD})
    assert b"That email address and password do not match an active account" in response.content


def test_axes_locks_the_account_after_the_failure_limit(settings, caseworker_a) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(LOGIN, {"username": caseworker_a.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"username": caseworker_a.email, "password": "wrong"})
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content

    response = client.post(LOGIN, {"username": caseworker_a.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_site_login_locks_out_too(settings, admin_user) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/system-admin/login/", {"username": admin_user.email, "password": "wrong"})
    response = client.post(
        "/system-admin/login/", {"username": admin_user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_email_case_does_not_matter_at_login(data_officer_a) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": "Data@A.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_lockout_is_per_account(settings, caseworker_a, supervisor_a) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": caseworker_a.email, "password": "wrong"})
    response = client.post(LOGIN, {"username": supervisor_a.email, "password": PASSWORD})
    assert response.status_code == 302


# Two factors -----------------------------------------------------------------------------------


def test_correct_password_without_a_device_leads_to_two_factor_setup(caseworker_a) -> None:
    client, response = password_login(caseworker_a)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", actor_id=caseworker_a.pk).exists()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_correct_password_with_a_device_leads_to_two_factor_verify(caseworker_a) -> None:
    device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == VERIFY


def test_an_invalid_code_shows_the_error_and_the_user_stays_unverified(caseworker_a) -> None:
    device = device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    response = client.post(VERIFY, {"token": wrong_code(device)})
    assert response.status_code == 200
    assert b"That code is not valid." in response.content
    assert AuditEntry.objects.filter(action="auth.two_factor_fail").count() == 1
    for path in ("/", "/accounts/profile/", "/accounts/members/", "/audit/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, VERIFY)


def test_codes_right_after_a_wrong_one_are_throttled(caseworker_a) -> None:
    device = device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    client.post(VERIFY, {"token": wrong_code(device)})
    response = client.post(VERIFY, {"token": code_now(device)})
    assert b"Too many wrong codes." in response.content
    assert client.get("/")["Location"] == VERIFY


def test_a_malformed_code_shows_the_form_error(caseworker_a) -> None:
    device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    response = client.post(VERIFY, {"token": "12ab"})
    assert b"Enter the six digits your authenticator app shows." in response.content


def test_a_valid_code_passes_and_the_home_page_renders(caseworker_a) -> None:
    device = device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    response = client.post(VERIFY, {"token": code_now(device)})
    assert (response.status_code, response["Location"]) == (302, "/")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Welcome, caseworker<" in response.content
    assert AuditEntry.objects.filter(action="auth.two_factor_pass").count() == 1


def test_verify_returns_to_a_safe_next_page_only(caseworker_a) -> None:
    device = device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    response = client.post(VERIFY + "?next=https://evil.example/", {"token": code_now(device)})
    assert response["Location"] == "/"


def test_setup_confirms_a_new_device_and_verifies_the_session(caseworker_a) -> None:
    client, _response = password_login(caseworker_a)
    response = client.get(SETUP)
    assert response.status_code == 200
    assert b"data:image/svg+xml" in response.content
    device = TOTPDevice.objects.get(user=caseworker_a)
    assert device.confirmed is False

    response = client.post(SETUP, {"token": code_now(device)})

    assert (response.status_code, response["Location"]) == (302, "/")
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.enrol").count() == 1


def test_setup_with_a_wrong_code_leaves_the_device_unconfirmed(caseworker_a) -> None:
    client, _response = password_login(caseworker_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=caseworker_a)
    response = client.post(SETUP, {"token": wrong_code(device)})
    assert b"That code is not valid. Scan the code again" in response.content
    device.refresh_from_db()
    assert device.confirmed is False
    assert (client.get("/")["Location"]) == SETUP


def test_setup_is_refused_to_an_unverified_session_that_has_a_device(caseworker_a) -> None:
    device_for(caseworker_a)
    client, _response = password_login(caseworker_a)
    response = client.get(SETUP)
    assert (response.status_code, response["Location"]) == (302, VERIFY)
    assert TOTPDevice.objects.filter(user=caseworker_a).count() == 1


def test_the_data_officer_reaches_home_without_a_device(data_officer_a) -> None:
    client, _response = password_login(data_officer_a)
    response = client.get("/")
    assert response.status_code == 200
    assert b"You work in NGO A as Data officer." in response.content
    assert not TOTPDevice.objects.filter(user=data_officer_a).exists()


def test_a_data_officer_who_is_also_a_caseworker_needs_two_factors(data_officer_a, ngo_b) -> None:
    Membership.objects.create(user=data_officer_a, organisation=ngo_b, role=Role.CASEWORKER)
    client, _response = password_login(data_officer_a)
    assert client.get("/")["Location"] == SETUP


# Sessions --------------------------------------------------------------------------------------


def test_sessions_expire_after_the_idle_time(settings, caseworker_a, login) -> None:
    client = login(caseworker_a)
    client.get("/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    assert remaining <= timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_the_idle_expiry_is_renewed_at_most_once_a_minute(caseworker_a, login) -> None:
    client = login(caseworker_a)
    client.get("/")
    key = client.session.session_key
    # Pretend the last renewal was 30 s ago, 10 minutes before the session's end.
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(timezone.now().timestamp()) - 30
    session.save()
    early = timezone.now() + timedelta(minutes=10)
    Session.objects.filter(session_key=key).update(expire_date=early)
    assert client.get("/").status_code == 200
    # Within the minute: no write, the expiry stays where it was.
    assert Session.objects.get(session_key=key).expire_date == early
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(timezone.now().timestamp()) - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=early)
    assert client.get("/").status_code == 200
    # A minute later the request renews it to the full idle time.
    assert Session.objects.get(session_key=key).expire_date > early + timedelta(minutes=15)


def test_an_expired_session_redirects_to_the_login_page_with_a_message(caseworker_a, login) -> None:
    client = login(caseworker_a)
    assert client.get("/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/accounts/profile/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/accounts/profile/",
    )
    response = client.get(response["Location"])
    assert b"Your session has ended" in response.content


def test_the_login_page_shows_no_session_message_to_a_new_visitor(db) -> None:
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert b"Your session has ended" not in response.content


def test_log_out_everywhere_ends_the_other_sessions_of_the_user(caseworker_a, login) -> None:
    laptop, phone = login(caseworker_a), login(caseworker_a)
    assert phone.get("/").status_code == 200

    response = laptop.post("/accounts/profile/logout-everywhere/")

    assert (response.status_code, response["Location"]) == (302, LOGIN)
    assert phone.get("/")["Location"] == "/accounts/login/?next=/"
    assert laptop.get("/")["Location"] == "/accounts/login/?next=/"
    assert AuditEntry.objects.filter(action="auth.logout_everywhere").count() == 1


def test_log_out_everywhere_leaves_other_users_logged_in(caseworker_a, supervisor_a, login) -> None:
    other = login(supervisor_a)
    login(caseworker_a).post("/accounts/profile/logout-everywhere/")
    assert other.get("/").status_code == 200


# Organisations ---------------------------------------------------------------------------------


def test_switch_organisation_refuses_another_users_membership(
    caseworker_a, caseworker_b, login
) -> None:
    client = login(caseworker_a)
    other = Membership.objects.get(user=caseworker_b)
    response = client.post("/accounts/organisation/switch/", {"membership": str(other.uuid)})
    assert response.status_code == 403
    own = Membership.objects.get(user=caseworker_a)
    assert client.session[SESSION_MEMBERSHIP_KEY] == str(own.uuid)


def test_switch_organisation_refuses_an_ended_membership(caseworker_a, ngo_b, login) -> None:
    ended = Membership.objects.create(
        user=caseworker_a, organisation=ngo_b, role=Role.SUPERVISOR, is_active=False
    )
    response = login(caseworker_a).post(
        "/accounts/organisation/switch/", {"membership": str(ended.uuid)}
    )
    assert response.status_code == 403


def test_switch_organisation_moves_to_the_users_second_membership(
    caseworker_a, ngo_b, login
) -> None:
    second = Membership.objects.create(user=caseworker_a, organisation=ngo_b, role=Role.SUPERVISOR)
    client = login(caseworker_a)
    assert b"You work in NGO A as Caseworker." in client.get("/").content

    response = client.post(
        "/accounts/organisation/switch/",
        {"membership": str(second.uuid), "next": "/accounts/profile/"},
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/profile/")
    assert client.session[SESSION_MEMBERSHIP_KEY] == str(second.uuid)
    assert b"You work in NGO B as Supervisor." in client.get("/").content
    entry = AuditEntry.objects.get(action="session.switch_organisation")
    assert (entry.actor_id, entry.organisation_id) == (caseworker_a.pk, ngo_b.pk)
