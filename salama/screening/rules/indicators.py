"""The ILO/EC trafficking-indicator lists: what a table holds, and how it is loaded and checked.

Source: ILO & European Commission, *Operational indicators of trafficking in human beings*
(2009, WCMS_105023), with the explanation notes WCMS_105035 (labour exploitation) and
WCMS_105036 (sexual exploitation). The source groups indicators into six dimensions (D1
deceptive recruitment, D2 coercive recruitment, D3 recruitment by abuse of vulnerability, D4
exploitative conditions, D5 coercion at destination, D6 abuse of vulnerability at destination) and rates each strong (S), medium (M) or weak
(W); the child lists have no weak indicators. The lists, the ratings, the threshold that makes a
dimension positive and the combination of dimensions that meets the profile are all data in the
versioned tables under ``data/``; ``identification`` applies them.

Nothing here imports Django: the tables are immutable once loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from salama.screening.rules.tables import (
    RuleTableError,
    expect_field,
    expect_object,
    read_rule_file,
    resolve_version,
)

RATINGS: tuple[str, ...] = ("S", "M", "W")
ACT_RECORDED = "act_recorded"
"""A combination term: an act of recruitment, transport, transfer, harbouring or receipt is
recorded on the case (the child combination accepts it in place of D1-D3)."""

_POPULATIONS = ("adult", "child")
_EXPLOITATIONS = ("labour", "sexual")


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
        raise ValueError(unknown_indicator_message(code, self))

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise ValueError(f"unknown dimension {code!r} in table {self.table} v{self.version}")


def unknown_indicator_message(code: str, table: IndicatorTable) -> str:
    return f"unknown indicator code {code!r} for table {table.table} v{table.version}"


def load_table(
    name: str, version: str | None = None, *, data_dir: Path | None = None
) -> IndicatorTable:
    """Load an indicator table; the latest version when ``version`` is None.

    ``data_dir`` replaces the packaged ``data/`` directory (deployment overrides, tests).
    Loaded versions are cached: a published version file must never be edited in place.
    """
    resolved = resolve_version(name, version, data_dir)
    return _load_table_cached(name, resolved, data_dir)


@lru_cache(maxsize=64)
def _load_table_cached(name: str, version: str, data_dir: Path | None) -> IndicatorTable:
    raw = read_rule_file(name, version, "table", data_dir)
    return _parse_table(raw, f"{name} v{version}")


def _parse_table(raw: Mapping[str, Any], where: str) -> IndicatorTable:
    population = expect_field(raw, "population", str, where)
    exploitation = expect_field(raw, "exploitation", str, where)
    if population not in _POPULATIONS or exploitation not in _EXPLOITATIONS:
        raise RuleTableError(f"{where}: unknown population or exploitation")
    dimensions = tuple(
        _parse_dimension(item, where) for item in expect_field(raw, "dimensions", list, where)
    )
    table = IndicatorTable(
        table=expect_field(raw, "table", str, where),
        version=expect_field(raw, "version", str, where),
        title=expect_field(raw, "title", str, where),
        source=expect_field(raw, "source", str, where),
        provisional=expect_field(raw, "provisional", bool, where),
        population=population,
        exploitation=exploitation,
        threshold=_parse_threshold(expect_field(raw, "dimension_threshold", dict, where), where),
        combination=_parse_combination(expect_field(raw, "combination", dict, where), where),
        dimensions=dimensions,
    )
    _check_table(table, where)
    return table


def _parse_dimension(item: Any, where: str) -> Dimension:
    raw = expect_object(item, where)
    code = expect_field(raw, "code", str, where)
    indicators = tuple(
        _parse_indicator(item, code, f"{where} {code}")
        for item in expect_field(raw, "indicators", list, where)
    )
    return Dimension(code=code, title=expect_field(raw, "title", str, where), indicators=indicators)


def _parse_indicator(item: Any, dimension: str, where: str) -> Indicator:
    raw = expect_object(item, where)
    rating = expect_field(raw, "rating", str, where)
    if rating not in RATINGS:
        raise RuleTableError(f"{where}: rating {rating!r} is not one of {RATINGS}")
    flag = None
    if "flag" in raw:
        flag_raw = expect_field(raw, "flag", dict, where)
        flag = IndicatorFlag(
            code=expect_field(flag_raw, "code", str, where),
            note=expect_field(flag_raw, "note", str, where),
        )
    return Indicator(
        code=expect_field(raw, "code", str, where),
        label=expect_field(raw, "label", str, where),
        rating=rating,
        dimension=dimension,
        flag=flag,
    )


def _parse_threshold(raw: Mapping[str, Any], where: str) -> ThresholdRule:
    if expect_field(raw, "rule", str, where) != "any_minimum_counts":
        raise RuleTableError(f"{where}: unsupported dimension_threshold rule")
    combinations = []
    for item in expect_field(raw, "combinations", list, where):
        if not isinstance(item, dict) or not item:
            raise RuleTableError(f"{where}: threshold combinations must be non-empty objects")
        minimums = []
        for rating in RATINGS:
            if rating in item:
                count = expect_field(item, rating, int, where)
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
    for entry in expect_field(raw, "clauses", list, where):
        item = expect_object(entry, where)
        terms = expect_field(item, "any_of", list, where)
        if not terms or not all(isinstance(term, str) for term in terms):
            raise RuleTableError(f"{where}: clause terms must be a non-empty list of strings")
        clauses.append(
            CombinationClause(code=expect_field(item, "code", str, where), any_of=tuple(terms))
        )
    if not clauses:
        raise RuleTableError(f"{where}: combination has no clauses")
    return CombinationRule(type=expect_field(raw, "type", str, where), clauses=tuple(clauses))


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
