"""Put the cases opened under stage table v1 on v2.

Every v1 stage is a v2 stage, so an old case is valid under v2 where it stands: only its
``stage_table_version`` changes. Its stage is left as it was (a case opened at "screened"
before any screening keeps that stage; its history says so). Backwards, a case at v2's new
first stage, "registered", goes to "screened", the stage v1 opened cases at.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# The stages of stages.v2.json, frozen here as this migration saw them.
V2_STAGES = frozenset(
    {
        "registered",
        "screened",
        "referred_for_identification",
        "presumed_victim",
        "reflection_recovery",
        "identified",
        "not_identified",
        "assistance_plan",
        "return_reintegration",
        "local_inclusion",
        "follow_up",
        "closed",
    }
)


def onto_v2(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    old = Case.objects.exclude(stage_table_version="2")
    unknown = set(old.exclude(stage__in=V2_STAGES).values_list("stage", flat=True))
    if unknown:
        raise RuntimeError(f"cases at stages stage table v2 does not have: {sorted(unknown)}")
    old.update(stage_table_version="2")


def back_to_v1(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(stage="registered").update(stage="screened")
    Case.objects.filter(stage_before_closure="registered").update(stage_before_closure="screened")
    Case.objects.filter(stage_table_version="2").update(stage_table_version="1")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_stage_table_v2_and_task_kind")]

    operations = [migrations.RunPython(onto_v2, back_to_v1)]
