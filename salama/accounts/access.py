"""Who may see organisations and memberships: administrators, their own organisation's only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salama.accounts.models import Membership, Organisation
from salama.core.policy import Principal, get_or_404, has_perm, in_organisation, register
from salama.core.roles import Perm


def visible_memberships(principal: Principal | None) -> QuerySet[Membership]:
    """Memberships an administrator may manage: their own organisation's (all for system)."""
    qs = Membership.objects.select_related("user", "organisation")
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return qs
    if in_organisation(principal) and has_perm(principal, Perm.ORG_MANAGE_USERS):
        assert principal is not None
        return qs.filter(organisation=principal.organisation)
    return qs.none()


def access_membership(principal: Principal | None, membership_uuid: Any) -> Membership:
    return get_or_404(visible_memberships(principal), uuid=membership_uuid)


def visible_organisations(principal: Principal | None) -> QuerySet[Organisation]:
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return Organisation.objects.all()
    if principal is None or principal.organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=principal.organisation.pk)


def register_rules() -> None:
    register(Membership, visible_memberships)
    register(Organisation, visible_organisations)
