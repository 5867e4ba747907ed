from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from salama.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.change_password, name="password-change"),
    path("profile/logout-everywhere/", views.logout_everywhere, name="logout-everywhere"),
    path("profile/tokens/", views.token_create, name="token-create"),
    path("profile/tokens/<uuid:token_uuid>/revoke/", views.token_revoke, name="token-revoke"),
    path("organisation/switch/", views.switch_organisation, name="organisation-switch"),
    path("members/", views.member_list, name="member-list"),
    path("members/add/", views.member_add, name="member-add"),
    path(
        "members/invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "members/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("members/<uuid:membership_uuid>/", views.member_detail, name="member-detail"),
    path("members/<uuid:membership_uuid>/revoke/", views.member_revoke, name="member-revoke"),
    path(
        "members/<uuid:membership_uuid>/reset-two-factor/",
        views.member_reset_two_factor,
        name="member-reset-two-factor",
    ),
    # Public: the link in an invitation email, and the page where the invitee answers it.
    path("invitations/respond/", views.invitation_respond, name="invitation-respond"),
    path("invitations/<str:token>/", views.invitation_open, name="invitation-open"),
    path(
        "password/set/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="password-set",
    ),
]
