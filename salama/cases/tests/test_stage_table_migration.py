"""The data migration that puts the cases of stage table v1 on v2, where they stand."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from salama.cases import rules
from salama.cases.models import Case
from salama.cases.tests.test_services import make_case

BEFORE = [("cases", "0005_stage_table_v2_and_task_kind")]
AFTER = [("cases", "0006_cases_onto_stage_table_v2")]
MIGRATION = importlib.import_module("salama.cases.migrations.0006_cases_onto_stage_table_v2")


def _set(case: Case, **values: str) -> None:
    Case.objects.filter(pk=case.pk).update(**values)


def _state(case: Case) -> tuple[str, str]:
    stored = Case.objects.get(pk=case.pk)
    return stored.stage, stored.stage_table_version


@pytest.mark.django_db(transaction=True)
def test_old_cases_go_onto_stage_table_v2_where_they_stand_and_back(caseworker_a):
    screened, identified, closed, new = (make_case(caseworker_a) for _ in range(4))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        # Backwards, v2's new first stage became v1's: the case opened at "registered".
        assert _state(new) == ("screened", "1")
        _set(screened, stage="screened", stage_table_version="1")
        _set(identified, stage="identified", stage_table_version="1")
        _set(closed, stage="closed", stage_before_closure="follow_up", stage_table_version="1")

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        assert _state(screened) == ("screened", "2")
        assert _state(identified) == ("identified", "2")
        assert _state(closed) == ("closed", "2")
        table = rules.load_stage_table()
        assert all(case.stage in table.stages for case in Case.objects.all())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_case_at_a_stage_v2_does_not_have_stops_the_migration(caseworker_a):
    case = make_case(caseworker_a)
    _set(case, stage="limbo", stage_table_version="1")
    with pytest.raises(RuntimeError, match="limbo"):
        MIGRATION.onto_v2(apps, None)
    assert _state(case) == ("limbo", "1")


def test_the_migration_knows_every_stage_of_table_v2():
    assert set(rules.load_stage_table("2").stages) == MIGRATION.V2_STAGES
