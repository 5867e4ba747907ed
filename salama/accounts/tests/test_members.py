"""Organisation administrators manage their own members; API tokens narrow a member's role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import make_user
from salama.accounts import services
from salama.accounts.models import ApiToken, Membership, User
from salama.core.models import AuditEntry
from salama.core.policy import Principal
from salama.core.roles import Perm, Role

pytestmark = pytest.mark.django_db

MEMBERS = "/accounts/members/"
ADD = "/accounts/members/add/"
TOKENS = "/accounts/profile/tokens/"
ME = "/api/v1/me"


def membership_of(user: User) -> Membership:
    return Membership.objects.get(user=user)


def detail(user: User) -> str:
    return f"{MEMBERS}{membership_of(user).uuid}/"


def detail_of_org(user: User, organisation: str) -> str:
    membership = Membership.objects.get(user=user, organisation__name=organisation)
    return f"{MEMBERS}{membership.uuid}/"


def principal(user: User, verified: bool = True) -> Principal:
    return Principal(user=user, membership=user.memberships.first(), verified=verified)


def add_member(client: Client, email: str, role: str = Role.CASEWORKER):
    return client.post(ADD, {"email": email, "full_name": "New Person", "role": role})


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


# Adding members --------------------------------------------------------------------------------


def test_org_admin_adds_a_new_member_who_sets_a_password_through_the_welcome_link(
    org_admin_a, ngo_a, login
) -> None:
    response = add_member(login(org_admin_a), "New.Person@A.example")

    assert (response.status_code, response["Location"]) == (302, MEMBERS)
    user = User.objects.get(email="new.person@a.example")
    assert user.has_usable_password() is False
    assert Membership.objects.get(user=user).organisation == ngo_a
    grant = AuditEntry.objects.get(action="membership.grant")
    assert grant.changes == {"role": [None, "caseworker"], "user": [None, str(user.uuid)]}

    (message,) = mail.outbox
    assert message.to == ["new.person@a.example"]
    link = re.search(r"http://testserver(/accounts/password/set/\S+/)", message.body).group(1)
    visitor = Client()
    form_page = visitor.get(link, follow=True)
    assert form_page.context["validlink"] is True
    response = visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase") is True
    # The link works once.
    assert Client().get(link, follow=True).context["validlink"] is False


def test_adding_an_existing_user_sends_no_welcome_email(org_admin_b, caseworker_a, login) -> None:
    response = add_member(login(org_admin_b), caseworker_a.email, Role.SUPERVISOR)
    assert response.status_code == 302
    assert caseworker_a.memberships.count() == 2
    assert mail.outbox == []


def test_adding_a_current_member_again_shows_a_clear_error(
    org_admin_a, caseworker_a, login
) -> None:
    response = add_member(login(org_admin_a), caseworker_a.email)
    assert response.status_code == 400
    assert b"caseworker@a.example is already a member of NGO A." in response.content


def test_org_admin_cannot_grant_system_admin(org_admin_a, ngo_a, caseworker_a, login) -> None:
    client = login(org_admin_a)

    response = add_member(client, "climber@a.example", Role.SYSTEM_ADMIN)
    assert response.status_code == 400
    assert b"Select a valid choice." in response.content
    assert not User.objects.filter(email="climber@a.example").exists()

    response = client.post(detail(caseworker_a), {"role": Role.SYSTEM_ADMIN})
    assert response.status_code == 400
    assert membership_of(caseworker_a).role == Role.CASEWORKER

    with pytest.raises(PermissionDenied, match="Only a system administrator can grant"):
        services.add_member(
            actor=principal(org_admin_a),
            organisation=ngo_a,
            email="climber@a.example",
            full_name="Climber",
            role=Role.SYSTEM_ADMIN,
        )
    with pytest.raises(PermissionDenied, match="Only a system administrator can grant"):
        services.change_role(
            actor=principal(org_admin_a),
            membership=membership_of(caseworker_a),
            role=Role.SYSTEM_ADMIN,
        )


def test_a_system_admin_outside_any_organisation_is_asked_to_choose_one(admin_user, login) -> None:
    response = add_member(login(admin_user), "new@a.example")
    assert response.status_code == 400
    assert b"Choose an organisation first" in response.content
    assert not User.objects.filter(email="new@a.example").exists()


def test_org_admin_cannot_add_members_to_another_organisation(org_admin_a, ngo_b) -> None:
    with pytest.raises(PermissionDenied, match="cannot manage the users of this organisation"):
        services.add_member(
            actor=principal(org_admin_a),
            organisation=ngo_b,
            email="x@b.example",
            full_name="X",
            role=Role.CASEWORKER,
        )


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
