from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldFormsConfig(AppConfig):
    name = "salama.fieldforms"
    label = "fieldforms"
    verbose_name = _("Field forms")

    def ready(self) -> None:
        from salama.core import events
        from salama.fieldforms.access import register_rules

        register_rules()
        from salama.fieldforms.services import shred_submissions_of
        from salama.people.services import on_erasure

        on_erasure(shred_submissions_of)
        events.declare("submission.received", "A device sent a field-form submission for review.")
        events.declare(
            "submission.accepted", "A reviewer accepted a field-form submission into records."
        )
        events.declare("submission.rejected", "A reviewer rejected a field-form submission.")
