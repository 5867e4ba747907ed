"""The factor analysis as the page and the API read it: who may ask, which rows, which k.

Data officers and organisation administrators (``release.request``) analyse their own
organisation's cases; the rows carry flags and a country, never an identifying value. Only 2×2
tables whose four cells reach the deployment's k are estimated (``salama.evidence.factors``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from salama.core.policy import Principal, require_perm
from salama.core.roles import Perm
from salama.evidence import factors
from salama.evidence.release_data import factor_rows
from salama.evidence.release_services import min_k
from salama.screening.labels import FACTOR_LABELS, INDICATOR_LABELS

OUTCOME_DEFAULT = "isSexualExploitation"


@dataclass
class FactorAnalysis:
    outcome: str
    k: int
    cases: int
    results: list[factors.OddsRatio] = field(default_factory=list)
    withheld: list[factors.Withheld] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return factors.summary_rows(self.results, self.labels)

    @property
    def withheld_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "factor": self.labels.get(w.factor, w.factor),
                "code": w.factor,
                "region": w.region,
                "region_name": factors.region_name(w.region),
                "level": w.level,
            }
            for w in self.withheld
        ]


def labels() -> dict[str, str]:
    """Each factor column's label in the language of the request."""
    found = {f"ilo:{code}": str(text) for code, text in INDICATOR_LABELS.items()}
    found.update({f"domv:{code}": str(text) for code, text in FACTOR_LABELS.items()})
    return found


def factor_analysis(principal: Principal | None, outcome: str = "") -> FactorAnalysis:
    """The odds ratios of the principal's organisation's cases for ``outcome``.

    PermissionDenied for a role that may not request releases."""
    principal = require_perm(principal, Perm.RELEASE_REQUEST)
    if principal.organisation is None:
        raise PermissionDenied
    outcome = outcome or OUTCOME_DEFAULT
    rows = factor_rows(principal.organisation.pk)
    k = min_k()
    columns = [c for c in rows.columns if c.startswith(("ilo:", "domv:"))] if len(rows) else []
    found = factors.analyse(rows, columns, outcome, k) if columns else factors.Analysis()
    return FactorAnalysis(
        outcome=outcome,
        k=k,
        cases=len(rows),
        results=found.results,
        withheld=found.withheld,
        labels=labels(),
    )
