from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "salama.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from salama.core import events, keys
        from salama.integrations.access import register_rules
        from salama.integrations.delivery import on_event, on_events, rewrap_secrets

        register_rules()
        from salama.cases.retention import register_sweep
        from salama.integrations.import_cleanup import purge_abandoned_imports

        register_sweep("abandoned import(s)", purge_abandoned_imports)
        events.subscribe("integrations.webhooks", on_event, batch=on_events)
        keys.register_rewrapper("integrations.webhook_secrets", rewrap_secrets)
