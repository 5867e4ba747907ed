"""Screening rules: docs/domain.md#identification (indicators) and #vulnerability (DoMV).

Trafficking indicators follow ILO & European Commission, *Operational indicators of trafficking
in human beings* (2009, WCMS_105023) with the explanation notes WCMS_105035 (labour) and
WCMS_105036 (sexual exploitation). Vulnerability follows the IOM Determinants of Migrant
Vulnerability model (*Handbook on Protection and Assistance for Migrants Vulnerable to Violence,
Exploitation and Abuse*, 2019).

Every rule that a deployment may need to change lives in versioned JSON files under ``data/``:
indicator lists and ratings, the dimension threshold, the combination of dimensions, the DoMV
factor catalogue and its responses. This module only applies them. Results carry the table name
and version they were computed with, and explain themselves with codes and parameters (never
sentences) so the interface can translate them.

Nothing here imports Django: the functions are pure and the tables are immutable once loaded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "ACT_RECORDED",
    "DOMV_CATALOGUE",
    "HARMS",
    "PROPOSED_STATUS",
    "RATINGS",
    "AnswerValue",
    "ClauseResult",
    "CombinationClause",
    "CombinationResult",
    "CombinationRule",
    "Dimension",
    "DimensionResult",
    "DomvCatalogue",
    "ExplanationPart",
    "Factor",
    "FactorAnswer",
    "HarmCount",
    "Indicator",
    "IndicatorFlag",
    "IndicatorTable",
    "LevelCount",
    "Outcome",
    "Polarity",
    "Presence",
    "ProposedResponse",
    "RatingCounts",
    "Response",
    "RuleTableError",
    "ScreeningResult",
    "ThresholdCombination",
    "ThresholdRule",
    "VulnerabilityProfile",
    "available_tables",
    "build_vulnerability_profile",
    "choose_table",
    "evaluate_dimension",
    "evaluate_screening",
    "group_by_horizon",
    "load_domv_catalogue",
    "load_table",
    "proposed_responses",
]

RATINGS: tuple[str, ...] = ("S", "M", "W")
ACT_RECORDED = "act_recorded"
PROPOSED_STATUS = "PossibleVictimOfTrafficking"
DOMV_CATALOGUE = "domv-factors"
HARMS: tuple[str, ...] = ("violence", "exploitation", "abuse", "rights_violations")
CHILD_AGE_LIMIT = 18

_POPULATIONS = ("adult", "child")
_EXPLOITATIONS = ("labour", "sexual")
_FILENAME = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)\.v(?P<version>\d+(?:\.\d+)*)\.json$")


class RuleTableError(ValueError):
    """A rule file is missing, malformed or inconsistent."""


class AnswerValue(StrEnum):
    """An indicator answer. Only ``PRESENT`` counts towards a dimension."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"
    NOT_ASKED = "not_asked"


class Outcome(StrEnum):
    """Screening outcome levels (docs/domain.md#outcome-levels, project rule), from strongest to weakest."""

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


# --------------------------------------------------------------------------------------------
# Indicator tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorFlag:
    code: str
    note: str


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    rating: str
    dimension: str
    flag: IndicatorFlag | None = None


@dataclass(frozen=True)
class Dimension:
    code: str
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class RatingCounts:
    """How many present indicators a dimension has, by rating."""

    S: int = 0
    M: int = 0
    W: int = 0

    def of(self, rating: str) -> int:
        return int(getattr(self, rating))

    def as_dict(self) -> dict[str, int]:
        return {rating: self.of(rating) for rating in RATINGS}


@dataclass(frozen=True)
class ThresholdCombination:
    """Minimum numbers of present indicators by rating, e.g. ``(("S", 1), ("M", 1))``."""

    minimums: tuple[tuple[str, int], ...]

    @property
    def code(self) -> str:
        return "+".join(f"{count}{rating}" for rating, count in self.minimums)

    def met_by(self, counts: RatingCounts) -> bool:
        return all(counts.of(rating) >= count for rating, count in self.minimums)


@dataclass(frozen=True)
class ThresholdRule:
    """A dimension is positive when any combination is met."""

    combinations: tuple[ThresholdCombination, ...]


@dataclass(frozen=True)
class CombinationClause:
    """Holds when any term holds; a term is a dimension code or ``act_recorded``."""

    code: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class CombinationRule:
    """Meets the profile when every clause holds (an AND of ORs)."""

    type: str
    clauses: tuple[CombinationClause, ...]


@dataclass(frozen=True)
class IndicatorTable:
    table: str
    version: str
    title: str
    source: str
    provisional: bool
    population: str
    exploitation: str
    threshold: ThresholdRule
    combination: CombinationRule
    dimensions: tuple[Dimension, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for dim in self.dimensions for ind in dim.indicators)

    @property
    def indicator_codes(self) -> frozenset[str]:
        return frozenset(ind.code for ind in self.indicators)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise ValueError(_unknown_indicator_message(code, self))

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise ValueError(f"unknown dimension {code!r} in table {self.table} v{self.version}")


# --------------------------------------------------------------------------------------------
# Loading versioned files
# --------------------------------------------------------------------------------------------


def _data_root(data_dir: Path | None) -> Traversable:
    if data_dir is not None:
        return data_dir
    package = __name__.rpartition(".")[0]
    return resources.files(package).joinpath("data")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _versions_by_name(data_dir: Path | None) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for entry in _data_root(data_dir).iterdir():
        match = _FILENAME.match(entry.name)
        if match and entry.is_file():
            found.setdefault(match["name"], []).append(match["version"])
    return {name: tuple(sorted(v, key=_version_key)) for name, v in sorted(found.items())}


def _resolve_version(name: str, version: str | None, data_dir: Path | None) -> str:
    versions = _versions_by_name(data_dir).get(name, ())
    if not versions:
        raise RuleTableError(f"no rule file named {name!r} in {_data_root(data_dir)}")
    if version is None:
        return versions[-1]
    if version not in versions:
        raise RuleTableError(f"{name!r} has no version {version!r}; available: {versions}")
    return version


def _read_json(name: str, version: str, data_dir: Path | None) -> dict[str, Any]:
    entry = _data_root(data_dir).joinpath(f"{name}.v{version}.json")
    try:
        raw = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleTableError(f"cannot read {name} v{version}: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleTableError(f"{name} v{version}: top level must be an object")
    return raw


def _object(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise RuleTableError(f"{where}: expected an object, got {type(raw).__name__}")
    return raw


def _field(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise RuleTableError(f"{where}: missing {key!r}")
    value = obj[key]
    # bool is an int subclass; a count of True must not pass as 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuleTableError(f"{where}: {key!r} must be {kind.__name__}")
    return value


def _check_identity(raw: Mapping[str, Any], key: str, name: str, version: str) -> None:
    where = f"{name} v{version}"
    if _field(raw, key, str, where) != name or _field(raw, "version", str, where) != version:
        raise RuleTableError(f"{where}: {key!r}/'version' do not match the file name")


def available_tables(*, data_dir: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Indicator table names with their versions, oldest first."""
    versions = _versions_by_name(data_dir)
    versions.pop(DOMV_CATALOGUE, None)
    return versions


def load_table(
    name: str, version: str | None = None, *, data_dir: Path | None = None
) -> IndicatorTable:
    """Load an indicator table; the latest version when ``version`` is None.

    ``data_dir`` replaces the packaged ``data/`` directory (deployment overrides, tests).
    Loaded versions are cached: a published version file must never be edited in place.
    """
    resolved = _resolve_version(name, version, data_dir)
    return _load_table_cached(name, resolved, data_dir)


@lru_cache(maxsize=64)
def _load_table_cached(name: str, version: str, data_dir: Path | None) -> IndicatorTable:
    raw = _read_json(name, version, data_dir)
    _check_identity(raw, "table", name, version)
    return _parse_table(raw, f"{name} v{version}")


def _parse_table(raw: Mapping[str, Any], where: str) -> IndicatorTable:
    population = _field(raw, "population", str, where)
    exploitation = _field(raw, "exploitation", str, where)
    if population not in _POPULATIONS or exploitation not in _EXPLOITATIONS:
        raise RuleTableError(f"{where}: unknown population or exploitation")
    dimensions = tuple(
        _parse_dimension(item, where) for item in _field(raw, "dimensions", list, where)
    )
    table = IndicatorTable(
        table=_field(raw, "table", str, where),
        version=_field(raw, "version", str, where),
        title=_field(raw, "title", str, where),
        source=_field(raw, "source", str, where),
        provisional=_field(raw, "provisional", bool, where),
        population=population,
        exploitation=exploitation,
        threshold=_parse_threshold(_field(raw, "dimension_threshold", dict, where), where),
        combination=_parse_combination(_field(raw, "combination", dict, where), where),
        dimensions=dimensions,
    )
    _check_table(table, where)
    return table


def _parse_dimension(item: Any, where: str) -> Dimension:
    raw = _object(item, where)
    code = _field(raw, "code", str, where)
    indicators = tuple(
        _parse_indicator(item, code, f"{where} {code}")
        for item in _field(raw, "indicators", list, where)
    )
    return Dimension(code=code, title=_field(raw, "title", str, where), indicators=indicators)


def _parse_indicator(item: Any, dimension: str, where: str) -> Indicator:
    raw = _object(item, where)
    rating = _field(raw, "rating", str, where)
    if rating not in RATINGS:
        raise RuleTableError(f"{where}: rating {rating!r} is not one of {RATINGS}")
    flag = None
    if "flag" in raw:
        flag_raw = _field(raw, "flag", dict, where)
        flag = IndicatorFlag(
            code=_field(flag_raw, "code", str, where), note=_field(flag_raw, "note", str, where)
        )
    return Indicator(
        code=_field(raw, "code", str, where),
        label=_field(raw, "label", str, where),
        rating=rating,
        dimension=dimension,
        flag=flag,
    )


def _parse_threshold(raw: Mapping[str, Any], where: str) -> ThresholdRule:
    if _field(raw, "rule", str, where) != "any_minimum_counts":
        raise RuleTableError(f"{where}: unsupported dimension_threshold rule")
    combinations = []
    for item in _field(raw, "combinations", list, where):
        if not isinstance(item, dict) or not item:
            raise RuleTableError(f"{where}: threshold combinations must be non-empty objects")
        minimums = []
        for rating in RATINGS:
            if rating in item:
                count = _field(item, rating, int, where)
                if count < 1:
                    raise RuleTableError(f"{where}: threshold counts must be at least 1")
                minimums.append((rating, count))
        if len(minimums) != len(item):
            raise RuleTableError(f"{where}: threshold keys must be among {RATINGS}")
        # The source is explicit that weak indicators alone never make a dimension positive.
        if all(rating == "W" for rating, _ in minimums):
            raise RuleTableError(f"{where}: a threshold cannot rely on W indicators alone")
        combinations.append(ThresholdCombination(minimums=tuple(minimums)))
    if not combinations:
        raise RuleTableError(f"{where}: dimension_threshold has no combinations")
    return ThresholdRule(combinations=tuple(combinations))


def _parse_combination(raw: Mapping[str, Any], where: str) -> CombinationRule:
    clauses = []
    for entry in _field(raw, "clauses", list, where):
        item = _object(entry, where)
        terms = _field(item, "any_of", list, where)
        if not terms or not all(isinstance(term, str) for term in terms):
            raise RuleTableError(f"{where}: clause terms must be a non-empty list of strings")
        clauses.append(
            CombinationClause(code=_field(item, "code", str, where), any_of=tuple(terms))
        )
    if not clauses:
        raise RuleTableError(f"{where}: combination has no clauses")
    return CombinationRule(type=_field(raw, "type", str, where), clauses=tuple(clauses))


def _check_table(table: IndicatorTable, where: str) -> None:
    dim_codes = [dim.code for dim in table.dimensions]
    ind_codes = [ind.code for ind in table.indicators]
    if len(set(dim_codes)) != len(dim_codes) or len(set(ind_codes)) != len(ind_codes):
        raise RuleTableError(f"{where}: dimension and indicator codes must be unique")
    if table.population == "child" and any(ind.rating == "W" for ind in table.indicators):
        raise RuleTableError(f"{where}: child lists have no W indicators")
    clause_codes = [clause.code for clause in table.combination.clauses]
    if len(set(clause_codes)) != len(clause_codes):
        raise RuleTableError(f"{where}: combination clause codes must be unique")
    known_terms = {*dim_codes, ACT_RECORDED}
    for clause in table.combination.clauses:
        unknown = [term for term in clause.any_of if term not in known_terms]
        if unknown:
            raise RuleTableError(f"{where}: clause {clause.code!r} has unknown terms {unknown}")


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


# --------------------------------------------------------------------------------------------
# Evaluating a screening
# --------------------------------------------------------------------------------------------

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


def _unknown_indicator_message(code: str, table: IndicatorTable) -> str:
    return f"unknown indicator code {code!r} for table {table.table} v{table.version}"


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
            raise ValueError(_unknown_indicator_message(code, table))
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


# --------------------------------------------------------------------------------------------
# Determinants of Migrant Vulnerability
# --------------------------------------------------------------------------------------------


class Polarity(StrEnum):
    RISK = "risk"
    PROTECTIVE = "protective"


class Presence(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    level: str
    default_polarity: str
    framings: Mapping[str, str]
    """Wording of the factor per polarity; a polarity is missing where it makes no sense."""


@dataclass(frozen=True)
class Response:
    code: str
    label: str
    horizon: str
    case_action: bool
    harms: tuple[str, ...]
    proposed_by: tuple[str, ...]
    children_only: bool = False


@dataclass(frozen=True)
class DomvCatalogue:
    catalogue: str
    version: str
    title: str
    source: str
    project_rule: bool
    harms: tuple[str, ...]
    horizons: tuple[str, ...]
    levels: tuple[str, ...]
    factors: tuple[Factor, ...]
    responses: tuple[Response, ...]

    def factor(self, code: str) -> Factor:
        for item in self.factors:
            if item.code == code:
                return item
        raise ValueError(
            f"unknown DoMV factor code {code!r} for catalogue {self.catalogue} v{self.version}"
        )


def load_domv_catalogue(
    version: str | None = None, *, data_dir: Path | None = None
) -> DomvCatalogue:
    """Load the DoMV factor and response catalogue; the latest version when None."""
    resolved = _resolve_version(DOMV_CATALOGUE, version, data_dir)
    return _load_domv_cached(resolved, data_dir)


@lru_cache(maxsize=16)
def _load_domv_cached(version: str, data_dir: Path | None) -> DomvCatalogue:
    raw = _read_json(DOMV_CATALOGUE, version, data_dir)
    _check_identity(raw, "catalogue", DOMV_CATALOGUE, version)
    return _parse_domv(raw, f"{DOMV_CATALOGUE} v{version}")


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _field(raw, key, list, where)
    if not all(isinstance(value, str) for value in values):
        raise RuleTableError(f"{where}: {key!r} must be a list of strings")
    return tuple(values)


def _parse_domv(raw: Mapping[str, Any], where: str) -> DomvCatalogue:
    levels = tuple(
        _field(_object(item, where), "code", str, where)
        for item in _field(raw, "levels", list, where)
    )
    catalogue = DomvCatalogue(
        catalogue=_field(raw, "catalogue", str, where),
        version=_field(raw, "version", str, where),
        title=_field(raw, "title", str, where),
        source=_field(raw, "source", str, where),
        project_rule=_field(raw, "project_rule", bool, where),
        harms=_strings(raw, "harms", where),
        horizons=_strings(raw, "horizons", where),
        levels=levels,
        factors=tuple(_parse_factor(item, where) for item in _field(raw, "factors", list, where)),
        responses=tuple(
            _parse_response(item, where) for item in _field(raw, "responses", list, where)
        ),
    )
    _check_domv(catalogue, where)
    return catalogue


def _parse_factor(item: Any, where: str) -> Factor:
    raw = _object(item, where)
    framings = _field(raw, "framings", dict, where)
    return Factor(
        code=_field(raw, "code", str, where),
        label=_field(raw, "label", str, where),
        level=_field(raw, "level", str, where),
        default_polarity=_field(raw, "default_polarity", str, where),
        framings=MappingProxyType({str(key): str(value) for key, value in framings.items()}),
    )


def _parse_response(item: Any, where: str) -> Response:
    raw = _object(item, where)
    return Response(
        code=_field(raw, "code", str, where),
        label=_field(raw, "label", str, where),
        horizon=_field(raw, "horizon", str, where),
        case_action=_field(raw, "case_action", bool, where),
        harms=_strings(raw, "harms", where),
        proposed_by=_strings(raw, "proposed_by", where),
        children_only=_field(raw, "children_only", bool, where)
        if "children_only" in raw
        else False,
    )


def _check_domv(catalogue: DomvCatalogue, where: str) -> None:
    codes = [item.code for item in catalogue.factors]
    if len(set(codes)) != len(codes):
        raise RuleTableError(f"{where}: factor codes must be unique")
    if catalogue.harms != HARMS:
        raise RuleTableError(f"{where}: harms must be {list(HARMS)}")
    polarities = {polarity.value for polarity in Polarity}
    for item in catalogue.factors:
        if item.level not in catalogue.levels:
            raise RuleTableError(f"{where}: factor {item.code!r} has unknown level")
        if item.default_polarity not in item.framings or not set(item.framings) <= polarities:
            raise RuleTableError(f"{where}: factor {item.code!r} has inconsistent polarities")
    for response in catalogue.responses:
        unknown = set(response.proposed_by) - set(codes)
        if unknown or response.horizon not in catalogue.horizons:
            raise RuleTableError(f"{where}: response {response.code!r} refers to unknown codes")
        if not set(response.harms) <= set(catalogue.harms):
            raise RuleTableError(f"{where}: response {response.code!r} has unknown harms")


@dataclass(frozen=True)
class FactorAnswer:
    """One assessed factor: what the caseworker recorded about it."""

    factor: str
    polarity: str
    present: str
    harms: frozenset[str] = frozenset()
    """What the factor makes the person vulnerable to (DoMV: "vulnerable to what?")."""
    situational: bool = False
    """A sudden, unforeseen change (recorded as a dated event on the factor)."""


@dataclass(frozen=True)
class LevelCount:
    level: str
    risk: int
    protective: int
    unknown: int


@dataclass(frozen=True)
class HarmCount:
    harm: str
    risk: int
    protective: int


@dataclass(frozen=True)
class VulnerabilityProfile:
    catalogue: str
    version: str
    levels: tuple[LevelCount, ...]
    harms: tuple[HarmCount, ...]
    risk_factors: tuple[str, ...]
    protective_factors: tuple[str, ...]
    unknown_factors: tuple[str, ...]
    situational_factors: tuple[str, ...]
    harm_unspecified: tuple[str, ...]
    """Present factors whose answer names no harm, so the interface can ask "to what?"."""
    answers: tuple[FactorAnswer, ...]
    catalogue_data: DomvCatalogue = field(repr=False, compare=False)

    def level(self, code: str) -> LevelCount:
        for item in self.levels:
            if item.level == code:
                return item
        raise ValueError(f"unknown DoMV level {code!r}")

    def harm(self, code: str) -> HarmCount:
        for item in self.harms:
            if item.harm == code:
                return item
        raise ValueError(f"unknown DoMV harm {code!r}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "catalogue": self.catalogue,
            "version": self.version,
            "levels": [vars(item) for item in self.levels],
            "harms": [vars(item) for item in self.harms],
            "risk_factors": list(self.risk_factors),
            "protective_factors": list(self.protective_factors),
            "unknown_factors": list(self.unknown_factors),
            "situational_factors": list(self.situational_factors),
            "harm_unspecified": list(self.harm_unspecified),
        }


@dataclass(frozen=True)
class ProposedResponse:
    code: str
    horizon: str
    case_action: bool
    harms: tuple[str, ...]
    factors: tuple[str, ...]
    """The present risk factors that proposed this response, in catalogue order."""
    children_only: bool


def _validate_factor_answer(answer: FactorAnswer, catalogue: DomvCatalogue) -> None:
    catalogue.factor(answer.factor)
    if answer.polarity not in {item.value for item in Polarity}:
        raise ValueError(f"factor {answer.factor!r}: polarity {answer.polarity!r} is invalid")
    if answer.present not in {item.value for item in Presence}:
        raise ValueError(f"factor {answer.factor!r}: present {answer.present!r} is invalid")
    unknown = set(answer.harms) - set(catalogue.harms)
    if unknown:
        raise ValueError(f"factor {answer.factor!r}: unknown harms {sorted(unknown)}")


def _in_catalogue_order(
    catalogue: DomvCatalogue, answers: Iterable[FactorAnswer]
) -> tuple[FactorAnswer, ...]:
    order = {item.code: index for index, item in enumerate(catalogue.factors)}
    return tuple(sorted(answers, key=lambda answer: order[answer.factor]))


def _is(answer: FactorAnswer, polarity: Polarity) -> bool:
    return answer.present == Presence.YES and answer.polarity == polarity


def _level_count(
    catalogue: DomvCatalogue, answers: Sequence[FactorAnswer], level: str
) -> LevelCount:
    at_level = [a for a in answers if catalogue.factor(a.factor).level == level]
    return LevelCount(
        level=level,
        risk=sum(_is(a, Polarity.RISK) for a in at_level),
        protective=sum(_is(a, Polarity.PROTECTIVE) for a in at_level),
        unknown=sum(a.present == Presence.UNKNOWN for a in at_level),
    )


def _harm_count(answers: Sequence[FactorAnswer], harm: str) -> HarmCount:
    naming = [a for a in answers if harm in a.harms]
    return HarmCount(
        harm=harm,
        risk=sum(_is(a, Polarity.RISK) for a in naming),
        protective=sum(_is(a, Polarity.PROTECTIVE) for a in naming),
    )


def build_vulnerability_profile(
    answers: Iterable[FactorAnswer], *, catalogue: DomvCatalogue | None = None
) -> VulnerabilityProfile:
    """Count present risk and protective factors by level and by harm (no score: docs/domain.md#vulnerability).

    Raises ValueError for unknown factor codes, values or harms, and for a factor answered
    twice. The catalogue defaults to the latest packaged version and is recorded in the profile.
    """
    catalogue = catalogue or load_domv_catalogue()
    answer_list = list(answers)
    for answer in answer_list:
        _validate_factor_answer(answer, catalogue)
    codes = [answer.factor for answer in answer_list]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"factors answered more than once: {duplicates}")
    ordered = _in_catalogue_order(catalogue, answer_list)
    present = [answer for answer in ordered if answer.present == Presence.YES]
    return VulnerabilityProfile(
        catalogue=catalogue.catalogue,
        version=catalogue.version,
        levels=tuple(_level_count(catalogue, ordered, level) for level in catalogue.levels),
        harms=tuple(_harm_count(ordered, harm) for harm in catalogue.harms),
        risk_factors=tuple(a.factor for a in ordered if _is(a, Polarity.RISK)),
        protective_factors=tuple(a.factor for a in ordered if _is(a, Polarity.PROTECTIVE)),
        unknown_factors=tuple(a.factor for a in ordered if a.present == Presence.UNKNOWN),
        situational_factors=tuple(a.factor for a in present if a.situational),
        harm_unspecified=tuple(a.factor for a in present if not a.harms),
        answers=ordered,
        catalogue_data=catalogue,
    )


def _proposes(answer: FactorAnswer, response: Response) -> bool:
    if answer.factor not in response.proposed_by:
        return False
    # "Vulnerable to what?": a factor tied to named harms proposes only responses to them.
    return not answer.harms or bool(answer.harms & set(response.harms))


def _response_harms(response: Response, proposers: Sequence[FactorAnswer]) -> tuple[str, ...]:
    if any(not answer.harms for answer in proposers):
        return response.harms
    named = set().union(*(answer.harms for answer in proposers))
    return tuple(harm for harm in response.harms if harm in named)


def proposed_responses(
    profile: VulnerabilityProfile, *, person_is_child: bool | None = None
) -> list[ProposedResponse]:
    """Responses proposed by the profile's present risk factors, immediate horizon first.

    Each response appears once and lists every factor that proposed it. Long-horizon responses
    are context (``case_action`` False). Responses for children only are dropped when
    ``person_is_child`` is False and kept, marked, when it is unknown.
    """
    catalogue = profile.catalogue_data
    risks = [answer for answer in profile.answers if _is(answer, Polarity.RISK)]
    horizon_rank = {horizon: index for index, horizon in enumerate(catalogue.horizons)}
    proposals: list[tuple[int, int, ProposedResponse]] = []
    for index, response in enumerate(catalogue.responses):
        if response.children_only and person_is_child is False:
            continue
        proposers = [answer for answer in risks if _proposes(answer, response)]
        if not proposers:
            continue
        proposal = ProposedResponse(
            code=response.code,
            horizon=response.horizon,
            case_action=response.case_action,
            harms=_response_harms(response, proposers),
            factors=tuple(answer.factor for answer in proposers),
            children_only=response.children_only,
        )
        proposals.append((horizon_rank[response.horizon], index, proposal))
    return [proposal for _, _, proposal in sorted(proposals, key=lambda item: item[:2])]


def group_by_horizon(responses: Iterable[ProposedResponse]) -> dict[str, list[ProposedResponse]]:
    """Group proposals by horizon, keeping their order."""
    groups: dict[str, list[ProposedResponse]] = {}
    for response in responses:
        groups.setdefault(response.horizon, []).append(response)
    return groups
