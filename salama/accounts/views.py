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
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts import services
from salama.accounts.forms import (
    AddMemberForm,
    ApiTokenForm,
    ChangeRoleForm,
    LoginForm,
    TokenForm,
)
from salama.accounts.models import ApiToken
from salama.core import audit
from salama.core.navigation import safe_next
from salama.core.policy import (
    access_membership,
    get_or_404,
    has_perm,
    principal_for,
    require_perm,
    visible_memberships,
)
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


def _safe_next(request: HttpRequest) -> str:
    return safe_next(request, reverse("core:home"))


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
            messages.success(
                request, _("Two-factor login is on. Keep your authenticator app safe.")
            )
            return redirect("core:home")
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
    return render(request, "accounts/member_list.html", {"page": page, "form": form})


@login_required
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.ORG_MANAGE_USERS)
    system = has_perm(principal, Perm.SYSTEM_MANAGE)
    form = AddMemberForm(request.POST, system=system)
    if principal.organisation is None:
        form.add_error(None, _("Choose an organisation first: members are added to it."))
    if form.is_valid():
        try:
            membership, created = services.add_member(
                actor=principal,
                organisation=principal.organisation,  # type: ignore[arg-type]
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if created:
                _send_welcome(request, membership.user)
            messages.success(
                request,
                _("%(email)s can now work as %(role)s.")
                % {"email": membership.user.email, "role": membership.get_role_display()},
            )
            return redirect("accounts:member-list")
    members = visible_memberships(principal).filter(organisation=principal.organisation)
    page = Paginator(members, 50).get_page(1)
    return render(request, "accounts/member_list.html", {"page": page, "form": form}, status=400)


def _send_welcome(request: HttpRequest, user: Any) -> None:
    from django.contrib.auth.forms import PasswordResetForm

    form = PasswordResetForm({"email": user.email})
    if form.is_valid():
        # A new user has an unusable password; the reset form skips those, so send directly.
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        context = {
            "email": user.email,
            "domain": request.get_host(),
            "site_name": "Salama",
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": "https" if request.is_secure() else "http",
        }
        form.send_mail(
            "accounts/email/welcome_subject.txt",
            "accounts/email/welcome_body.txt",
            context,
            None,
            user.email,
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
            messages.success(request, _("The role was changed; the member's sessions were ended."))
            return redirect("accounts:member-detail", membership_uuid=membership.uuid)
    history = audit_history_for(principal, membership)
    return render(
        request,
        "accounts/member_detail.html",
        {"membership": membership, "form": form, "history": history},
        status=400 if form.errors else 200,
    )


def audit_history_for(principal: Any, membership: Any) -> Any:
    from salama.core.policy import visible_audit_entries

    return (
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
        messages.success(request, _("The membership was ended and the member's sessions closed."))
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
    """The welcome/reset link: setting a password this way is audited like any other."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("auth.password_set", actor=form.user, obj=form.user, request=self.request)
        return response
