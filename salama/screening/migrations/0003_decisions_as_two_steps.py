"""Existing identification decisions in the two-step model.

Before, a decision was one final decision whose outcome was the HTCDS status it set
(``ActualVictimOfTrafficking`` or ``NotAVictimOfTrafficking``). Each becomes a
conclusive-grounds decision (0002 set the step) with outcome positive or negative, and keeps
the status it set in ``trafficking_status``. Backwards, the outcome is the status again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

ACTUAL = "ActualVictimOfTrafficking"
NOT_A_VICTIM = "NotAVictimOfTrafficking"


def to_two_steps(apps: Any, schema_editor: Any) -> None:
    Decision = apps.get_model("screening", "IdentificationDecision")
    for old, new in ((ACTUAL, "positive"), (NOT_A_VICTIM, "negative")):
        Decision.objects.filter(outcome=old).update(
            outcome=new, step="conclusive_grounds", trafficking_status=old
        )


def to_one_step(apps: Any, schema_editor: Any) -> None:
    Decision = apps.get_model("screening", "IdentificationDecision")
    for new, old in (("positive", ACTUAL), ("negative", NOT_A_VICTIM)):
        Decision.objects.filter(outcome=new).update(outcome=old)


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_two_step_identification")]

    operations = [migrations.RunPython(to_two_steps, to_one_step)]
