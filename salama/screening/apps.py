from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "salama.screening"
    label = "screening"
    verbose_name = _("Screening and assessment")

    def ready(self) -> None:
        from salama.screening.access import register_rules
        from salama.screening.approvals import register as register_approvals
        from salama.screening.plan_texts import register_plan_texts

        register_rules()
        register_approvals()
        register_plan_texts()
