"""The registration warning scored with the organisation's current trained model.

Registered with ``people.duplicate_scoring`` from the app's ready(). When the organisation has a
current ``MatchModel``, each candidate the search found is scored as a pair with the person
about to be registered (``engine.score_pair``: pure Python on the stored m and u, no Splink),
and its score becomes the model's match probability. With no model, the search's scores stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from salama.matching import engine
from salama.matching.models import MatchModel

# The candidate's reasons gain this code when the model scored it.
MODEL_REASON = "match_model"


def rescore(actor: Any, query: Mapping[str, Any], candidates: Sequence[Any]) -> list[Any] | None:
    organisation = getattr(actor, "organisation", None)
    if organisation is None or not candidates:
        return None
    model = MatchModel.objects.filter(organisation=organisation, is_current=True).first()
    if model is None or not model.parameters.get("comparisons"):
        return None
    from salama.core import crypto
    from salama.matching import features

    dob = query.get("date_of_birth")
    record = dict(query) | {
        "id": "query",
        "birth_date_accuracy": "exact" if isinstance(dob, dt.date) else "",
    }
    people = [c.person for c in candidates]
    rows = features.rows_from_records(
        [record, *features.person_records(people)], crypto.token_hash
    ).to_dict("records")
    left = rows[0]
    scored = []
    for candidate, right in zip(candidates, rows[1:], strict=True):
        score = engine.score_pair(model.parameters, left, right)
        scored.append(
            replace(
                candidate,
                score=round(score.probability, 4),
                reasons=tuple(dict.fromkeys((*candidate.reasons, MODEL_REASON))),
            )
        )
    return scored
