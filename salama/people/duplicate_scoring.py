"""A hook for scoring the duplicate warning's candidates with a trained matching model.

The people app knows nothing of the matching app (it sits higher in the import order): matching
registers a scorer from its AppConfig.ready. With none registered, or when a scorer answers None
(no model trained for the organisation), the warning keeps the search's own scores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Scorer = Callable[[Any, Mapping[str, Any], Sequence[Any]], "list[Any] | None"]

_SCORERS: list[Scorer] = []


def register(scorer: Scorer) -> None:
    if scorer not in _SCORERS:
        _SCORERS.append(scorer)


def rescore(actor: Any, query: Mapping[str, Any], candidates: Sequence[Any]) -> list[Any]:
    """The candidates as the first scorer that answers scores them, else unchanged."""
    for scorer in _SCORERS:
        scored = scorer(actor, query, candidates)
        if scored is not None:
            return scored
    return list(candidates)
