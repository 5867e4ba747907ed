"""Scoring of the Reintegration Sustainability Survey (RSS): pure functions, no Django.

A weight table (``data/rss_weights.v<N>.json``) lists each question with its indicator, its
dimension (economic, social, psychosocial), its weight and the score (0 to 1) of each answer; an
answer scored ``null`` means "not applicable". The table states its own missing-answer rule and
this module applies it:

- within a dimension the weights are re-normalised over the answered questions;
- a dimension with fewer than ``min_answered_share`` of its questions answered has no score;
- the composite is the weighted mean of the three dimension scores, and needs all three.

Every score lies in 0..1. A visit stores the version of the table it was scored with and its
scores, so loading a new version changes the scores of new visits only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
DIMENSIONS = ("economic", "social", "psychosocial")
_FILE = re.compile(r"^rss_weights\.v(\d+)\.json$")


class TableError(ValueError):
    """A weight table that cannot be used (says what is wrong with it)."""


@dataclass(frozen=True)
class Question:
    code: str
    indicator: str
    dimension: str
    weight: float
    answers: Mapping[str, float | None]


@dataclass(frozen=True)
class WeightTable:
    version: str
    provisional: bool
    missing_rule: str
    min_answered_share: float
    dimension_weights: Mapping[str, float]
    questions: tuple[Question, ...]
    source: str = ""

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def of_dimension(self, dimension: str) -> list[Question]:
        return [q for q in self.questions if q.dimension == dimension]

    def indicators(self) -> list[tuple[str, str]]:
        """(dimension, indicator) in the table's order, each once."""
        seen: list[tuple[str, str]] = []
        for q in self.questions:
            if (q.dimension, q.indicator) not in seen:
                seen.append((q.dimension, q.indicator))
        return seen


@dataclass(frozen=True)
class Scores:
    version: str
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None
    answered: Mapping[str, int] = field(default_factory=dict)

    def by_dimension(self) -> dict[str, float | None]:
        return {"economic": self.economic, "social": self.social, "psychosocial": self.psychosocial}

    def below(self, threshold: float) -> list[str]:
        """The dimensions (and ``composite``) whose score is below ``threshold``."""
        shown = {**self.by_dimension(), "composite": self.composite}
        return [name for name, value in shown.items() if value is not None and value < threshold]


def table_from_dict(raw: Mapping[str, Any]) -> WeightTable:
    """Check and build a table; refuses one whose scores or weights are out of range."""
    try:
        questions = tuple(
            Question(
                code=str(q["code"]),
                indicator=str(q["indicator"]),
                dimension=str(q["dimension"]),
                weight=float(q["weight"]),
                answers={
                    str(k): (None if v is None else float(v)) for k, v in q["answers"].items()
                },
            )
            for q in raw["questions"]
        )
        table = WeightTable(
            version=str(raw["version"]),
            provisional=bool(raw.get("provisional", False)),
            missing_rule=str(raw["missing_rule"]),
            min_answered_share=float(raw.get("min_answered_share", 0.5)),
            dimension_weights={d: float(raw["dimensions"][d]) for d in DIMENSIONS},
            questions=questions,
            source=str(raw.get("source", "")),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise TableError(f"the weight table lacks {exc}") from None
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        raise TableError("a question code appears twice in the weight table")
    for q in questions:
        if q.dimension not in DIMENSIONS:
            raise TableError(f"question {q.code}: unknown dimension {q.dimension}")
        if q.weight <= 0:
            raise TableError(f"question {q.code}: the weight must be above 0")
        if any(v is not None and not 0 <= v <= 1 for v in q.answers.values()):
            raise TableError(f"question {q.code}: answer scores must lie between 0 and 1")
    if any(w <= 0 for w in table.dimension_weights.values()):
        raise TableError("dimension weights must be above 0")
    if not 0 < table.min_answered_share <= 1:
        raise TableError("min_answered_share must lie in (0, 1]")
    for d in DIMENSIONS:
        if not table.of_dimension(d):
            raise TableError(f"the table has no question of the {d} dimension")
    return table


def available_versions(directory: Path = DATA) -> list[str]:
    """The versions of the weight table shipped, oldest first."""
    found = [m.group(1) for p in directory.iterdir() if (m := _FILE.match(p.name))]
    return sorted(found, key=int)


@lru_cache(maxsize=16)
def load_table(version: str | None = None, directory: Path = DATA) -> WeightTable:
    """A version of the table (the newest when ``version`` is None)."""
    versions = available_versions(directory)
    if not versions:
        raise TableError("no weight table found")
    chosen = version or versions[-1]
    path = directory / f"rss_weights.v{chosen}.json"
    if not path.exists():
        raise TableError(f"no weight table of version {chosen}")
    return table_from_dict(json.loads(path.read_text(encoding="utf-8")))


def check_answers(table: WeightTable, answers: Mapping[str, str]) -> dict[str, str]:
    """The problems of a set of answers, by question code (empty when all are known)."""
    problems: dict[str, str] = {}
    for code, answer in answers.items():
        question = table.question(code)
        if question is None:
            problems[code] = "unknown question"
        elif answer not in question.answers:
            problems[code] = "unknown answer"
    return problems


def dimension_score(table: WeightTable, dimension: str, answers: Mapping[str, str]) -> float | None:
    """The weighted mean of the answered questions of one dimension, or None under the rule."""
    questions = table.of_dimension(dimension)
    scored = [
        (q.weight, q.answers[answers[q.code]])
        for q in questions
        if answers.get(q.code) in q.answers and q.answers[answers[q.code]] is not None
    ]
    if not scored or len(scored) < table.min_answered_share * len(questions):
        return None
    total = sum(w for w, _s in scored)
    value = sum(w * float(s) for w, s in scored if s is not None) / total
    return _clamp(value)


def score(table: WeightTable, answers: Mapping[str, str]) -> Scores:
    """The three dimension scores and the composite of one visit's answers."""
    problems = check_answers(table, answers)
    if problems:
        raise TableError("; ".join(f"{code}: {why}" for code, why in sorted(problems.items())))
    dims = {d: dimension_score(table, d, answers) for d in DIMENSIONS}
    composite: float | None = None
    if all(v is not None for v in dims.values()):
        total = sum(table.dimension_weights.values())
        composite = _clamp(
            sum(table.dimension_weights[d] * float(dims[d] or 0) for d in DIMENSIONS) / total
        )
    answered = {
        d: sum(
            1
            for q in table.of_dimension(d)
            if answers.get(q.code) in q.answers and q.answers[answers[q.code]] is not None
        )
        for d in DIMENSIONS
    }
    return Scores(
        version=table.version,
        economic=dims["economic"],
        social=dims["social"],
        psychosocial=dims["psychosocial"],
        composite=composite,
        answered=answered,
    )


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 4)
