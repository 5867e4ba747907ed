"""The data migration that puts one-step identification decisions into the two-step model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from salama.screening.models import IdentificationDecision
from salama.screening.tests.test_services import make_case

BEFORE = [("screening", "0001_screening_identification_vulnerability")]
AFTER = [("screening", "0003_decisions_as_two_steps")]


@pytest.mark.django_db(transaction=True)
def test_old_decisions_become_conclusive_with_a_positive_or_negative_outcome(caseworker_a):
    case = make_case(caseworker_a)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        Old = executor.loader.project_state(BEFORE).apps.get_model(
            "screening", "IdentificationDecision"
        )
        common = {
            "case_id": case.pk,
            "decided_by_org_type": "Police",
            "decided_on": dt.date(2024, 3, 1),
            "recorded_by_id": caseworker_a.pk,
            "previous_status": "PossibleVictimOfTrafficking",
        }
        actual = Old.objects.create(outcome="ActualVictimOfTrafficking", **common)
        not_a = Old.objects.create(outcome="NotAVictimOfTrafficking", **common)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        rows = {
            d.pk: (d.step, d.outcome, d.trafficking_status)
            for d in IdentificationDecision.objects.all()
        }
        assert rows == {
            actual.pk: ("conclusive_grounds", "positive", "ActualVictimOfTrafficking"),
            not_a.pk: ("conclusive_grounds", "negative", "NotAVictimOfTrafficking"),
        }

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        Old = executor.loader.project_state(BEFORE).apps.get_model(
            "screening", "IdentificationDecision"
        )
        assert dict(Old.objects.values_list("pk", "outcome")) == {
            actual.pk: "ActualVictimOfTrafficking",
            not_a.pk: "NotAVictimOfTrafficking",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
