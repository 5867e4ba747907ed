from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "salama.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from salama.cases.access import register_rules
        from salama.cases.approval_home import register_panels as register_approval_panels
        from salama.cases.choices import register_audit_values
        from salama.cases.exploitation import shred_perpetrators_of_person
        from salama.cases.home import register_panels
        from salama.cases.safety_home import register_safety_panels
        from salama.cases.services import delete_files_of_person
        from salama.people.services import on_erasure

        register_rules()
        register_panels()
        register_audit_values()
        register_safety_panels()
        register_approval_panels()
        from salama.cases.review_interval_views import register_review_interval_panel

        register_review_interval_panel()
        on_erasure(delete_files_of_person)
        on_erasure(shred_perpetrators_of_person)
        from salama.cases.case_events import declare_events

        declare_events()
