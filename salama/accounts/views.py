"""Login with two factors, profile, organisation switching and member administration."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts import services
from salama.accounts.access import access_membership, visible_memberships
from salama.accounts.forms import (
    AddMemberForm,
    ApiTokenForm,
    ChangeRoleForm,
    InvitationSignupForm,
    LoginForm,
    TokenForm,
)
from salama.accounts.models import INVITATION_DAYS, ApiToken, InvitationStatus, User
from salama.core import audit
from salama.core.navigation import safe_next
from salama.core.policy import get_or_404, has_perm, principal_for, require_perm
from salama.core.roles import Perm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A session cookie whose session is gone: it expired after idling, or every session of
        # the user was ended. Say so instead of showing a bare login form.
        request = self.request
        context["session_ended"] = (
            request.method == "GET"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.user.is_authenticated
            and request.session.session_key is None
        )
        return context


# The token of the invitation link a visitor opened; kept in the session, not in URLs, so it
# survives logging in and never reaches a Referer header or an access log.
SESSION_INVITATION_KEY = "salama_invitation"


def _safe_next(request: HttpRequest) -> str:
    fallback = (
        reverse("accounts:invitation-respond")
        if request.session.get(SESSION_INVITATION_KEY)
        else reverse("core:home")
    )
    return safe_next(request, fallback)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("accounts:two-factor-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Which devices may try at all is decided before trying: a wrong code throttles them.
        allowed = [d for d in devices if d.verify_is_allowed()[0]]
        device = next((d for d in allowed if d.verify_token(form.cleaned_data["token"])), None)
        if device is not None:
            otp_login(request, device)
            # A new session key once the second factor is in: a key seen before it (planted
            # or read over the shoulder) does not become a fully verified session.
            request.session.cycle_key()
            audit.record(
                "auth.two_factor_pass", actor=request.user, obj=request.user, request=request
            )
            return HttpResponseRedirect(_safe_next(request))
        audit.record("auth.two_factor_fail", actor=request.user, obj=request.user, request=request)
        if not allowed:
            form.add_error(
                "token",
                _("Too many wrong codes. Wait a minute, then enter the code your app shows now."),
            )
        else:
            form.add_error(
                "token",
                _(
                    "That code is not valid. Check that your phone's clock is right and enter "
                    "the code your app shows now."
                ),
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if (
        any(True for _d in devices_for_user(request.user, confirmed=True))
        and not request.user.is_verified()
    ):  # type: ignore[union-attr]
        return redirect("accounts:two-factor-verify")
    device: TOTPDevice = services.start_totp_enrolment(user=request.user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_enrolment(
            user=request.user,
            device=device,
            token=form.cleaned_data["token"],
            request=request,  # type: ignore[arg-type]
        ):
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(
                request, _("Two-factor login is on. Keep your authenticator app safe.")
            )
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            _("That code is not valid. Scan the code again and enter the six digits shown now."),
        )
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr": qr, "secret": secret},
    )


def _render_profile(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    """The profile page; a form that failed validation replaces its blank counterpart."""
    principal = principal_for(request)
    context = {
        "password_form": PasswordChangeForm(request.user),
        "token_form": ApiTokenForm(granted=principal.permissions if principal else frozenset()),
        "tokens": ApiToken.objects.filter(membership__user=request.user, revoked_at__isnull=True),
        "has_device": any(True for _d in devices_for_user(request.user, confirmed=True)),
        **forms,
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@login_required
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        services.set_password(
            user=request.user, password=form.cleaned_data["new_password1"], request=request
        )  # type: ignore[arg-type]
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:profile")
    return _render_profile(request, status=400, password_form=form)


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.logout_everywhere(user=request.user, request=request)  # type: ignore[arg-type]
    logout(request)
    messages.info(request, _("You were logged out on every device."))
    return redirect("accounts:login")


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    services.switch_organisation(
        user=request.user,
        membership_uuid=request.POST.get("membership", ""),
        request=request,  # type: ignore[arg-type]
    )
    return HttpResponseRedirect(_safe_next(request))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    if principal is None or principal.membership is None:
        raise PermissionDenied
    form = ApiTokenForm(request.POST, granted=principal.permissions)
    if form.is_valid():
        try:
            token, secret = services.create_api_token(
                actor=principal,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(
                request, "accounts/token_created.html", {"token": token, "secret": secret}
            )
    return _render_profile(request, status=400, token_form=form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_uuid: str) -> HttpResponse:
    principal = principal_for(request)
    token = get_or_404(ApiToken.objects.filter(membership__user=request.user), uuid=token_uuid)
    services.revoke_api_token(actor=principal, token=token, request=request)  # type: ignore[arg-type]
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")


# Member administration ---------------------------------------------------------------------


def _member_list_context(principal: Any, system: bool) -> dict[str, Any]:
    invitations = services.visible_invitations(principal).filter(status=InvitationStatus.PENDING)
    if not system:
        invitations = invitations.filter(organisation=principal.organisation)
    return {
        "invitations": invitations.order_by("-sent_at")[:100],
        "invitation_days": INVITATION_DAYS,
        "system": system,
    }


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    system = has_perm(principal, Perm.SYSTEM_MANAGE)
    members = visible_memberships(principal)
    if not system:
        members = members.filter(organisation=principal.organisation)
    page = Paginator(members.order_by("-is_active", "user__full_name"), 50).get_page(
        request.GET.get("page")
    )
    form = AddMemberForm(system=system)
    return render(
        request,
        "accounts/member_list.html",
        {"page": page, "form": form, **_member_list_context(principal, system)},
    )


@login_required
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    """Invite an email address; the answer is the same whether it has an account or not."""
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    system = has_perm(principal, Perm.SYSTEM_MANAGE)
    form = AddMemberForm(request.POST, system=system)
    if principal.organisation is None:
        form.add_error(None, _("Choose an organisation first: members are invited to it."))
    if form.is_valid():
        try:
            services.invite_member(
                actor=principal,
                organisation=principal.organisation,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "An invitation was sent to %(email)s. It is valid for %(days)d days; the "
                    "person becomes a member once they accept it."
                )
                % {"email": form.cleaned_data["email"].strip().lower(), "days": INVITATION_DAYS},
            )
            return redirect("accounts:member-list")
    members = visible_memberships(principal).filter(organisation=principal.organisation)
    page = Paginator(members, 50).get_page(1)
    return render(
        request,
        "accounts/member_list.html",
        {"page": page, "form": form, **_member_list_context(principal, system)},
        status=400,
    )


@login_required
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    invitation = services.access_invitation(principal, invitation_id)
    try:
        services.resend_invitation(actor=principal, invitation=invitation, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The invitation was sent again with a new link, valid for %(days)d days.")
            % {"days": INVITATION_DAYS},
        )
    return redirect("accounts:member-list")


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    invitation = services.access_invitation(principal, invitation_id)
    try:
        services.revoke_invitation(actor=principal, invitation=invitation, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation was revoked; its link no longer works."))
    return redirect("accounts:member-list")


def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: keep its token in the session and show the invitation."""
    request.session[SESSION_INVITATION_KEY] = token
    return redirect("accounts:invitation-respond")


def invitation_respond(request: HttpRequest) -> HttpResponse:
    """What the invitee sees: create an account, log in as the invited address, or accept."""
    token = request.session.get(SESSION_INVITATION_KEY, "")
    try:
        invitation = services.find_invitation(token)
    except services.InvitationError as exc:
        return render(request, "accounts/invitation_respond.html", {"error": exc.messages[0]})
    context: dict[str, Any] = {"invitation": invitation, "email": invitation.email}
    user = request.user
    if user.is_authenticated:
        context["wrong_account"] = user.email.strip().lower() != invitation.email  # type: ignore[union-attr]
        if request.method == "POST" and not context["wrong_account"]:
            try:
                membership = services.accept_invitation(
                    user=user,  # type: ignore[arg-type]
                    token=token,
                    request=request,
                )
            except (ValidationError, PermissionDenied) as exc:
                context["error"] = " ".join(getattr(exc, "messages", [str(exc)]))
            else:
                request.session.pop(SESSION_INVITATION_KEY, None)
                messages.success(
                    request,
                    _(
                        "You are now a member of %(org)s as %(role)s. To work for it, choose it "
                        "in the organisation selector at the top."
                    )
                    % {"org": membership.organisation.name, "role": membership.get_role_display()},
                )
                return redirect("core:home")
        return render(request, "accounts/invitation_respond.html", context)
    if User.objects.filter(email=invitation.email).exists():
        context["login_url"] = (
            f"{reverse('accounts:login')}?next={reverse('accounts:invitation-respond')}"
        )
        return render(request, "accounts/invitation_respond.html", context)
    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_invited_user(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(SESSION_INVITATION_KEY, None)
            messages.success(
                request,
                _(
                    "Your account is ready. Log in with %(email)s and your new password; you "
                    "will then set up two-factor login."
                )
                % {"email": invitation.email},
            )
            return redirect("accounts:login")
    context["form"] = form
    return render(
        request, "accounts/invitation_respond.html", context, status=400 if form.errors else 200
    )


@login_required
def member_detail(request: HttpRequest, membership_uuid: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    membership = access_membership(principal, membership_uuid)
    system = has_perm(principal, Perm.SYSTEM_MANAGE)
    form = ChangeRoleForm(request.POST or None, system=system, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(
                actor=principal,
                membership=membership,
                role=form.cleaned_data["role"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The role was changed; the member's sessions in this organisation were ended."),
            )
            return redirect("accounts:member-detail", membership_uuid=membership.uuid)
    history = audit_history_for(principal, membership)
    return render(
        request,
        "accounts/member_detail.html",
        {
            "membership": membership,
            "form": form,
            "history": history,
            "can_manage": services.may_manage_membership(principal, membership),
        },
        status=400 if form.errors else 200,
    )


def audit_history_for(principal: Any, membership: Any) -> Any:
    from salama.core.auditwords import describe
    from salama.core.policy import visible_audit_entries

    return describe(
        visible_audit_entries(principal)
        .filter(object_id__in=[str(membership.uuid), str(membership.user.uuid)])
        .order_by("-id")[:20]
    )


@login_required
@require_POST
def member_revoke(request: HttpRequest, membership_uuid: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    membership = access_membership(principal, membership_uuid)
    try:
        services.deactivate_membership(actor=principal, membership=membership, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "The membership was ended; the member's sessions in this organisation were "
                "closed and their tokens for it revoked."
            ),
        )
    return redirect("accounts:member-detail", membership_uuid=membership.uuid)


@login_required
@require_POST
def member_reset_two_factor(request: HttpRequest, membership_uuid: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    membership = access_membership(principal, membership_uuid)
    services.reset_two_factor(actor=principal, membership=membership, request=request)
    messages.success(
        request, _("Two-factor login was reset; the member enrols again at next login.")
    )
    return redirect("accounts:member-detail", membership_uuid=membership.uuid)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """A password reset link: setting a password this way is audited like any other."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("auth.password_set", actor=form.user, obj=form.user, request=self.request)
        return response


def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for a logged-in user the choice is also remembered on their
    account, so emails reach them in the language they read the pages in."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_preferred_language(user=request.user, language=language, request=request)
    return response
