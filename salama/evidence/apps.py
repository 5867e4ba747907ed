from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "salama.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        pass
        from salama.evidence.release_access import register_release_rules

        register_release_rules()
