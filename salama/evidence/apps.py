"""The evidence base: dashboards, indicators, exports and anonymised releases. It only reads the
domain apps; no app imports it."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "salama.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from salama.core import events
        from salama.evidence import access, counts
        from salama.evidence.release_access import register_release_rules

        access.register_rules()
        register_release_rules()
        events.subscribe("evidence.counts", counts.on_event, coalesce=True)
