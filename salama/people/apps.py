from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "salama.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from salama.core.auditwords import register_values
        from salama.people.access import register_rules
        from salama.people.choices import TraffickingStatus
        from salama.people.household import forget_household_of
        from salama.people.services import on_erasure

        register_rules()
        register_values("trafficking_status", TraffickingStatus.choices)
        on_erasure(forget_household_of)
