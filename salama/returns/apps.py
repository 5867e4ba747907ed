from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "salama.returns"
    label = "returns"
    verbose_name = _("Return and reintegration")

    def ready(self) -> None:
        from salama.returns import monitoring_setup  # reintegration monitoring

        monitoring_setup.register()
