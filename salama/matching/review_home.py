"""The supervisor's home: how many possible duplicates wait for review (left out when none)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salama.core import home
from salama.core.policy import Principal
from salama.core.roles import Perm


def duplicates(principal: Principal) -> Mapping[str, Any] | None:
    from salama.matching.review_queries import pending_count

    pending = pending_count(principal)
    return {"pending": pending} if pending else None


def register_panels() -> None:
    home.register_panel(
        "matching.duplicates",
        perm=Perm.MATCHING_REVIEW,
        reader=duplicates,
        template="matching/panels/duplicates.html",
        order=45,
    )
