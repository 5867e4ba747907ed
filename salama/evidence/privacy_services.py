"""Publishing differentially private tables against a privacy-loss (ε) budget.

Each organisation's cases are one dataset with a budget (setting SALAMA_DP_BUDGET, default 2.0).
A table's ε is added to the ledger in the same transaction that computes it, under a lock on
the organisation, and a table whose ε would take the ledger past the budget is refused before
anything is computed. The ledger only grows: the budget is for the dataset's lifetime.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from salama.accounts.models import Organisation
from salama.core import audit
from salama.core.policy import NotPermitted, Principal, require_perm
from salama.core.roles import Perm
from salama.evidence import privacy
from salama.evidence import release as anon
from salama.evidence.release_data import raw_case_rows
from salama.evidence.release_models import PrivacyLedgerEntry

DATASET = "cases"
MAX_EPSILON = 10.0
# OpenDP's privacy map may state an ε a few billionths above the one asked for (float rounding).
TOLERANCE = 1e-6


def budget() -> float:
    """The ε budget of each organisation's case dataset (SALAMA_DP_BUDGET, default 2.0)."""
    return float(getattr(settings, "SALAMA_DP_BUDGET", 2.0))


def spent(organisation: Any, dataset: str = DATASET) -> float:
    total = PrivacyLedgerEntry.objects.filter(organisation=organisation, dataset=dataset).aggregate(
        total=Sum("epsilon")
    )["total"]
    return float(total or 0.0)


def budget_allows(already: float, epsilon: float, limit: float) -> bool:
    """True when spending ``epsilon`` more keeps the ledger within ``limit``."""
    return epsilon > 0 and already + epsilon <= limit + TOLERANCE


@transaction.atomic
def publish_dp_table(
    *,
    actor: Principal,
    dimensions: list[str],
    epsilon: float,
    measure: str = "count",
) -> PrivacyLedgerEntry:
    """Compute a differentially private table of the actor's organisation's cases, spending ε."""
    require_perm(actor, Perm.RELEASE_REQUEST)
    if actor.organisation is None:
        raise NotPermitted
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
    if not (0 < epsilon <= MAX_EPSILON):
        raise ValidationError({"epsilon": [_("Choose ε above 0 and at most 10.")]})
    already = spent(organisation)
    if not budget_allows(already, epsilon, budget()):
        raise ValidationError(
            {
                "epsilon": [
                    _(
                        "This table would spend ε = %(eps)s but only %(left)s of the budget "
                        "of %(budget)s is left. Ask for a smaller ε."
                    )
                    % {
                        "eps": f"{epsilon:g}",
                        "left": f"{max(budget() - already, 0):.3g}",
                        "budget": f"{budget():g}",
                    }
                ]
            }
        )
    raw = raw_case_rows(organisation.pk)
    table = anon.generalise(raw)
    try:
        if measure == "count":
            result = privacy.count_table(table, list(dimensions), epsilon)
        else:
            result = privacy.sum_table(
                table, raw.get(measure, pd.Series(dtype=float)), measure, list(dimensions), epsilon
            )
    except privacy.PrivacyRefused as exc:
        raise ValidationError({"dimensions": [str(exc)]}) from None
    if not budget_allows(already, result["epsilon"], budget()):  # pragma: no cover - rounding
        raise ValidationError({"epsilon": [_("Ask for a slightly smaller ε.")]})
    entry = PrivacyLedgerEntry.objects.create(
        organisation=organisation,
        dataset=DATASET,
        epsilon=result["epsilon"],
        measure=result["measure"],
        dimensions=list(dimensions),
        result=result,
        created_by=actor.user,
    )
    audit.record(
        "evidence.dp_table_published",
        actor=actor.user,
        obj=entry,
        organisation=organisation,
        changes={
            "epsilon": (None, result["epsilon"]),
            "measure": (None, result["measure"]),
            "spent": (already, already + result["epsilon"]),
        },
    )
    return entry
