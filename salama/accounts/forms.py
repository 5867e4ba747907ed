from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from salama.core.roles import ORG_GRANTABLE_ROLES, Perm, Role


class AxesCredentialsMixin:
    """Authenticate with the credential name django-axes keys its failure records by.

    Axes reads the username from the credential named AXES_USERNAME_FORM_FIELD (by default the
    user model's USERNAME_FIELD, "email"). Django's forms pass it as `username`, so failures were
    recorded under no username while lockouts were checked under the email address, and a
    locked-out account could still log in with the right password.
    """

    request: HttpRequest | None
    cleaned_data: dict[str, Any]
    user_cache: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            username = str(username).strip().lower()
            credential = str(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"))
            self.user_cache = authenticate(
                self.request, **{credential: username, "password": password}
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()  # type: ignore[attr-defined]
            self.confirm_login_allowed(self.user_cache)  # type: ignore[attr-defined]
        return self.cleaned_data


class AdminLoginForm(AxesCredentialsMixin, AdminAuthenticationForm):
    """The Django admin's login form, throttled like Salama's own."""


class LoginForm(AxesCredentialsMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "That email address and password do not match an active account. Check both and "
            "try again; after several failed tries the account is locked for a while."
        ),
        "inactive": _("This account is inactive. Ask your organisation's administrator."),
    }


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class AddMemberForm(forms.Form):
    """Adding a member invites an email address to a role; see services.invite_member."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation link goes to this address; only its owner can accept it."),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = Role.values if system else ORG_GRANTABLE_ROLES
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


class InvitationSignupForm(forms.Form):
    """A new account for an invited address: the invitee's name and password."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif first:
            from salama.accounts.models import User

            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = Role.values if system else ORG_GRANTABLE_ROLES
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: Any, granted: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(p, Perm(p).label) for p in Perm.values if p in granted]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
