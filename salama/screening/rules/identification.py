"""The ILO/EC identification rule: from indicator answers to a screening outcome.

Source: ILO & European Commission, *Operational indicators of trafficking in human beings*
(2009, WCMS_105023; explanation notes WCMS_105035 and WCMS_105036). A dimension is positive
when its present indicators reach one of the table's minimum counts by rating (weak indicators
alone never do); the person meets the trafficking profile when the positive dimensions satisfy
the table's combination (for adults act, means and purpose; for children, under the Palermo
Protocol art. 3(c), no means). Both rules are data in the tables (``indicators``); this module
only applies them. The three outcome levels and the "possible victim" status the strongest one
proposes are project rules.

Results carry the table name and version they were computed with, and explain themselves with
codes and parameters (never sentences) so the interface can translate them. Nothing here
imports Django: the functions are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from salama.screening.rules.indicators import (
    ACT_RECORDED,
    RATINGS,
    CombinationRule,
    Dimension,
    Indicator,
    IndicatorTable,
    RatingCounts,
    ThresholdCombination,
    ThresholdRule,
    unknown_indicator_message,
)

PROPOSED_STATUS = "PossibleVictimOfTrafficking"
CHILD_AGE_LIMIT = 18


class AnswerValue(StrEnum):
    """An indicator answer. Only ``PRESENT`` counts towards a dimension."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"
    NOT_ASKED = "not_asked"


class Outcome(StrEnum):
    """Screening outcome levels (a project rule), from strongest to weakest."""

    MEETS_PROFILE = "meets_profile"
    INDICATORS_PRESENT = "indicators_present"
    NO_INDICATORS = "no_indicators"

    @property
    def rank(self) -> int:
        """Higher means more concern; lets callers compare outcomes."""
        return _OUTCOME_RANK[self]


_OUTCOME_RANK = {
    Outcome.NO_INDICATORS: 0,
    Outcome.INDICATORS_PRESENT: 1,
    Outcome.MEETS_PROFILE: 2,
}


def choose_table(age_at_recruitment: int | None, exploitation: str) -> str:
    """Name of the indicator table for a person and a form of exploitation.

    Under 18 at the time of recruitment selects the child list. An unknown age selects the
    adult list: its combination also requires the means, so it never claims more than the
    child rule would; the interface should ask for the age rather than rely on this default.
    ``exploitation == "sexual"`` selects the sexual-exploitation list, anything else labour.
    """
    if age_at_recruitment is not None and age_at_recruitment < 0:
        raise ValueError(f"age at recruitment cannot be negative: {age_at_recruitment}")
    is_child = age_at_recruitment is not None and age_at_recruitment < CHILD_AGE_LIMIT
    population = "child" if is_child else "adult"
    kind = "sexual" if exploitation.strip().lower() == "sexual" else "labour"
    return f"ilo-2009-{population}-{kind}"


ParamValue = str | int | bool | None | tuple[str, ...] | Mapping[str, int]


@dataclass(frozen=True)
class ExplanationPart:
    """One step of the reasoning, as a code plus parameters for the interface to phrase."""

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": _jsonable(self.params)}


def _part(code: str, **params: ParamValue) -> ExplanationPart:
    return ExplanationPart(code=code, params=MappingProxyType(params))


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    positive: bool
    present: tuple[str, ...]
    decisive: tuple[str, ...]
    """The present indicators that meet the first satisfied threshold combination."""
    counts: RatingCounts
    thresholds_met: tuple[str, ...]
    threshold: str | None
    """Code of the first satisfied threshold combination, in table order."""
    strong_present: tuple[str, ...]


@dataclass(frozen=True)
class ClauseResult:
    clause: str
    any_of: tuple[str, ...]
    fired_terms: tuple[str, ...]

    @property
    def met(self) -> bool:
        return bool(self.fired_terms)


@dataclass(frozen=True)
class CombinationResult:
    type: str
    clauses: tuple[ClauseResult, ...]

    @property
    def met(self) -> bool:
        return all(clause.met for clause in self.clauses)

    @property
    def failed_clauses(self) -> tuple[str, ...]:
        return tuple(clause.clause for clause in self.clauses if not clause.met)


@dataclass(frozen=True)
class ScreeningResult:
    table: str
    version: str
    provisional: bool
    act_recorded: bool
    dimensions: tuple[DimensionResult, ...]
    combination: CombinationResult
    strong_present: tuple[str, ...]
    outcome: Outcome
    proposed_status: str | None
    explanation_parts: tuple[ExplanationPart, ...]

    @property
    def positive_dimensions(self) -> tuple[str, ...]:
        return tuple(dim.dimension for dim in self.dimensions if dim.positive)

    def dimension(self, code: str) -> DimensionResult:
        for dim in self.dimensions:
            if dim.dimension == code:
                return dim
        raise ValueError(f"unknown dimension {code!r} in table {self.table} v{self.version}")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the result, for storing beside the screening."""
        return {
            "table": self.table,
            "version": self.version,
            "provisional": self.provisional,
            "act_recorded": self.act_recorded,
            "outcome": self.outcome.value,
            "proposed_status": self.proposed_status,
            "strong_present": list(self.strong_present),
            "dimensions": [_dimension_dict(dim) for dim in self.dimensions],
            "combination": {
                "type": self.combination.type,
                "met": self.combination.met,
                "clauses": [
                    {"clause": c.clause, "met": c.met, "fired_terms": list(c.fired_terms)}
                    for c in self.combination.clauses
                ],
            },
            "explanation": [part.as_dict() for part in self.explanation_parts],
        }


def _dimension_dict(dim: DimensionResult) -> dict[str, Any]:
    return {
        "dimension": dim.dimension,
        "positive": dim.positive,
        "threshold": dim.threshold,
        "thresholds_met": list(dim.thresholds_met),
        "decisive": list(dim.decisive),
        "present": list(dim.present),
        "counts": dim.counts.as_dict(),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


def _answer_value(code: str, raw: str) -> AnswerValue:
    try:
        return AnswerValue(raw)
    except ValueError:
        allowed = ", ".join(value.value for value in AnswerValue)
        raise ValueError(
            f"answer {raw!r} for indicator {code!r} is not one of: {allowed}"
        ) from None


def _validate_answers(table: IndicatorTable, answers: Mapping[str, str]) -> None:
    known = table.indicator_codes
    for code, raw in answers.items():
        if code not in known:
            raise ValueError(unknown_indicator_message(code, table))
        _answer_value(code, raw)


def _is_present(code: str, answers: Mapping[str, str]) -> bool:
    # A missing answer means the question was not asked, which does not count.
    raw = answers.get(code, AnswerValue.NOT_ASKED)
    return _answer_value(code, raw) is AnswerValue.PRESENT


def _decisive(present: Sequence[Indicator], combination: ThresholdCombination) -> tuple[str, ...]:
    chosen: list[str] = []
    for rating, count in combination.minimums:
        chosen.extend([ind.code for ind in present if ind.rating == rating][:count])
    order = {ind.code: index for index, ind in enumerate(present)}
    return tuple(sorted(chosen, key=order.__getitem__))


def evaluate_dimension(
    dimension: Dimension, answers: Mapping[str, str], threshold: ThresholdRule
) -> DimensionResult:
    """Apply the threshold rule to one dimension; only ``present`` answers count."""
    present = [ind for ind in dimension.indicators if _is_present(ind.code, answers)]
    counts = RatingCounts(**{r: sum(ind.rating == r for ind in present) for r in RATINGS})
    met = [combo for combo in threshold.combinations if combo.met_by(counts)]
    return DimensionResult(
        dimension=dimension.code,
        positive=bool(met),
        present=tuple(ind.code for ind in present),
        decisive=_decisive(present, met[0]) if met else (),
        counts=counts,
        thresholds_met=tuple(combo.code for combo in met),
        threshold=met[0].code if met else None,
        strong_present=tuple(ind.code for ind in present if ind.rating == "S"),
    )


def _evaluate_combination(
    rule: CombinationRule, positive: frozenset[str], act_recorded: bool
) -> CombinationResult:
    holding = positive | ({ACT_RECORDED} if act_recorded else set())
    clauses = tuple(
        ClauseResult(
            clause=clause.code,
            any_of=clause.any_of,
            fired_terms=tuple(term for term in clause.any_of if term in holding),
        )
        for clause in rule.clauses
    )
    return CombinationResult(type=rule.type, clauses=clauses)


def _outcome(combination: CombinationResult, dims: Sequence[DimensionResult]) -> Outcome:
    if combination.met:
        return Outcome.MEETS_PROFILE
    if any(dim.positive or dim.strong_present for dim in dims):
        return Outcome.INDICATORS_PRESENT
    return Outcome.NO_INDICATORS


def _dimension_part(dim: DimensionResult) -> ExplanationPart:
    if dim.positive:
        return _part(
            "dimension_positive",
            dimension=dim.dimension,
            threshold=dim.threshold,
            indicators=dim.decisive,
            present=dim.present,
        )
    if not dim.present:
        reason = "no_present_indicators"
    elif dim.counts.S == dim.counts.M == 0:
        reason = "weak_only"
    else:
        reason = "below_threshold"
    return _part(
        "dimension_not_positive",
        dimension=dim.dimension,
        reason=reason,
        counts=MappingProxyType(dim.counts.as_dict()),
        present=dim.present,
    )


def _clause_part(clause: ClauseResult) -> ExplanationPart:
    if clause.met:
        return _part("clause_met", clause=clause.clause, terms=clause.fired_terms)
    return _part("clause_not_met", clause=clause.clause, terms=clause.any_of)


def _uses_act_recorded(rule: CombinationRule) -> bool:
    return any(ACT_RECORDED in clause.any_of for clause in rule.clauses)


def _explain(
    table: IndicatorTable,
    dims: Sequence[DimensionResult],
    combination: CombinationResult,
    strong: tuple[str, ...],
    outcome: Outcome,
    act_recorded: bool,
) -> tuple[ExplanationPart, ...]:
    parts = [
        _part("table", table=table.table, version=table.version, provisional=table.provisional)
    ]
    parts.extend(_dimension_part(dim) for dim in dims)
    if _uses_act_recorded(table.combination):
        parts.append(_part("act_recorded", value=act_recorded))
    elif act_recorded:
        # Recorded so a caseworker sees why the act did not help: this rule has no act term.
        parts.append(_part("act_recorded_not_used", combination=table.combination.type))
    parts.append(_part("combination", type=combination.type, met=combination.met))
    parts.extend(_clause_part(clause) for clause in combination.clauses)
    if strong:
        parts.append(_part("strong_indicators_present", indicators=strong))
    positive = tuple(dim.dimension for dim in dims if dim.positive)
    parts.append(
        _part(
            "outcome",
            outcome=outcome.value,
            proposed_status=PROPOSED_STATUS if outcome is Outcome.MEETS_PROFILE else None,
            positive_dimensions=positive,
            strong_indicators=strong,
            failed_clauses=combination.failed_clauses,
        )
    )
    return tuple(parts)


def evaluate_screening(
    table: IndicatorTable, answers: Mapping[str, str], *, act_recorded: bool = False
) -> ScreeningResult:
    """Evaluate indicator answers against a table.

    ``answers`` maps indicator codes to ``AnswerValue`` strings; codes left out count as not
    asked. ``act_recorded`` says an act of recruitment, transport, transfer, harbouring or
    receipt is recorded on the case, which the child combination accepts in place of D1-D3.
    Raises ValueError for an indicator code the table does not have or an unknown answer value.
    """
    _validate_answers(table, answers)
    dims = tuple(evaluate_dimension(dim, answers, table.threshold) for dim in table.dimensions)
    positive = frozenset(dim.dimension for dim in dims if dim.positive)
    combination = _evaluate_combination(table.combination, positive, act_recorded)
    strong = tuple(code for dim in dims for code in dim.strong_present)
    outcome = _outcome(combination, dims)
    return ScreeningResult(
        table=table.table,
        version=table.version,
        provisional=table.provisional,
        act_recorded=act_recorded,
        dimensions=dims,
        combination=combination,
        strong_present=strong,
        outcome=outcome,
        proposed_status=PROPOSED_STATUS if outcome is Outcome.MEETS_PROFILE else None,
        explanation_parts=_explain(table, dims, combination, strong, outcome, act_recorded),
    )
