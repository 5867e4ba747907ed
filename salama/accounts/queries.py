"""What the accounts pages read besides the lists in their views: the home page's counts."""

from __future__ import annotations

from dataclasses import dataclass

from salama.accounts.models import Invitation, InvitationStatus, Membership
from salama.core.policy import Principal, require_perm
from salama.core.roles import Perm


@dataclass(frozen=True)
class MemberCounts:
    """The organisation's active members and its pending invitations (as the members page
    lists them: not yet accepted or revoked, expired ones included)."""

    members: int
    invitations: int


def member_counts(principal: Principal | None) -> MemberCounts:
    """Counted for the principal's organisation (PermissionDenied without org.manage_users)."""
    principal = require_perm(principal, Perm.ORG_MANAGE_USERS)
    org = principal.organisation
    if org is None:
        return MemberCounts(0, 0)
    members = Membership.objects.filter(organisation=org, is_active=True).count()
    invitations = Invitation.objects.filter(
        organisation=org, status=InvitationStatus.PENDING
    ).count()
    return MemberCounts(members=members, invitations=invitations)
