from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from salama.core.roles import ORG_GRANTABLE_ROLES, Perm, Role


class LoginForm(AuthenticationForm):
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
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = Role.values if system else ORG_GRANTABLE_ROLES
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


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
