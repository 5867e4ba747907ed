"""The duplicate warning at registration scores with the organisation's trained model."""

from __future__ import annotations

import datetime as dt

from conftest import principal
from salama.matching import runs
from salama.matching.models import MatchModel
from salama.matching.tests.test_runs import registry  # noqa: F401 (fixture)
from salama.people import services as people


def _warning(user):
    return people.find_duplicates(
        actor=principal(user),
        given_name="محمد",
        family_name="الحسن",
        date_of_birth=dt.date(1990, 5, 1),
    )


def test_without_a_model_the_warning_keeps_the_search_scores(registry, supervisor_a):  # noqa: F811
    candidates = _warning(supervisor_a)
    assert candidates
    assert all("match_model" not in c.reasons for c in candidates)


def test_with_a_trained_model_the_warning_scores_candidates_by_match_probability(
    registry,  # noqa: F811
    supervisor_a,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        runs.start_run(actor=principal(supervisor_a))
    assert MatchModel.objects.filter(is_current=True).exists()
    candidates = _warning(supervisor_a)
    top = candidates[0]
    assert top.person.pk in (registry["latin"].pk, registry["arabic"].pk)
    assert "match_model" in top.reasons
    assert top.score > 0.9
    unrelated = [
        c for c in candidates if c.person.pk not in (registry["latin"].pk, registry["arabic"].pk)
    ]
    assert all(c.score < top.score for c in unrelated)
