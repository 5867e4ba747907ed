from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "salama.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from salama.cases.access import register_rules

        register_rules()
