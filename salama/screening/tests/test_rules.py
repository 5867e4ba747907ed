"""Tests for the screening rules, written from docs/domain.md#identification (ILO/EC 2009) and #vulnerability (IOM DoMV)."""

# ruff: noqa: S101 - pytest asserts are the point of a test module

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salama.screening.rules import (
    ACT_RECORDED,
    HARMS,
    PROPOSED_STATUS,
    AnswerValue,
    FactorAnswer,
    IndicatorTable,
    Outcome,
    RuleTableError,
    ScreeningResult,
    available_tables,
    build_vulnerability_profile,
    choose_table,
    evaluate_dimension,
    evaluate_screening,
    group_by_horizon,
    load_domv_catalogue,
    load_table,
    proposed_responses,
)

ADULT_LABOUR = "ilo-2009-adult-labour"
ADULT_SEXUAL = "ilo-2009-adult-sexual"
CHILD_LABOUR = "ilo-2009-child-labour"
CHILD_SEXUAL = "ilo-2009-child-sexual"
ALL_TABLES = (ADULT_LABOUR, ADULT_SEXUAL, CHILD_LABOUR, CHILD_SEXUAL)
CHILD_TABLES = (CHILD_LABOUR, CHILD_SEXUAL)
ADULT_TABLES = (ADULT_LABOUR, ADULT_SEXUAL)
PACKAGED_DATA = Path(__file__).resolve().parent.parent / "data"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def pick(table: IndicatorTable, dimension: str, rating: str, count: int) -> list[str]:
    """The first ``count`` indicator codes of a rating in a dimension, in table order."""
    codes = [i.code for i in table.dimension(dimension).indicators if i.rating == rating]
    assert len(codes) >= count, f"{table.table} {dimension} has fewer than {count} {rating}"
    return codes[:count]


def present(*codes: str) -> dict[str, str]:
    return {code: AnswerValue.PRESENT for code in codes}


def with_ratings(table: IndicatorTable, dimension: str, **counts: int) -> dict[str, str]:
    codes: list[str] = []
    for rating, count in counts.items():
        codes.extend(pick(table, dimension, rating, count))
    return present(*codes)


def making_positive(table: IndicatorTable, *dimensions: str) -> dict[str, str]:
    """Answers that make exactly the given dimensions positive, with as few items as possible."""
    answers: dict[str, str] = {}
    for code in dimensions:
        ratings = [i.rating for i in table.dimension(code).indicators]
        if "S" in ratings and "M" in ratings:
            answers |= with_ratings(table, code, S=1, M=1)
        else:
            answers |= with_ratings(table, code, M=3)
    return answers


def source_rule_positive(s: int, m: int, w: int) -> bool:
    """docs/domain.md#when-a-dimension-is-positive word for word: 2 S; or 1 S + 1 M or W; or 3 M; or 2 M + 1 W."""
    return s >= 2 or (s >= 1 and (m >= 1 or w >= 1)) or m >= 3 or (m >= 2 and w >= 1)


def write_table(directory: Path, raw: Mapping[str, Any]) -> None:
    path = directory / f"{raw['table']}.v{raw['version']}.json"
    path.write_text(json.dumps(raw), encoding="utf-8")


def packaged_raw(name: str) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((PACKAGED_DATA / f"{name}.v1.json").read_text("utf-8"))
    return raw


# --------------------------------------------------------------------------------------------
# Tables as the source lists them
# --------------------------------------------------------------------------------------------


def test_the_four_indicator_lists_are_available() -> None:
    assert set(available_tables()) == set(ALL_TABLES)


def test_the_adult_labour_list_has_67_indicators_in_10_10_16_9_15_7() -> None:
    table = load_table(ADULT_LABOUR)
    assert [len(d.indicators) for d in table.dimensions] == [10, 10, 16, 9, 15, 7]
    assert len(table.indicators) == 67


@pytest.mark.parametrize(
    ("dimension", "strong", "medium", "weak"),
    [
        ("D1", 1, 8, 1),
        ("D2", 1, 9, 0),
        ("D3", 0, 14, 2),
        ("D4", 1, 7, 1),
        ("D5", 4, 10, 1),
        ("D6", 0, 5, 2),
    ],
    ids=lambda value: str(value),
)
def test_adult_labour_ratings_per_dimension_match_the_source(
    dimension: str, strong: int, medium: int, weak: int
) -> None:
    ratings = [i.rating for i in load_table(ADULT_LABOUR).dimension(dimension).indicators]
    assert (ratings.count("S"), ratings.count("M"), ratings.count("W")) == (strong, medium, weak)


def test_the_six_dimensions_are_named_as_in_the_source() -> None:
    table = load_table(ADULT_LABOUR)
    assert [d.code for d in table.dimensions] == ["D1", "D2", "D3", "D4", "D5", "D6"]
    assert table.dimension("D1").title == "Deceptive recruitment (including transfer and transport)"


@pytest.mark.parametrize("name", CHILD_TABLES)
def test_child_lists_have_no_weak_indicators(name: str) -> None:
    assert all(i.rating != "W" for i in load_table(name).indicators)


def test_the_child_labour_list_applies_the_child_ratings_and_omissions() -> None:
    child = load_table(CHILD_LABOUR)
    assert [len(d.indicators) for d in child.dimensions] == [10, 10, 15, 8, 15, 7]
    assert child.indicator("d1_deceived_access_to_education").rating == "S"
    assert child.indicator("d2_debt_bondage").rating == "S"
    assert child.indicator("d3_general_context").rating == "M"
    assert child.indicator("d5_under_strong_influence").rating == "S"
    assert child.indicator("d6_personal_characteristics").rating == "M"
    assert "d3_false_information_law_authorities" not in child.indicator_codes
    assert "d4_no_social_protection" not in child.indicator_codes


@pytest.mark.parametrize("name", ALL_TABLES)
def test_the_disputed_d3_ratings_are_kept_medium_and_flagged(name: str) -> None:
    table = load_table(name)
    for code in ("d3_difficulties_in_the_past", "d3_difficulty_to_organise_travel"):
        indicator = table.indicator(code)
        assert indicator.rating == "M"
        assert indicator.flag is not None and indicator.flag.code == "rating_uncertain"


@pytest.mark.parametrize("name", ADULT_TABLES + CHILD_TABLES)
def test_only_the_sexual_exploitation_lists_are_provisional(name: str) -> None:
    table = load_table(name)
    assert table.provisional is (table.exploitation == "sexual")


@pytest.mark.parametrize("name", (ADULT_SEXUAL, CHILD_SEXUAL))
def test_sexual_lists_are_derived_as_the_source_describes(name: str) -> None:
    table = load_table(name)
    assert table.indicator("d1_deceived_conditions_of_prostitution").rating == "M"
    assert all(i.rating != "S" for i in table.dimension("D4").indicators)
    excessive = table.indicator("d4_excessive_working_days_or_hours")
    assert excessive.rating == "M" and excessive.flag is not None
    assert table.indicator("d5_forced_tasks_or_clients").rating == "S"
    assert table.indicator("d5_threats_of_violence_against_victim").rating == "S"


def test_the_adult_sexual_list_has_one_more_indicator_than_the_labour_list() -> None:
    sexual = load_table(ADULT_SEXUAL)
    assert [len(d.indicators) for d in sexual.dimensions] == [11, 10, 16, 9, 15, 7]


def test_the_combination_rules_are_data_in_the_tables() -> None:
    adult = load_table(ADULT_LABOUR).combination
    child = load_table(CHILD_LABOUR).combination
    assert [c.any_of for c in adult.clauses] == [("D1", "D2", "D3"), ("D4",), ("D5", "D6")]
    assert [c.any_of for c in child.clauses] == [(ACT_RECORDED, "D1", "D2", "D3"), ("D4",)]


def test_the_threshold_rule_is_data_in_the_tables() -> None:
    codes = [c.code for c in load_table(ADULT_LABOUR).threshold.combinations]
    assert codes == ["2S", "1S+1M", "1S+1W", "3M", "2M+1W"]


# --------------------------------------------------------------------------------------------
# Dimension threshold
# --------------------------------------------------------------------------------------------

THRESHOLD_CASES = [
    ("two strong indicators make a dimension positive", "D5", {"S": 2}, "2S"),
    ("one strong and one medium make a dimension positive", "D1", {"S": 1, "M": 1}, "1S+1M"),
    ("one strong and one weak make a dimension positive", "D1", {"S": 1, "W": 1}, "1S+1W"),
    ("three medium make a dimension positive", "D1", {"M": 3}, "3M"),
    ("two medium and one weak make a dimension positive", "D6", {"M": 2, "W": 1}, "2M+1W"),
    ("one strong alone is not enough", "D1", {"S": 1}, None),
    ("two medium are not enough", "D1", {"M": 2}, None),
    ("one medium and two weak are not enough", "D6", {"M": 1, "W": 2}, None),
    ("one weak alone is not enough", "D1", {"W": 1}, None),
    ("two weak alone are not enough", "D3", {"W": 2}, None),
    ("no present indicator is not enough", "D2", {}, None),
]


@pytest.mark.parametrize(
    ("dimension", "counts", "threshold"),
    [case[1:] for case in THRESHOLD_CASES],
    ids=[case[0] for case in THRESHOLD_CASES],
)
def test_dimension_threshold(dimension: str, counts: dict[str, int], threshold: str | None) -> None:
    table = load_table(ADULT_LABOUR)
    answers = with_ratings(table, dimension, **counts)
    result = evaluate_dimension(table.dimension(dimension), answers, table.threshold)
    assert result.positive is (threshold is not None)
    assert result.threshold == threshold
    assert set(result.present) == set(answers)
    assert set(result.decisive) == (set(answers) if threshold else set())


def test_all_weak_indicators_of_a_table_together_make_no_dimension_positive() -> None:
    table = load_table(ADULT_LABOUR)
    weak = present(*(i.code for i in table.indicators if i.rating == "W"))
    result = evaluate_screening(table, weak)
    assert result.positive_dimensions == ()
    assert result.outcome is Outcome.NO_INDICATORS


def test_a_positive_dimension_names_the_indicators_that_made_it_positive() -> None:
    table = load_table(ADULT_LABOUR)
    answers = with_ratings(table, "D5", S=1, M=2, W=1)
    result = evaluate_screening(table, answers).dimension("D5")
    assert result.threshold == "1S+1M"
    assert result.thresholds_met == ("1S+1M", "1S+1W", "2M+1W")
    s_code = pick(table, "D5", "S", 1)[0]
    m_code = pick(table, "D5", "M", 1)[0]
    assert result.decisive == (s_code, m_code)
    assert set(result.present) == set(answers)


# --------------------------------------------------------------------------------------------
# Combination of dimensions
# --------------------------------------------------------------------------------------------

ADULT_CASES = [
    ("deception, exploitation and coercion meet the profile", ("D1", "D4", "D5"), ()),
    ("coercive recruitment and abuse at destination meet it", ("D2", "D4", "D6"), ()),
    ("abuse of vulnerability at recruitment meets it", ("D3", "D4", "D5"), ()),
    ("all six dimensions meet it", ("D1", "D2", "D3", "D4", "D5", "D6"), ()),
    ("without exploitative conditions the profile is not met", ("D1", "D5"), ("exploitation",)),
    (
        "without coercion or abuse at destination the profile is not met",
        ("D1", "D4"),
        ("coercion_at_destination",),
    ),
    ("without recruitment dimensions the profile is not met", ("D4", "D5"), ("recruitment",)),
]


@pytest.mark.parametrize("name", ADULT_TABLES)
@pytest.mark.parametrize(
    ("dimensions", "failed"),
    [case[1:] for case in ADULT_CASES],
    ids=[case[0] for case in ADULT_CASES],
)
def test_adult_combination(name: str, dimensions: tuple[str, ...], failed: tuple[str, ...]) -> None:
    table = load_table(name)
    result = evaluate_screening(table, making_positive(table, *dimensions))
    assert set(result.positive_dimensions) == set(dimensions)
    assert result.combination.met is (not failed)
    assert result.combination.failed_clauses == failed
    for clause in result.combination.clauses:
        assert set(clause.fired_terms) == set(clause.any_of) & set(dimensions)
    if failed:
        assert result.outcome is Outcome.INDICATORS_PRESENT
        assert result.proposed_status is None
    else:
        assert result.outcome is Outcome.MEETS_PROFILE
        assert result.proposed_status == PROPOSED_STATUS


def test_a_recorded_act_does_not_replace_the_adult_means() -> None:
    table = load_table(ADULT_LABOUR)
    result = evaluate_screening(table, making_positive(table, "D4", "D5"), act_recorded=True)
    assert result.outcome is Outcome.INDICATORS_PRESENT
    assert "act_recorded_not_used" in [part.code for part in result.explanation_parts]


CHILD_CASES = [
    ("a recorded act with exploitative conditions meets the profile", (), True, True),
    ("deceptive recruitment with exploitation meets it without means", ("D1",), False, True),
    ("coercive recruitment with exploitation meets it", ("D2",), False, True),
    ("abuse of vulnerability with exploitation meets it", ("D3",), False, True),
    ("exploitation without an act or recruitment dimension does not", (), False, False),
]


@pytest.mark.parametrize("name", CHILD_TABLES)
@pytest.mark.parametrize(
    ("recruitment", "act_recorded", "met"),
    [case[1:] for case in CHILD_CASES],
    ids=[case[0] for case in CHILD_CASES],
)
def test_child_combination(
    name: str, recruitment: tuple[str, ...], act_recorded: bool, met: bool
) -> None:
    table = load_table(name)
    answers = making_positive(table, *recruitment, "D4")
    result = evaluate_screening(table, answers, act_recorded=act_recorded)
    assert result.combination.met is met
    assert result.outcome is (Outcome.MEETS_PROFILE if met else Outcome.INDICATORS_PRESENT)
    fired = result.combination.clauses[0].fired_terms
    assert fired == ((ACT_RECORDED,) if act_recorded else ()) + recruitment
    if not met:
        assert result.combination.failed_clauses == ("recruitment",)


@pytest.mark.parametrize("name", CHILD_TABLES)
def test_a_child_without_exploitative_conditions_does_not_meet_the_profile(name: str) -> None:
    table = load_table(name)
    result = evaluate_screening(
        table, making_positive(table, "D1", "D2", "D3", "D5", "D6"), act_recorded=True
    )
    assert result.combination.failed_clauses == ("exploitation",)
    assert result.outcome is Outcome.INDICATORS_PRESENT


@pytest.mark.parametrize("name", CHILD_TABLES)
def test_a_recorded_act_alone_finds_no_indicators(name: str) -> None:
    result = evaluate_screening(load_table(name), {}, act_recorded=True)
    assert result.outcome is Outcome.NO_INDICATORS


# --------------------------------------------------------------------------------------------
# Outcome levels and answers
# --------------------------------------------------------------------------------------------


def test_a_single_strong_indicator_means_indicators_present() -> None:
    table = load_table(ADULT_LABOUR)
    result = evaluate_screening(table, present("d4_excessive_working_days_or_hours"))
    assert result.positive_dimensions == ()
    assert result.strong_present == ("d4_excessive_working_days_or_hours",)
    assert result.outcome is Outcome.INDICATORS_PRESENT
    assert result.proposed_status is None


def test_a_positive_dimension_without_the_combination_means_indicators_present() -> None:
    table = load_table(ADULT_LABOUR)
    result = evaluate_screening(table, with_ratings(table, "D3", M=3))
    assert result.positive_dimensions == ("D3",)
    assert result.outcome is Outcome.INDICATORS_PRESENT


def test_medium_indicators_below_threshold_mean_no_indicators_found() -> None:
    table = load_table(ADULT_LABOUR)
    result = evaluate_screening(table, with_ratings(table, "D1", M=2))
    assert result.outcome is Outcome.NO_INDICATORS


def test_an_empty_screening_finds_no_indicators() -> None:
    result = evaluate_screening(load_table(ADULT_LABOUR), {})
    assert result.outcome is Outcome.NO_INDICATORS
    assert result.proposed_status is None


@pytest.mark.parametrize("name", ALL_TABLES)
@pytest.mark.parametrize("value", ["absent", "unknown", "not_asked"])
def test_only_present_answers_count(name: str, value: str) -> None:
    table = load_table(name)
    result = evaluate_screening(table, dict.fromkeys(table.indicator_codes, value))
    assert result.outcome is Outcome.NO_INDICATORS
    assert all(dim.present == () for dim in result.dimensions)


@pytest.mark.parametrize("value", ["absent", "unknown", "not_asked"])
def test_an_indicator_not_answered_present_does_not_complete_a_threshold(value: str) -> None:
    table = load_table(ADULT_LABOUR)
    s_code, m_code = pick(table, "D1", "S", 1)[0], pick(table, "D1", "M", 1)[0]
    result = evaluate_screening(table, {s_code: "present", m_code: value})
    assert not result.dimension("D1").positive


def test_an_unknown_indicator_code_raises_naming_code_and_table() -> None:
    with pytest.raises(ValueError, match=r"'d9_nope'.*ilo-2009-adult-labour v1"):
        evaluate_screening(load_table(ADULT_LABOUR), present("d9_nope"))


def test_an_indicator_the_child_list_omits_is_unknown_there() -> None:
    with pytest.raises(ValueError, match="d4_no_social_protection.*ilo-2009-child-labour"):
        evaluate_screening(load_table(CHILD_LABOUR), present("d4_no_social_protection"))


def test_an_unknown_answer_value_raises() -> None:
    with pytest.raises(ValueError, match="'yes'.*d4_hazardous_work"):
        evaluate_screening(load_table(ADULT_LABOUR), {"d4_hazardous_work": "yes"})


@pytest.mark.parametrize(
    ("age", "exploitation", "expected"),
    [
        (17, "labour", CHILD_LABOUR),
        (0, "sexual", CHILD_SEXUAL),
        (18, "labour", ADULT_LABOUR),
        (40, "sexual", ADULT_SEXUAL),
        (None, "labour", ADULT_LABOUR),
        (None, "sexual", ADULT_SEXUAL),
        (25, "forced_begging", ADULT_LABOUR),
    ],
)
def test_choose_table_by_age_at_recruitment_and_exploitation(
    age: int | None, exploitation: str, expected: str
) -> None:
    assert choose_table(age, exploitation) == expected


def test_choose_table_rejects_a_negative_age() -> None:
    with pytest.raises(ValueError, match="negative"):
        choose_table(-1, "labour")


# --------------------------------------------------------------------------------------------
# Explanation and versions
# --------------------------------------------------------------------------------------------


def meeting_result() -> ScreeningResult:
    table = load_table(ADULT_LABOUR)
    return evaluate_screening(table, making_positive(table, "D1", "D4", "D6"))


def test_the_explanation_names_table_dimensions_clauses_and_outcome() -> None:
    parts = meeting_result().explanation_parts
    codes = [part.code for part in parts]
    assert codes[0] == "table" and codes[-1] == "outcome"
    assert codes.count("dimension_positive") == 3
    assert codes.count("dimension_not_positive") == 3
    assert codes.count("clause_met") == 3
    assert dict(parts[0].params) == {"table": ADULT_LABOUR, "version": "1", "provisional": False}
    assert parts[-1].params["proposed_status"] == PROPOSED_STATUS


def test_the_explanation_says_which_clause_failed() -> None:
    table = load_table(ADULT_LABOUR)
    result = evaluate_screening(table, making_positive(table, "D1", "D4"))
    failed = [p for p in result.explanation_parts if p.code == "clause_not_met"]
    assert [p.params["clause"] for p in failed] == ["coercion_at_destination"]
    assert failed[0].params["terms"] == ("D5", "D6")


def test_the_explanation_says_why_a_dimension_is_not_positive() -> None:
    table = load_table(ADULT_LABOUR)
    answers = with_ratings(table, "D3", W=2) | with_ratings(table, "D1", M=2)
    reasons = {
        p.params["dimension"]: p.params["reason"]
        for p in evaluate_screening(table, answers).explanation_parts
        if p.code == "dimension_not_positive"
    }
    assert reasons["D3"] == "weak_only"
    assert reasons["D1"] == "below_threshold"
    assert reasons["D2"] == "no_present_indicators"


def test_the_explanation_holds_codes_not_sentences() -> None:
    for part in meeting_result().explanation_parts:
        for value in part.params.values():
            values = value if isinstance(value, tuple) else (value,)
            assert not any(isinstance(v, str) and " " in v for v in values), part


def test_a_result_is_json_ready_and_records_table_and_version() -> None:
    record = json.loads(json.dumps(meeting_result().as_dict()))
    assert record["table"] == ADULT_LABOUR and record["version"] == "1"
    assert record["outcome"] == "meets_profile"


@pytest.mark.parametrize("name", ALL_TABLES)
def test_every_result_records_the_table_version_it_used(name: str) -> None:
    result = evaluate_screening(load_table(name), {})
    assert (result.table, result.version) == (name, "1")


def test_a_new_table_version_leaves_a_result_computed_with_v1_unchanged(tmp_path: Path) -> None:
    raw = packaged_raw(ADULT_LABOUR)
    write_table(tmp_path, raw)
    table_v1 = load_table(ADULT_LABOUR, data_dir=tmp_path)
    answers = making_positive(table_v1, "D1", "D4")
    before = evaluate_screening(table_v1, answers)
    assert before.outcome is Outcome.INDICATORS_PRESENT

    # A deployment drops the means clause in v2.
    raw_v2 = {**raw, "version": "2"}
    raw_v2["combination"] = {**raw["combination"], "clauses": raw["combination"]["clauses"][:2]}
    write_table(tmp_path, raw_v2)

    assert available_tables(data_dir=tmp_path) == {ADULT_LABOUR: ("1", "2")}
    latest = load_table(ADULT_LABOUR, data_dir=tmp_path)
    assert latest.version == "2"
    after = evaluate_screening(latest, answers)
    assert (after.version, after.outcome) == ("2", Outcome.MEETS_PROFILE)

    again = evaluate_screening(load_table(ADULT_LABOUR, "1", data_dir=tmp_path), answers)
    assert again == before
    assert (before.version, before.outcome) == ("1", Outcome.INDICATORS_PRESENT)


def test_loading_an_unknown_version_raises() -> None:
    with pytest.raises(RuleTableError, match="no version '7'"):
        load_table(ADULT_LABOUR, "7")


def test_a_file_whose_content_does_not_match_its_name_is_rejected(tmp_path: Path) -> None:
    raw = {**packaged_raw(ADULT_LABOUR), "version": "3"}
    (tmp_path / f"{ADULT_LABOUR}.v4.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(RuleTableError, match="do not match"):
        load_table(ADULT_LABOUR, data_dir=tmp_path)


def test_a_threshold_of_weak_indicators_alone_is_rejected(tmp_path: Path) -> None:
    raw = packaged_raw(ADULT_LABOUR)
    raw["dimension_threshold"] = {**raw["dimension_threshold"], "combinations": [{"W": 3}]}
    write_table(tmp_path, raw)
    with pytest.raises(RuleTableError, match="W indicators alone"):
        load_table(ADULT_LABOUR, data_dir=tmp_path)


def test_a_combination_term_that_is_not_a_dimension_is_rejected(tmp_path: Path) -> None:
    raw = packaged_raw(ADULT_LABOUR)
    raw["combination"] = {**raw["combination"], "clauses": [{"code": "x", "any_of": ["D9"]}]}
    write_table(tmp_path, raw)
    with pytest.raises(RuleTableError, match="unknown terms"):
        load_table(ADULT_LABOUR, data_dir=tmp_path)


def test_a_weak_indicator_in_a_child_list_is_rejected(tmp_path: Path) -> None:
    raw = packaged_raw(CHILD_LABOUR)
    raw["dimensions"][0]["indicators"][0]["rating"] = "W"
    write_table(tmp_path, raw)
    with pytest.raises(RuleTableError, match="no W"):
        load_table(CHILD_LABOUR, data_dir=tmp_path)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

TABLES = [load_table(name) for name in ALL_TABLES]
ANSWER_VALUES = [value.value for value in AnswerValue]


@st.composite
def screenings(draw: st.DrawFn) -> tuple[IndicatorTable, dict[str, str], bool]:
    table = draw(st.sampled_from(TABLES))
    codes = sorted(table.indicator_codes)
    answers = draw(st.dictionaries(st.sampled_from(codes), st.sampled_from(ANSWER_VALUES)))
    return table, answers, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(screenings(), st.data())
def test_adding_a_present_indicator_never_weakens_the_result(
    screening: tuple[IndicatorTable, dict[str, str], bool], data: st.DataObject
) -> None:
    table, answers, act_recorded = screening
    extra = data.draw(st.sampled_from(sorted(table.indicator_codes)))
    before = evaluate_screening(table, answers, act_recorded=act_recorded)
    after = evaluate_screening(table, answers | present(extra), act_recorded=act_recorded)
    assert set(before.positive_dimensions) <= set(after.positive_dimensions)
    assert after.outcome.rank >= before.outcome.rank


@settings(max_examples=300, deadline=None)
@given(screenings())
def test_the_evaluator_never_raises_and_agrees_with_the_source_wording(
    screening: tuple[IndicatorTable, dict[str, str], bool],
) -> None:
    table, answers, act_recorded = screening
    result = evaluate_screening(table, answers, act_recorded=act_recorded)
    for dim in result.dimensions:
        counts = dim.counts
        assert dim.positive is source_rule_positive(counts.S, counts.M, counts.W)
        assert all(answers[code] == "present" for code in dim.present)
    assert (result.outcome is Outcome.MEETS_PROFILE) is result.combination.met
    assert (result.proposed_status == PROPOSED_STATUS) is result.combination.met
    json.dumps(result.as_dict())


# --------------------------------------------------------------------------------------------
# Determinants of Migrant Vulnerability
# --------------------------------------------------------------------------------------------


def risk(code: str, *harms: str, present: str = "yes", situational: bool = False) -> FactorAnswer:
    return FactorAnswer(code, "risk", present, frozenset(harms), situational)


def protective(code: str, *harms: str, present: str = "yes") -> FactorAnswer:
    return FactorAnswer(code, "protective", present, frozenset(harms))


def test_the_catalogue_has_the_four_levels_and_their_factors() -> None:
    catalogue = load_domv_catalogue()
    assert catalogue.levels == ("individual", "household", "community", "structural")
    per_level = {lvl: sum(f.level == lvl for f in catalogue.factors) for lvl in catalogue.levels}
    assert per_level == {"individual": 12, "household": 8, "community": 7, "structural": 6}
    assert catalogue.project_rule is True
    assert catalogue.harms == HARMS


def test_factor_framings_carry_both_polarities_where_they_make_sense() -> None:
    catalogue = load_domv_catalogue()
    money = catalogue.factor("ind_access_money_support")
    assert money.default_polarity == "protective" and set(money.framings) == {"risk", "protective"}
    violence = catalogue.factor("hh_violence_in_family")
    assert violence.default_polarity == "risk" and set(violence.framings) == {"risk"}


def test_responses_are_catalogued_by_horizon_and_long_ones_are_not_case_actions() -> None:
    catalogue = load_domv_catalogue()
    assert catalogue.horizons == ("immediate", "medium", "long")
    for response in catalogue.responses:
        assert response.case_action is (response.horizon != "long")
    immediate = [r.code for r in catalogue.responses if r.horizon == "immediate"]
    assert immediate == [
        "safe_accommodation",
        "health_care",
        "documentation",
        "legal_consular_assistance",
    ]


def test_every_factor_can_propose_a_response() -> None:
    catalogue = load_domv_catalogue()
    proposing = {code for r in catalogue.responses for code in r.proposed_by}
    assert proposing == {f.code for f in catalogue.factors}


def test_the_profile_counts_risk_and_protective_factors_by_level_and_harm() -> None:
    profile = build_vulnerability_profile(
        [
            risk("ind_legal_status", "exploitation", "rights_violations"),
            risk("hh_violence_in_family", "violence", "abuse"),
            protective("ind_access_money_support", "exploitation"),
            protective("com_social_networks"),
            risk("str_conflict", present="no"),
            risk("com_organised_crime", present="unknown"),
        ]
    )
    assert (profile.catalogue, profile.version) == ("domv-factors", "1")
    assert [(c.level, c.risk, c.protective, c.unknown) for c in profile.levels] == [
        ("individual", 1, 1, 0),
        ("household", 1, 0, 0),
        ("community", 0, 1, 1),
        ("structural", 0, 0, 0),
    ]
    assert [(c.harm, c.risk, c.protective) for c in profile.harms] == [
        ("violence", 1, 0),
        ("exploitation", 1, 1),
        ("abuse", 1, 0),
        ("rights_violations", 1, 0),
    ]
    assert profile.risk_factors == ("ind_legal_status", "hh_violence_in_family")
    assert profile.protective_factors == ("ind_access_money_support", "com_social_networks")
    assert profile.unknown_factors == ("com_organised_crime",)
    assert profile.harm_unspecified == ("com_social_networks",)


def test_situational_factors_are_listed() -> None:
    profile = build_vulnerability_profile(
        [risk("hh_livelihoods", "exploitation", situational=True), risk("ind_legal_status")]
    )
    assert profile.situational_factors == ("hh_livelihoods",)


@pytest.mark.parametrize(
    "answer",
    [
        protective("ind_legal_status"),
        risk("ind_legal_status", present="no"),
        risk("ind_legal_status", present="unknown"),
    ],
    ids=["a protective factor", "an absent risk factor", "an unknown risk factor"],
)
def test_only_present_risk_factors_propose_responses(answer: FactorAnswer) -> None:
    assert proposed_responses(build_vulnerability_profile([answer])) == []


def test_a_response_is_proposed_once_and_lists_every_factor_that_proposed_it() -> None:
    profile = build_vulnerability_profile(
        [risk("str_conflict"), risk("hh_violence_in_family"), risk("ind_age")]
    )
    responses = proposed_responses(profile)
    codes = [r.code for r in responses]
    assert len(codes) == len(set(codes))
    shelter = next(r for r in responses if r.code == "safe_accommodation")
    assert shelter.factors == ("ind_age", "hh_violence_in_family", "str_conflict")


def test_responses_come_immediate_first_and_long_ones_are_context_only() -> None:
    profile = build_vulnerability_profile(
        [risk("str_conflict"), risk("com_local_economy"), risk("ind_literacy_education")]
    )
    responses = proposed_responses(profile)
    rank = {"immediate": 0, "medium": 1, "long": 2}
    assert [rank[r.horizon] for r in responses] == sorted(rank[r.horizon] for r in responses)
    assert {r.code for r in responses if r.horizon == "long"} == {
        "community_programming",
        "structural_programming",
    }
    assert all(r.case_action is (r.horizon != "long") for r in responses)
    assert list(group_by_horizon(responses)) == ["immediate", "medium", "long"]


def test_a_factor_tied_to_named_harms_proposes_only_responses_to_them() -> None:
    profile = build_vulnerability_profile([risk("ind_legal_status", "violence")])
    responses = {r.code: r for r in proposed_responses(profile)}
    assert "documentation" not in responses
    assert responses["legal_consular_assistance"].harms == ("violence",)


@pytest.mark.parametrize(("is_child", "kept"), [(False, False), (None, True), (True, True)])
def test_best_interests_determination_is_for_children(is_child: bool | None, kept: bool) -> None:
    profile = build_vulnerability_profile([risk("hh_head_of_household")])
    codes = [r.code for r in proposed_responses(profile, person_is_child=is_child)]
    assert ("best_interests_determination" in codes) is kept


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False))
def test_profile_and_responses_do_not_depend_on_answer_order(rng: random.Random) -> None:
    answers = [
        risk("ind_legal_status", "exploitation"),
        risk("hh_violence_in_family"),
        risk("str_conflict", "violence"),
        protective("com_social_networks"),
        risk("ind_age", present="unknown"),
    ]
    shuffled = answers[:]
    rng.shuffle(shuffled)
    first, second = build_vulnerability_profile(answers), build_vulnerability_profile(shuffled)
    assert first == second
    assert proposed_responses(first) == proposed_responses(second)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([risk("ind_nope")], "unknown DoMV factor code 'ind_nope'"),
        ([risk("ind_age"), protective("ind_age")], "more than once"),
        ([FactorAnswer("ind_age", "neutral", "yes")], "polarity"),
        ([FactorAnswer("ind_age", "risk", "maybe")], "present"),
        ([risk("ind_age", "hunger")], "unknown harms"),
    ],
    ids=["unknown factor", "duplicate factor", "bad polarity", "bad presence", "bad harm"],
)
def test_invalid_factor_answers_raise(answers: list[FactorAnswer], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_vulnerability_profile(answers)


def test_a_profile_is_json_ready() -> None:
    profile = build_vulnerability_profile([risk("ind_legal_status")])
    assert json.loads(json.dumps(profile.as_dict()))["version"] == "1"
