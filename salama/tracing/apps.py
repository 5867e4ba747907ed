"""Family tracing: who looks for whom, possible matches among consenting persons and other
tracing requests, the caseworkers' confirmation, and the steps to reunification."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "salama.tracing"
    label = "tracing"
    verbose_name = _("Family tracing")

    def ready(self) -> None:
        from salama.tracing.access import register_rules
        from salama.tracing.case_section import register_section
        from salama.tracing.matcher import register_subscribers

        register_rules()
        register_section()
        register_subscribers()
