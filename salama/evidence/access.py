"""Who sees which figures, and how exactly.

- A caseworker or supervisor (``case.view``) sees the dashboard of her own organisation, with
  exact counts: she can read those cases anyway.
- A data officer, an organisation administrator (``stats.view`` without ``case.view``) sees her
  organisation's figures as aggregates only: a count under the deployment's k
  (``SALAMA_EVIDENCE_MIN_CELL``, default 11) shows as "fewer than k", and so does any total or
  average drawn from it.
- Deployment-wide figures (every organisation, with an organisation filter) are for a system
  administrator and for the data officers of the organisations listed in
  ``SALAMA_EVIDENCE_DEPLOYMENT_ORGANISATIONS`` (names or UUIDs); always as aggregates only, even
  when filtered to one's own organisation.
- A service provider sees no dashboard: the referrals received are on her inbox already.

An export is visible to the person who asked for it, and to nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from salama.core.policy import Principal, has_any_perm, has_perm, register
from salama.core.roles import Perm

DEFAULT_MIN_CELL = 11


def min_cell() -> int:
    return int(getattr(settings, "SALAMA_EVIDENCE_MIN_CELL", DEFAULT_MIN_CELL))


def deployment_organisations() -> frozenset[str]:
    raw = getattr(settings, "SALAMA_EVIDENCE_DEPLOYMENT_ORGANISATIONS", ()) or ()
    return frozenset(str(item).strip() for item in raw if str(item).strip())


@dataclass(frozen=True)
class Scope:
    """The organisations a principal's figures cover, and whether small counts are shown."""

    organisation_ids: tuple[int, ...] | None  # None: every organisation of the deployment
    exact: bool
    deployment: bool  # may look across organisations and filter by one
    k: int
    identifying: bool  # may export identifying columns (case references, assignees)


def may_see_dashboard(principal: Principal | None) -> bool:
    return has_any_perm(principal, Perm.CASE_VIEW, Perm.STATS_VIEW)


def has_deployment_view(principal: Principal | None) -> bool:
    if principal is None:
        return False
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return True
    org = principal.organisation
    if org is None or not has_perm(principal, Perm.STATS_VIEW):
        return False
    granted = deployment_organisations()
    return org.name in granted or str(org.uuid) in granted


def dashboard_scope(principal: Principal | None, organisation_id: int | None = None) -> Scope:
    """The scope of `principal`'s figures, narrowed to `organisation_id` where they may choose;
    PermissionDenied for a principal with no dashboard (a service provider, an unverified
    session)."""
    if principal is None or not may_see_dashboard(principal):
        raise PermissionDenied
    k = min_cell()
    if has_deployment_view(principal):
        ids = (organisation_id,) if organisation_id is not None else None
        return Scope(ids, exact=False, deployment=True, k=k, identifying=False)
    org = principal.organisation
    if org is None:
        raise PermissionDenied
    exact = has_perm(principal, Perm.CASE_VIEW)
    return Scope((org.pk,), exact=exact, deployment=False, k=k, identifying=exact)


def visible_exports(principal: Principal | None) -> QuerySet[Any]:
    from salama.evidence.dashboard_models import ExportJob

    if principal is None or not may_see_dashboard(principal):
        return ExportJob.objects.none()
    org = principal.organisation
    if org is None:
        return ExportJob.objects.none()
    # Only the requester, and only through the membership she asked through.
    return ExportJob.objects.filter(requested_by_id=principal.user.pk, organisation_id=org.pk)


def register_rules() -> None:
    register("evidence.exportjob", visible_exports)
