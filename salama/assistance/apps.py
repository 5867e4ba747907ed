from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "salama.assistance"
    label = "assistance"

    def ready(self) -> None:
        from salama.assistance.access import register_rules
        from salama.assistance.home import register_panels

        register_rules()
        register_panels()
        from salama.assistance.plan_links import register_plan_links

        register_plan_links()
