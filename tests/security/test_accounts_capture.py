"""Sessions and tokens (finding 9).

Finding 9: API tokens outlived "log out everywhere" and a two-factor reset, and the session key
stayed the same across the second factor.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from salama.accounts import services
from salama.accounts.models import ApiToken, Membership, User
from salama.core.models import AuditEntry
from salama.core.policy import Principal
from salama.core.roles import Perm, Role

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
ADD = "/accounts/members/add/"
MEMBERS = "/accounts/members/"
RESPOND = "/accounts/invitations/respond/"
SWITCH = "/accounts/organisation/switch/"
ME = "/api/v1/me"


# Helpers -----------------------------------------------------------------------------------------


def code_now(device: TOTPDevice) -> str:
    # A code may be used once per time step; these tests log in more than once per step.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(6)


def log_in(user: User) -> Client:
    """A real log-in: password, then the authenticator's code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post(VERIFY, {"token": code_now(device)})
    assert response.status_code == 302, response.content
    return client


def api_me(secret: str):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")


def token_for(user: User) -> str:
    principal = Principal(user=user, membership=user.memberships.first(), verified=True)
    _token, secret = services.create_api_token(
        actor=principal, name="sync", scopes=[Perm.PERSON_VIEW]
    )
    return secret


# Finding 9: sessions and tokens ----------------------------------------------------------------


def test_api_tokens_stop_working_after_log_out_everywhere(caseworker_a, ngo_b, login) -> None:
    Membership.objects.create(user=caseworker_a, organisation=ngo_b, role=Role.CASEWORKER)
    secret = token_for(caseworker_a)
    assert api_me(secret).status_code == 200

    response = login(caseworker_a).post("/accounts/profile/logout-everywhere/")

    assert response.status_code == 302
    assert api_me(secret).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert (entry.actor_id, entry.changes) == (
        caseworker_a.pk,
        {"reason": [None, "logout_everywhere"]},
    )


def test_api_tokens_stop_working_after_an_admin_resets_two_factor(
    org_admin_a, caseworker_a, login
) -> None:
    secret = token_for(caseworker_a)
    membership = Membership.objects.get(user=caseworker_a)

    response = login(org_admin_a).post(f"{MEMBERS}{membership.uuid}/reset-two-factor/")

    assert response.status_code == 302
    assert api_me(secret).status_code == 401
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert (entry.actor_id, entry.changes) == (
        org_admin_a.pk,
        {"reason": [None, "two_factor_reset"]},
    )


def test_the_session_key_changes_after_the_second_factor(caseworker_a) -> None:
    device = TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    client = Client()
    client.post(LOGIN, {"username": caseworker_a.email, "password": PASSWORD})
    before = client.cookies["sessionid"].value

    response = client.post(VERIFY, {"token": code_now(device)})

    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.get("/").status_code == 200
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get("/")["Location"] == "/accounts/login/?next=/"


def test_the_session_key_changes_after_enrolling_the_second_factor(caseworker_a) -> None:
    client = Client()
    client.post(LOGIN, {"username": caseworker_a.email, "password": PASSWORD})
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=caseworker_a)
    before = client.cookies["sessionid"].value

    assert client.post(SETUP, {"token": code_now(device)}).status_code == 302

    assert client.cookies["sessionid"].value != before
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get("/")["Location"] == "/accounts/login/?next=/"
