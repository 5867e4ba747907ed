"""Organisation administrators manage their own members; API tokens narrow a member's role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, make_user, principal
from salama.accounts import services
from salama.accounts.models import ApiToken, Invitation, InvitationStatus, Membership, User
from salama.core.models import AuditEntry
from salama.core.roles import Perm, Role

pytestmark = pytest.mark.django_db

MEMBERS = "/accounts/members/"
ADD = "/accounts/members/add/"
INVITATIONS = "/accounts/members/invitations/"
RESPOND = "/accounts/invitations/respond/"
TOKENS = "/accounts/profile/tokens/"
ME = "/api/v1/me"


def membership_of(user: User) -> Membership:
    return Membership.objects.get(user=user)


def detail(user: User) -> str:
    return f"{MEMBERS}{membership_of(user).uuid}/"


def detail_of_org(user: User, organisation: str) -> str:
    membership = Membership.objects.get(user=user, organisation__name=organisation)
    return f"{MEMBERS}{membership.uuid}/"


def invite(client: Client, email: str, role: str = Role.CASEWORKER):
    return client.post(ADD, {"email": email, "role": role})


def link_in(message) -> str:
    """The path of the invitation link in an email."""
    match = re.search(r"https?://[^/\s]+(/accounts/invitations/[^/\s]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def assert_address_destroyed(invitation: Invitation) -> None:
    stored = Invitation.objects.select_related("data_key").get(pk=invitation.pk)
    assert (stored.email, stored.email_digest) == ("", "")
    assert stored.data_key.is_shredded is True


def create_token(client: Client, scopes: list[str], days: int = 30):
    return client.post(TOKENS, {"name": "sync", "days": days, "scopes": scopes})


def secret_in(response) -> str:
    match = re.search(r"slm_[0-9a-f]{8}_[A-Za-z0-9_-]+", response.content.decode())
    assert match is not None
    return match.group(0)


def api_me(secret: str):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")


def assert_forbidden(client: Client, urls: list[tuple[str, str]]) -> None:
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url


# Listing and opening members -------------------------------------------------------------------


def test_org_admin_lists_only_own_organisation_members(
    org_admin_a, caseworker_a, caseworker_b, login
) -> None:
    response = login(org_admin_a).get(MEMBERS)
    assert response.status_code == 200
    assert [m.user for m in response.context["page"]] == sorted(
        [org_admin_a, caseworker_a], key=lambda u: u.full_name
    )
    assert b"caseworker@b.example" not in response.content


def test_member_list_query_count_does_not_grow_with_members(
    org_admin_a, ngo_a, login, django_assert_max_num_queries
) -> None:
    for n in range(10):
        make_user(ngo_a, Role.CASEWORKER, f"cw{n}@a.example")
    client = login(org_admin_a)
    with django_assert_max_num_queries(15):
        assert client.get(MEMBERS).status_code == 200


def test_system_admin_lists_members_of_every_organisation(
    admin_user, caseworker_a, caseworker_b, login
) -> None:
    response = login(admin_user).get(MEMBERS)
    assert b"caseworker@a.example" in response.content
    assert b"caseworker@b.example" in response.content


def test_org_admin_cannot_open_a_member_of_another_organisation(
    org_admin_a, caseworker_b, login
) -> None:
    client = login(org_admin_a)
    url = detail(caseworker_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": Role.SUPERVISOR}).status_code == 404
    assert client.post(url + "revoke/").status_code == 404
    assert client.post(url + "reset-two-factor/").status_code == 404
    assert membership_of(caseworker_b).role == Role.CASEWORKER
    assert membership_of(caseworker_b).is_active is True


def test_a_malformed_member_id_is_not_found(org_admin_a, login) -> None:
    assert login(org_admin_a).get(MEMBERS + "not-a-uuid/").status_code == 404


@pytest.mark.parametrize(
    "role_user", ["caseworker_a", "supervisor_a", "data_officer_a", "receiver_a"]
)
def test_other_roles_get_403_on_member_pages(
    role_user, org_admin_a, caseworker2_a, login, request
) -> None:
    client = login(request.getfixturevalue(role_user))
    url = detail(caseworker2_a)
    assert_forbidden(
        client,
        [
            ("get", MEMBERS),
            ("post", ADD),
            ("get", url),
            ("post", url),
            ("post", url + "revoke/"),
            ("post", url + "reset-two-factor/"),
        ],
    )


# Inviting members ------------------------------------------------------------------------------


def test_org_admin_invites_a_new_person_who_creates_an_account_through_the_link(
    org_admin_a, ngo_a, login, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(login(org_admin_a), "New.Person@A.example")

    assert (response.status_code, response["Location"]) == (302, MEMBERS)
    assert not User.objects.filter(email="new.person@a.example").exists()
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role, invitation.status) == (
        ngo_a,
        Role.CASEWORKER,
        InvitationStatus.PENDING,
    )
    entry = AuditEntry.objects.get(action="invitation.create")
    assert entry.changes == {"role": [None, "caseworker"], "status": [None, "pending"]}
    assert "new.person" not in str(entry.changes)
    (message,) = mail.outbox
    assert message.to == ["new.person@a.example"]
    assert "NGO A" in message.subject

    visitor = Client()
    page = visitor.get(link_in(message), follow=True)
    assert page.redirect_chain == [(RESPOND, 302)]
    assert b"Create your account for new.person@a.example" in page.content
    response = visitor.post(
        RESPOND,
        {
            "full_name": "Nadia Farah",
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    user = User.objects.get(email="new.person@a.example")
    assert (user.full_name, user.check_password("a-long-new-passphrase")) == ("Nadia Farah", True)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (ngo_a, Role.CASEWORKER)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.membership) == (InvitationStatus.ACCEPTED, membership)
    grant = AuditEntry.objects.get(action="membership.grant")
    assert grant.changes == {
        "role": [None, "caseworker"],
        "user": [None, str(user.uuid)],
        "invitation": [None, str(invitation.id)],
    }
    assert grant.actor_id == user.pk
    # The address is destroyed, ciphertext and key, once the invitation is settled.
    assert_address_destroyed(invitation)
    # The link works once.
    again = Client().get(link_in(message), follow=True)
    assert b"This invitation was accepted already" in again.content


def test_an_invitation_stores_neither_the_address_nor_the_token_in_clear(
    org_admin_a, login, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(login(org_admin_a), "secret.person@a.example")
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_digest, token_digest FROM accounts_invitation")
        row = cursor.fetchone()
    assert all("secret.person" not in str(value) for value in row)
    assert row[0].startswith("v1:")
    assert token not in row[2]
    assert Invitation.objects.get().email == "secret.person@a.example"


def test_the_new_accounts_password_must_pass_the_validators(
    org_admin_a, login, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(login(org_admin_a), "new@a.example")
    visitor = Client()
    visitor.get(link_in(mail.outbox[0]))
    response = visitor.post(
        RESPOND, {"full_name": "New Person", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 400
    assert b"This password is too short." in response.content
    response = visitor.post(
        RESPOND,
        {"full_name": "New Person", "password1": "a-long-passphrase", "password2": "another-one"},
    )
    assert b"The two passwords differ." in response.content
    assert not User.objects.filter(email="new@a.example").exists()


def test_an_existing_user_accepts_after_logging_in_and_keeps_working_where_she_was(
    org_admin_b, caseworker_a, ngo_b, login, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(login(org_admin_b), caseworker_a.email, Role.SUPERVISOR)
    assert caseworker_a.memberships.count() == 1

    session = login(caseworker_a)
    page = session.get(link_in(mail.outbox[0]), follow=True)
    assert b"You are invited to work for <strong>NGO B</strong>" in page.content
    response = session.post(RESPOND)

    assert (response.status_code, response["Location"]) == (302, "/")
    joined = Membership.objects.get(user=caseworker_a, organisation=ngo_b)
    assert (joined.role, joined.is_active) == (Role.SUPERVISOR, True)
    assert b"You work in NGO A as Caseworker." in session.get("/").content
    assert AuditEntry.objects.get(action="invitation.accept").actor_id == caseworker_a.pk


def test_an_anonymous_visitor_with_an_account_logs_in_and_comes_back_to_accept(
    org_admin_b, caseworker_a, ngo_b, login, django_capture_on_commit_callbacks
) -> None:
    device = TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        invite(login(org_admin_b), caseworker_a.email)
    visitor = Client()
    page = visitor.get(link_in(mail.outbox[0]), follow=True)
    assert b"Log in to accept" in page.content
    login_url = f"/accounts/login/?next={RESPOND}"
    assert f'href="{login_url}"'.encode() in page.content
    # Posting the account form is not a way in for an address that has an account.
    visitor.post(RESPOND, {"full_name": "X", "password1": "p-a-s-s-w-o-r-d", "password2": "x"})
    assert caseworker_a.memberships.count() == 1

    response = visitor.post(
        login_url, {"username": caseworker_a.email, "password": PASSWORD, "next": RESPOND}
    )
    assert response["Location"] == RESPOND
    assert visitor.get(RESPOND)["Location"] == "/accounts/two-factor/"
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = visitor.post("/accounts/two-factor/", {"token": str(code).zfill(6)})
    assert response["Location"] == RESPOND
    assert b"Accept invitation" in visitor.get(RESPOND).content
    assert visitor.post(RESPOND).status_code == 302
    assert Membership.objects.filter(user=caseworker_a, organisation=ngo_b).exists()


def test_inviting_a_current_member_again_shows_a_clear_error(
    org_admin_a, caseworker_a, login
) -> None:
    response = invite(login(org_admin_a), caseworker_a.email)
    assert response.status_code == 400
    assert b"caseworker@a.example is already a member of NGO A." in response.content
    assert not Invitation.objects.exists()


def test_inviting_an_address_twice_points_to_resend_or_revoke(org_admin_a, login) -> None:
    client = login(org_admin_a)
    assert invite(client, "new@a.example").status_code == 302
    response = invite(client, "NEW@a.example", Role.SUPERVISOR)
    assert response.status_code == 400
    assert b"new@a.example already has a pending invitation to NGO A." in response.content
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_is_replaced_by_a_new_one(org_admin_a, login) -> None:
    client = login(org_admin_a)
    invite(client, "new@a.example")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert invite(client, "new@a.example").status_code == 302
    statuses = sorted(Invitation.objects.values_list("status", flat=True))
    assert statuses == [InvitationStatus.EXPIRED, InvitationStatus.PENDING]


def test_org_admin_cannot_grant_system_admin(org_admin_a, ngo_a, caseworker_a, login) -> None:
    client = login(org_admin_a)

    response = invite(client, "climber@a.example", Role.SYSTEM_ADMIN)
    assert response.status_code == 400
    assert b"Select a valid choice." in response.content
    assert not Invitation.objects.exists()

    response = client.post(detail(caseworker_a), {"role": Role.SYSTEM_ADMIN})
    assert response.status_code == 400
    assert membership_of(caseworker_a).role == Role.CASEWORKER

    with pytest.raises(PermissionDenied, match="Only a system administrator can grant"):
        services.invite_member(
            actor=principal(org_admin_a),
            organisation=ngo_a,
            email="climber@a.example",
            role=Role.SYSTEM_ADMIN,
        )
    with pytest.raises(PermissionDenied, match="Only a system administrator can grant"):
        services.change_role(
            actor=principal(org_admin_a),
            membership=membership_of(caseworker_a),
            role=Role.SYSTEM_ADMIN,
        )


def test_a_system_admin_outside_any_organisation_is_asked_to_choose_one(admin_user, login) -> None:
    response = invite(login(admin_user), "new@a.example")
    assert response.status_code == 400
    assert b"Choose an organisation first" in response.content
    assert not Invitation.objects.exists()


def test_org_admin_cannot_invite_to_another_organisation(org_admin_a, ngo_b) -> None:
    with pytest.raises(PermissionDenied, match="cannot manage the users of this organisation"):
        services.invite_member(
            actor=principal(org_admin_a), organisation=ngo_b, email="x@b.example", role="caseworker"
        )
    assert not Invitation.objects.exists()


def test_pending_invitations_are_listed_and_can_be_sent_again(
    org_admin_a, org_admin_b, login, django_capture_on_commit_callbacks
) -> None:
    client = login(org_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, "new@a.example")
    first_link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get()

    page = client.get(MEMBERS)
    assert b"new@a.example" in page.content
    assert b"new@a.example" not in login(org_admin_b).get(MEMBERS).content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{INVITATIONS}{invitation.id}/resend/")
    assert response.status_code == 302
    second_link = link_in(mail.outbox[1])
    assert second_link != first_link
    assert b"This invitation link is not valid" in Client().get(first_link, follow=True).content
    assert b"Create your account" in Client().get(second_link, follow=True).content
    assert AuditEntry.objects.filter(action="invitation.resend").count() == 1


def test_a_revoked_invitation_stops_working_and_its_address_is_destroyed(
    org_admin_a, login, django_capture_on_commit_callbacks
) -> None:
    client = login(org_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, "new@a.example")
    invitation = Invitation.objects.get()

    response = client.post(f"{INVITATIONS}{invitation.id}/revoke/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert b"No pending invitations." in client.get(MEMBERS).content
    assert_address_destroyed(invitation)
    assert (
        b"This invitation was withdrawn"
        in Client().get(link_in(mail.outbox[0]), follow=True).content
    )
    assert client.post(f"{INVITATIONS}{invitation.id}/resend/").status_code == 302
    assert len(mail.outbox) == 1


def test_org_admin_cannot_resend_or_revoke_another_organisations_invitation(
    org_admin_a, org_admin_b, login
) -> None:
    invite(login(org_admin_a), "new@a.example")
    invitation = Invitation.objects.get()
    other = login(org_admin_b)
    assert other.post(f"{INVITATIONS}{invitation.id}/resend/").status_code == 404
    assert other.post(f"{INVITATIONS}{invitation.id}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.revoke_invitation(actor=principal(org_admin_b), invitation=invitation)


# Changing and ending memberships ---------------------------------------------------------------


def test_changing_a_role_ends_the_members_sessions_and_is_audited(
    org_admin_a, caseworker_a, login
) -> None:
    member_session = login(caseworker_a)
    assert member_session.get("/").status_code == 200

    response = login(org_admin_a).post(detail(caseworker_a), {"role": Role.SUPERVISOR})

    assert (response.status_code, response["Location"]) == (302, detail(caseworker_a))
    assert membership_of(caseworker_a).role == Role.SUPERVISOR
    assert member_session.get("/")["Location"] == "/accounts/login/?next=/"
    entry = AuditEntry.objects.get(action="membership.change_role")
    assert entry.changes == {"role": ["caseworker", "supervisor"]}
    assert (entry.actor_id, entry.object_id) == (
        org_admin_a.pk,
        str(membership_of(caseworker_a).uuid),
    )


def test_the_last_org_admin_cannot_be_demoted_or_removed(org_admin_a, login) -> None:
    client = login(org_admin_a)

    response = client.post(detail(org_admin_a), {"role": Role.CASEWORKER})
    assert response.status_code == 400
    assert b"NGO A would have no administrator left." in response.content

    response = client.post(detail(org_admin_a) + "revoke/", follow=True)
    assert b"NGO A would have no administrator left." in response.content
    membership = membership_of(org_admin_a)
    assert (membership.role, membership.is_active) == (Role.ORG_ADMIN, True)


def test_an_org_admin_can_step_down_when_another_admin_remains(org_admin_a, ngo_a, login) -> None:
    make_user(ngo_a, Role.ORG_ADMIN, "admin2@a.example")
    response = login(org_admin_a).post(detail(org_admin_a), {"role": Role.SUPERVISOR})
    assert response.status_code == 302
    assert membership_of(org_admin_a).role == Role.SUPERVISOR


def test_ending_a_membership_ends_the_members_access(org_admin_a, caseworker_a, login) -> None:
    member_session = login(caseworker_a)
    response = login(org_admin_a).post(detail(caseworker_a) + "revoke/")
    assert response.status_code == 302
    assert membership_of(caseworker_a).is_active is False
    assert member_session.get("/")["Location"] == "/accounts/login/?next=/"
    assert AuditEntry.objects.filter(action="membership.revoke").count() == 1


def test_org_admin_cannot_end_a_system_admin_membership(org_admin_a, ngo_a, admin_user) -> None:
    membership = Membership.objects.create(
        user=admin_user, organisation=ngo_a, role=Role.SYSTEM_ADMIN
    )
    with pytest.raises(PermissionDenied, match="Only a system administrator can end"):
        services.deactivate_membership(actor=principal(org_admin_a), membership=membership)


# Two-factor resets -----------------------------------------------------------------------------


def test_reset_two_factor_removes_the_members_devices(org_admin_a, caseworker_a, login) -> None:
    member_session = login(caseworker_a)
    TOTPDevice.objects.create(user=caseworker_a, name="spare", confirmed=False)

    response = login(org_admin_a).post(detail(caseworker_a) + "reset-two-factor/")

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=caseworker_a).exists()
    assert member_session.get("/")["Location"] == "/accounts/login/?next=/"
    entry = AuditEntry.objects.get(action="two_factor.reset")
    assert entry.changes == {"devices": [2, 0]}


def test_org_admin_cannot_reset_two_factor_of_someone_who_also_works_elsewhere(
    org_admin_a, caseworker_a, ngo_b, login
) -> None:
    url = detail(caseworker_a)
    Membership.objects.create(user=caseworker_a, organisation=ngo_b, role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    response = login(org_admin_a).post(url + "reset-two-factor/")
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=caseworker_a).count() == 1


def test_system_admin_can_reset_two_factor_of_anyone(
    admin_user, caseworker_a, ngo_b, login
) -> None:
    Membership.objects.create(user=caseworker_a, organisation=ngo_b, role=Role.SUPERVISOR)
    TOTPDevice.objects.create(user=caseworker_a, name="phone", confirmed=True)
    response = login(admin_user).post(detail_of_org(caseworker_a, "NGO A") + "reset-two-factor/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=caseworker_a).exists()


# API tokens ------------------------------------------------------------------------------------


def test_a_token_cannot_have_scopes_beyond_the_role(caseworker_a, login) -> None:
    response = create_token(login(caseworker_a), [Perm.PERSON_VIEW, Perm.SYSTEM_MANAGE])
    assert response.status_code == 400
    assert b"Select a valid choice. system.manage is not one of the available choices." in (
        response.content
    )
    assert b"Change password" in response.content  # the rest of the profile is still there
    assert not ApiToken.objects.exists()
    with pytest.raises(
        ValidationError, match="Your role does not grant these scopes: system.manage"
    ):
        services.create_api_token(
            actor=principal(caseworker_a), name="x", scopes=[Perm.PERSON_VIEW, Perm.SYSTEM_MANAGE]
        )


def test_an_unverified_principal_cannot_create_a_token(caseworker_a) -> None:
    with pytest.raises(ValidationError, match="does not grant these scopes: person.view"):
        services.create_api_token(
            actor=principal(caseworker_a, verified=False), name="x", scopes=[Perm.PERSON_VIEW]
        )


def test_a_token_acts_with_only_its_scopes(caseworker_a, login) -> None:
    response = create_token(login(caseworker_a), [Perm.PERSON_VIEW, Perm.CASE_VIEW])
    assert response.status_code == 200
    secret = secret_in(response)

    response = api_me(secret)

    assert response.status_code == 200
    body = response.json()
    assert body["permissions"] == ["case.view", "person.view"]
    assert body["email"] == "caseworker@a.example"
    assert body["membership"]["role"] == "caseworker"
    token = ApiToken.objects.get()
    assert secret not in (token.digest, token.prefix)
    assert token.last_used_at is not None
    assert AuditEntry.objects.get(action="api_token.create").changes["scopes"] == [
        None,
        ["case.view", "person.view"],
    ]


def test_a_revoked_token_gets_401(caseworker_a, login) -> None:
    client = login(caseworker_a)
    secret = secret_in(create_token(client, [Perm.PERSON_VIEW]))
    token = ApiToken.objects.get()
    assert client.post(f"{TOKENS}{token.uuid}/revoke/").status_code == 302
    assert api_me(secret).status_code == 401


def test_an_expired_token_gets_401(caseworker_a, login) -> None:
    secret = secret_in(create_token(login(caseworker_a), [Perm.PERSON_VIEW]))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_me(secret).status_code == 401


def test_a_token_of_an_ended_membership_gets_401(caseworker_a, login) -> None:
    secret = secret_in(create_token(login(caseworker_a), [Perm.PERSON_VIEW]))
    Membership.objects.filter(user=caseworker_a).update(is_active=False)
    assert api_me(secret).status_code == 401


def test_a_made_up_token_gets_401(db) -> None:
    assert api_me("slm_00000000_made-up").status_code == 401
    assert Client().get(ME).status_code == 401


def test_another_users_token_cannot_be_revoked(caseworker_a, supervisor_a, login) -> None:
    create_token(login(caseworker_a), [Perm.PERSON_VIEW])
    token = ApiToken.objects.get()
    assert login(supervisor_a).post(f"{TOKENS}{token.uuid}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unverified_session_gets_401_on_the_api(caseworker_a) -> None:
    client = Client()
    client.force_login(caseworker_a)
    assert client.get(ME).status_code == 401


def test_a_verified_session_may_use_the_api(caseworker_a, login) -> None:
    response = login(caseworker_a).get(ME)
    assert response.status_code == 200
    assert Perm.PERSON_VIEW in response.json()["permissions"]
