"""The RSS scoring rule: exact on hand-worked answers, monotone, bounded, versioned, and the
missing-answer rule the table states."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salama.returns import scoring

TABLE = scoring.load_table("1")
RAW = json.loads((scoring.DATA / "rss_weights.v1.json").read_text(encoding="utf-8"))


def best() -> dict[str, str]:
    return {q.code: max(q.answers, key=lambda a: q.answers[a] or 0) for q in TABLE.questions}


def worst() -> dict[str, str]:
    return {
        q.code: min((a for a in q.answers if q.answers[a] is not None), key=lambda a: q.answers[a])
        for q in TABLE.questions
    }


def test_the_shipped_table_is_version_1_marked_provisional_with_30_questions_on_15_indicators():
    assert TABLE.version == "1"
    assert TABLE.provisional is True
    assert len(TABLE.questions) == 30
    assert len(TABLE.indicators()) == 15
    assert "half" in TABLE.missing_rule


def test_the_best_answers_score_one_and_the_worst_zero_in_every_dimension():
    top = scoring.score(TABLE, best())
    bottom = scoring.score(TABLE, worst())
    assert (top.economic, top.social, top.psychosocial, top.composite) == (1.0, 1.0, 1.0, 1.0)
    assert (bottom.economic, bottom.social, bottom.psychosocial, bottom.composite) == (0, 0, 0, 0)


def test_a_hand_worked_visit_scores_exactly():
    answers = worst()
    # Economic: two of ten questions at their best (1 + 1), the rest at 0 → 2/10.
    answers["income_main_source"] = "regular_job"
    answers["credit_can_borrow"] = "yes"
    # Social: one at 0.5 → 0.5/10.
    answers["housing_quality"] = "acceptable"
    # Psychosocial: every answer at its best → 1.
    answers.update(
        {k: v for k, v in best().items() if TABLE.question(k).dimension == "psychosocial"}
    )
    result = scoring.score(TABLE, answers)
    assert result.economic == 0.2
    assert result.social == 0.05
    assert result.psychosocial == 1.0
    assert result.composite == round((0.2 + 0.05 + 1.0) / 3, 4)
    assert result.below(0.5) == ["economic", "social", "composite"]


def test_improving_one_answer_raises_its_dimension_and_the_composite():
    before = worst()
    after = {**before, "food_reduced_meals": "never"}
    low, high = scoring.score(TABLE, before), scoring.score(TABLE, after)
    assert high.economic > low.economic
    assert high.composite > low.composite
    assert (high.social, high.psychosocial) == (low.social, low.psychosocial)


def test_missing_answers_renormalise_the_weights_over_the_answered_questions():
    economic = [q.code for q in TABLE.of_dimension("economic")]
    answers = {**best(), **{code: "" for code in economic}}
    for code in economic[:5]:  # five of ten answered, all at their best
        answers[code] = best()[code]
    answers = {k: v for k, v in answers.items() if v}
    assert scoring.score(TABLE, answers).economic == 1.0


def test_a_dimension_with_fewer_than_half_its_questions_answered_has_no_score_nor_composite():
    economic = {q.code for q in TABLE.of_dimension("economic")}
    answers = {k: v for k, v in best().items() if k not in economic}
    answers.update({code: best()[code] for code in sorted(economic)[:4]})  # four of ten
    result = scoring.score(TABLE, answers)
    assert result.economic is None
    assert result.composite is None
    assert result.social == 1.0


def test_not_applicable_counts_as_unanswered():
    answers = {**worst(), "education_children_in_school": "not_applicable"}
    social = [q for q in TABLE.of_dimension("social") if q.code != "education_children_in_school"]
    assert scoring.score(TABLE, answers).social == 0.0
    assert scoring.score(TABLE, answers).answered["social"] == len(social)


def test_an_unknown_answer_is_refused_naming_the_question():
    with pytest.raises(scoring.TableError, match="housing_quality: unknown answer"):
        scoring.score(TABLE, {"housing_quality": "palatial"})


def test_a_new_weight_version_scores_new_answers_and_leaves_a_stored_result_unchanged():
    answers = {**worst(), "income_main_source": "regular_job"}
    stored = scoring.score(TABLE, answers)
    raw = copy.deepcopy(RAW)
    raw["version"] = "2"
    for q in raw["questions"]:
        if q["code"] == "income_main_source":
            q["weight"] = 5
    v2 = scoring.table_from_dict(raw)
    rescored = scoring.score(v2, answers)
    assert rescored.version == "2" and rescored.economic == round(5 / 14, 4)
    assert stored.version == "1" and stored.economic == 0.1
    # The stored version is still there to read the old result with.
    assert scoring.score(scoring.load_table(stored.version), answers) == stored


def test_a_table_with_a_score_above_one_is_refused():
    raw = copy.deepcopy(RAW)
    raw["questions"][0]["answers"]["regular_job"] = 1.5
    with pytest.raises(scoring.TableError, match="between 0 and 1"):
        scoring.table_from_dict(raw)


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={q.code: st.sampled_from(sorted(q.answers)) for q in TABLE.questions},
    ),
    st.dictionaries(
        st.sampled_from([q.code for q in TABLE.questions]),
        st.floats(min_value=0.01, max_value=100),
    ),
)
def test_every_score_stays_between_zero_and_one_whatever_the_answers_and_weights(answers, weights):
    raw = copy.deepcopy(RAW)
    for q in raw["questions"]:
        q["weight"] = weights.get(q["code"], q["weight"])
    result = scoring.score(scoring.table_from_dict(raw), answers)
    for value in (result.economic, result.social, result.psychosocial, result.composite):
        assert value is None or 0.0 <= value <= 1.0
