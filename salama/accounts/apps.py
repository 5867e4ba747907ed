from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "salama.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from salama.accounts import signals  # noqa: F401  (audits logins)
        from salama.accounts.access import register_rules
        from salama.accounts.home import register_panels

        register_rules()
        register_panels()
