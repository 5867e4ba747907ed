"""Assisted voluntary return and reintegration: the return journey on a case, reception by an
organisation in the country of origin, reintegration plans and scored monitoring visits."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "salama.returns"
    label = "returns"
    verbose_name = _("Return and reintegration")

    def ready(self) -> None:
        from salama.returns.access import register_rules
        from salama.returns.consent import register_subscribers

        register_rules()
        register_subscribers()
        from salama.returns.case_section import register_section

        register_section()
        from salama.returns import monitoring_setup  # reintegration monitoring

        monitoring_setup.register()
