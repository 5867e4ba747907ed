"""Account capture (finding 2) and sessions and tokens (finding 9).

Finding 2: an organisation administrator could attach any existing account, of any organisation
(the system administrator's too), to their own by typing its email address; the victim's
session then acted for the attacker's organisation, and changing or ending that membership
logged her out everywhere. Adding a member now only *invites*: the owner of the address accepts
by logging in as it.

Finding 9: API tokens outlived "log out everywhere" and a two-factor reset, and the session key
stayed the same across the second factor.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, make_user
from salama.accounts import services
from salama.accounts.models import ApiToken, Invitation, Membership, Organisation, User
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


def attach(client: Client, email: str, role: str = Role.CASEWORKER):
    # `full_name` is what the form asked for before it invited; it is ignored now.
    return client.post(ADD, {"email": email, "full_name": "Someone", "role": role})


def working_for(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200, response.get("Location")
    match = re.search(r"You work in (.+?) as ", response.content.decode())
    assert match is not None
    return match.group(1)


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/invitations/[^/\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def api_me(secret: str):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")


def token_for(user: User) -> str:
    principal = Principal(user=user, membership=user.memberships.first(), verified=True)
    _token, secret = services.create_api_token(
        actor=principal, name="sync", scopes=[Perm.PERSON_VIEW]
    )
    return secret


@pytest.fixture
def aardvark(db) -> Organisation:
    """An attacker's organisation whose name sorts before the victim's."""
    return Organisation.objects.create(
        name="Aardvark Aid", org_type="NGO", country="KE", reference_prefix="AARD"
    )


@pytest.fixture
def aardvark_admin(aardvark) -> User:
    return make_user(aardvark, Role.ORG_ADMIN, "admin@aardvark.example")


# Finding 2: no capture -------------------------------------------------------------------------


def test_org_admin_of_b_cannot_attach_a_caseworker_of_a(
    org_admin_b, caseworker_a, ngo_b, login
) -> None:
    response = attach(login(org_admin_b), caseworker_a.email, Role.SUPERVISOR)

    assert response.status_code == 302
    assert list(caseworker_a.memberships.values_list("organisation__name", flat=True)) == ["NGO A"]
    assert not Membership.objects.filter(organisation=ngo_b, user=caseworker_a).exists()


def test_org_admin_of_b_cannot_attach_the_system_administrator(
    org_admin_b, admin_user, login
) -> None:
    admin_session = login(admin_user)

    attach(login(org_admin_b), admin_user.email, Role.CASEWORKER)

    assert admin_user.memberships.count() == 0
    assert admin_session.get("/system-admin/").status_code == 200


def test_the_add_form_answers_the_same_for_an_existing_and_a_new_email(
    org_admin_b, caseworker_a, login, django_capture_on_commit_callbacks
) -> None:
    User.objects.filter(pk=caseworker_a.pk).update(full_name="Layla Haddad")
    client = login(org_admin_b)
    answers = []
    for email in (caseworker_a.email, "nobody@a.example"):
        with django_capture_on_commit_callbacks(execute=True):
            response = attach(client, email)
        page = client.get(response["Location"])
        assert b"Layla Haddad" not in response.content + page.content
        answers.append(
            (
                response.status_code,
                response["Location"],
                [str(m).replace(email, "<email>") for m in page.context["messages"]],
            )
        )
    assert answers[0] == answers[1]
    assert "invitation was sent to <email>" in answers[0][2][0]
    # One email each, worded alike: the address's owner learns nothing different either.
    assert [m.to for m in mail.outbox] == [[caseworker_a.email], ["nobody@a.example"]]
    bodies = [re.sub(r"/accounts/invitations/\S+", "<link>", m.body) for m in mail.outbox]
    assert bodies[0] == bodies[1]


def test_the_victims_active_organisation_never_changes(
    aardvark, aardvark_admin, caseworker_a, login, django_capture_on_commit_callbacks
) -> None:
    victim = log_in(caseworker_a)
    assert working_for(victim) == "NGO A"

    with django_capture_on_commit_callbacks(execute=True):
        attach(login(aardvark_admin), caseworker_a.email)

    assert working_for(victim) == "NGO A"
    assert working_for(log_in(caseworker_a)) == "NGO A"

    # Even once she accepts, she keeps acting for her organisation, now and at every log-in,
    # until she chooses the other one herself.
    victim.get(link_in(mail.outbox[-1]))
    assert victim.post(RESPOND).status_code == 302
    assert Membership.objects.filter(user=caseworker_a, organisation=aardvark).exists()
    assert working_for(victim) == "NGO A"
    assert working_for(log_in(caseworker_a)) == "NGO A"

    joined = Membership.objects.get(user=caseworker_a, organisation=aardvark)
    victim.post(SWITCH, {"membership": str(joined.uuid)})
    assert working_for(victim) == "Aardvark Aid"
    assert working_for(log_in(caseworker_a)) == "Aardvark Aid"


def test_accepting_requires_logging_in_as_the_invited_email(
    org_admin_b, caseworker_a, supervisor_a, ngo_b, login, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attach(login(org_admin_b), caseworker_a.email)
    link = link_in(mail.outbox[-1])
    token = link.rstrip("/").rsplit("/", 1)[1]

    other = login(supervisor_a)
    page = other.get(link, follow=True)
    assert b"this invitation was sent to another address" in page.content
    other.post(RESPOND)
    with pytest.raises(PermissionDenied, match="for another email address"):
        services.accept_invitation(user=supervisor_a, token=token)

    # Not logged in at all: no account is created or changed for an address that has one.
    anonymous = Client()
    anonymous.get(link)
    anonymous.post(
        RESPOND,
        {"full_name": "X", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    caseworker_a.refresh_from_db()
    assert caseworker_a.check_password(PASSWORD) is True

    assert not Membership.objects.filter(organisation=ngo_b).exclude(user=org_admin_b).exists()
    assert Invitation.objects.get().status == "pending"


@pytest.mark.parametrize("how", ["expired", "revoked", "reused"])
def test_expired_revoked_and_reused_invitation_links_are_refused(
    how, org_admin_a, ngo_a, login, django_capture_on_commit_callbacks
) -> None:
    admin = login(org_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        attach(admin, "new@a.example")
    link = link_in(mail.outbox[-1])
    invitation = Invitation.objects.get()
    form = {
        "full_name": "New Person",
        "password1": "a-long-passphrase",
        "password2": "a-long-passphrase",
    }
    if how == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        expected = b"This invitation has expired."
    elif how == "revoked":
        admin.post(f"{MEMBERS}invitations/{invitation.id}/revoke/")
        expected = b"This invitation was withdrawn."
    else:
        first = Client()
        first.get(link)
        assert first.post(RESPOND, form).status_code == 302
        User.objects.filter(email="new@a.example").update(full_name="First Person")
        expected = b"This invitation was accepted already"
    members_before = Membership.objects.count()

    visitor = Client()
    page = visitor.get(link, follow=True)
    response = visitor.post(RESPOND, form)

    assert expected in page.content
    assert expected in response.content
    assert Membership.objects.count() == members_before
    if how == "reused":
        assert User.objects.get(email="new@a.example").full_name == "First Person"
    else:
        assert not User.objects.filter(email="new@a.example").exists()
    with pytest.raises(services.InvitationError):
        services.register_invited_user(
            token=link.rstrip("/").rsplit("/", 1)[1], full_name="X", password="a-long-passphrase"
        )


# Finding 2: what an org admin may do to a membership --------------------------------------------


def test_org_admin_cannot_change_or_end_a_system_administrators_membership(
    org_admin_b, admin_user, ngo_b, login
) -> None:
    membership = Membership.objects.create(user=admin_user, organisation=ngo_b, role="caseworker")
    admin_session = login(admin_user)
    attacker = login(org_admin_b)
    url = f"{MEMBERS}{membership.uuid}/"

    assert attacker.post(url, {"role": Role.SUPERVISOR}).status_code == 403
    assert attacker.post(url + "revoke/").status_code == 403

    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == (Role.CASEWORKER, True)
    assert admin_session.get("/system-admin/").status_code == 200
    actor = Principal(user=org_admin_b, membership=org_admin_b.memberships.first(), verified=True)
    with pytest.raises(PermissionDenied, match="system administrator"):
        services.deactivate_membership(actor=actor, membership=membership)


def test_org_admin_cannot_end_a_users_membership_in_another_organisation(
    org_admin_b, caseworker_a, ngo_b, login
) -> None:
    Membership.objects.create(user=caseworker_a, organisation=ngo_b, role=Role.CASEWORKER)
    in_a = Membership.objects.get(user=caseworker_a, organisation__name="NGO A")
    assert login(org_admin_b).post(f"{MEMBERS}{in_a.uuid}/revoke/").status_code == 404
    actor = Principal(user=org_admin_b, membership=org_admin_b.memberships.first(), verified=True)
    with pytest.raises(PermissionDenied):
        services.deactivate_membership(actor=actor, membership=in_a)
    in_a.refresh_from_db()
    assert in_a.is_active is True


@pytest.mark.parametrize("change", ["end", "role"])
def test_a_membership_change_logs_out_only_the_sessions_acting_for_that_organisation(
    change, org_admin_b, caseworker_a, ngo_b, login
) -> None:
    in_b = Membership.objects.create(user=caseworker_a, organisation=ngo_b, role=Role.CASEWORKER)
    for_a = log_in(caseworker_a)
    for_b = log_in(caseworker_a)
    for_b.post(SWITCH, {"membership": str(in_b.uuid)})
    assert (working_for(for_a), working_for(for_b)) == ("NGO A", "NGO B")

    admin = login(org_admin_b)
    if change == "end":
        assert admin.post(f"{MEMBERS}{in_b.uuid}/revoke/").status_code == 302
    else:
        assert admin.post(f"{MEMBERS}{in_b.uuid}/", {"role": Role.SUPERVISOR}).status_code == 302

    assert for_b.get("/")["Location"] == "/accounts/login/?next=/"
    assert working_for(for_a) == "NGO A"


def test_a_membership_granted_again_does_not_revive_its_old_tokens(
    org_admin_a, caseworker_a, login, django_capture_on_commit_callbacks
) -> None:
    secret = token_for(caseworker_a)
    membership = Membership.objects.get(user=caseworker_a)
    admin = login(org_admin_a)
    admin.post(f"{MEMBERS}{membership.uuid}/revoke/")
    with django_capture_on_commit_callbacks(execute=True):
        attach(admin, caseworker_a.email)
    victim = login(caseworker_a)
    victim.get(link_in(mail.outbox[-1]))
    assert victim.post(RESPOND).status_code == 302
    membership.refresh_from_db()
    assert membership.is_active is True

    assert api_me(secret).status_code == 401


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
