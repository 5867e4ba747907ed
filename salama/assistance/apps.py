from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "salama.assistance"
    label = "assistance"

    def ready(self) -> None:
        from salama.assistance.access import register_rules

        register_rules()
