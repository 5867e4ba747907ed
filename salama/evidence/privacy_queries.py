"""Reads of the differentially private tables shared by the pages and the API: the ε ledger of
the caller's organisation, its published tables, and which cells of a table stand above its
95 % error bound. Only those who may request releases (``release.request``) read them; a table
of another organisation is a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from salama.core.policy import Principal, get_or_404, require_perm
from salama.core.roles import Perm
from salama.evidence import privacy_services as services
from salama.evidence.release_models import PrivacyLedgerEntry

# The published columns a table may be counted by (the codebook's names) and what it may publish.
DIMENSIONS = [
    "yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
    "CountryOfExploitation", "isForcedLabour", "isSexualExploitation", "isOtherExploit",
]  # fmt: skip
MEASURES = ("count", "duration_months")
MAX_DIMENSIONS = 3


def dp_principal(principal: Principal | None) -> Principal:
    """The principal, when she may publish and read DP tables of her organisation."""
    principal = require_perm(principal, Perm.RELEASE_REQUEST)
    if principal.organisation is None:
        raise PermissionDenied
    return principal


def ledger(organisation: Any) -> dict[str, float]:
    """The organisation's case dataset's ε budget, what is spent and what is left."""
    used = services.spent(organisation)
    return {"budget": services.budget(), "spent": used, "left": max(services.budget() - used, 0)}


def visible_dp_tables(principal: Principal | None) -> QuerySet[PrivacyLedgerEntry]:
    principal = dp_principal(principal)
    return PrivacyLedgerEntry.objects.filter(organisation=principal.organisation)


def access_dp_table(principal: Principal | None, entry_id: Any) -> PrivacyLedgerEntry:
    return get_or_404(visible_dp_tables(principal), pk=entry_id)


def cells_above_bound(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells whose noisy value is at least the table's 95 % error bound."""
    return [cell for cell in result["cells"] if cell["value"] >= result["accuracy"]]
