"""Screening rules, pure and versioned: the ILO/EC trafficking indicators and the IOM DoMV model.

Trafficking indicators follow ILO & European Commission, *Operational indicators of trafficking
in human beings* (2009, WCMS_105023) with the explanation notes WCMS_105035 (labour) and
WCMS_105036 (sexual exploitation). Vulnerability follows the IOM Determinants of Migrant
Vulnerability model (*Handbook on Protection and Assistance for Migrants Vulnerable to Violence,
Exploitation and Abuse*, 2019).

- ``tables``: finding, reading and type-checking the versioned rule files under ``data/``.
- ``indicators``: the ILO/EC indicator tables (dimensions, ratings, threshold, combination).
- ``identification``: the decision rule that turns indicator answers into a screening outcome.
- ``vulnerability``: the DoMV factor catalogue, the vulnerability profile and proposed responses.
- ``deadlines``: the identification deadlines per jurisdiction and working-day arithmetic.

Callers import from this package (``from salama.screening import rules``); the names below are
its public interface. Nothing here imports Django.
"""

from salama.screening.rules.deadlines import (
    Calendar,
    DeadlineTable,
    JurisdictionRules,
    Period,
    StepTiming,
    add_working_days,
    conclusive_grounds_timing,
    load_deadlines,
    reasonable_grounds_due,
    reasonable_grounds_timing,
    step_timing,
    working_days_between,
)
from salama.screening.rules.identification import (
    CHILD_AGE_LIMIT,
    PROPOSED_STATUS,
    AnswerValue,
    ClauseResult,
    CombinationResult,
    DimensionResult,
    ExplanationPart,
    Outcome,
    ScreeningResult,
    choose_table,
    evaluate_dimension,
    evaluate_screening,
)
from salama.screening.rules.indicators import (
    ACT_RECORDED,
    RATINGS,
    CombinationClause,
    CombinationRule,
    Dimension,
    Indicator,
    IndicatorFlag,
    IndicatorTable,
    RatingCounts,
    ThresholdCombination,
    ThresholdRule,
    load_table,
)
from salama.screening.rules.tables import (
    DEADLINES,
    DOMV_CATALOGUE,
    RuleTableError,
    available_tables,
)
from salama.screening.rules.vulnerability import (
    HARMS,
    DomvCatalogue,
    Factor,
    FactorAnswer,
    HarmCount,
    LevelCount,
    Polarity,
    Presence,
    ProposedResponse,
    Response,
    VulnerabilityProfile,
    build_vulnerability_profile,
    group_by_horizon,
    load_domv_catalogue,
    proposed_responses,
)

__all__ = [
    "ACT_RECORDED",
    "CHILD_AGE_LIMIT",
    "DEADLINES",
    "DOMV_CATALOGUE",
    "HARMS",
    "PROPOSED_STATUS",
    "RATINGS",
    "AnswerValue",
    "Calendar",
    "ClauseResult",
    "CombinationClause",
    "CombinationResult",
    "CombinationRule",
    "DeadlineTable",
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
    "JurisdictionRules",
    "LevelCount",
    "Outcome",
    "Period",
    "Polarity",
    "Presence",
    "ProposedResponse",
    "RatingCounts",
    "Response",
    "RuleTableError",
    "ScreeningResult",
    "StepTiming",
    "ThresholdCombination",
    "ThresholdRule",
    "VulnerabilityProfile",
    "add_working_days",
    "available_tables",
    "build_vulnerability_profile",
    "choose_table",
    "conclusive_grounds_timing",
    "evaluate_dimension",
    "evaluate_screening",
    "group_by_horizon",
    "load_deadlines",
    "load_domv_catalogue",
    "load_table",
    "proposed_responses",
    "reasonable_grounds_due",
    "reasonable_grounds_timing",
    "step_timing",
    "working_days_between",
]
