"""The accounts app's panel on the home page: an administrator's members and invitations."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from salama.accounts import queries
from salama.core import home
from salama.core.policy import Principal
from salama.core.roles import Perm, Role


def members(principal: Principal) -> dict[str, Any]:
    url = reverse("accounts:member-list")
    return {
        "counts": queries.member_counts(principal),
        "members_url": url,
        "invitations_url": f"{url}#inv-h",
        "invite_url": f"{url}#add-h",
    }


def register_panels() -> None:
    home.register_panel(
        "accounts.members",
        perm=Perm.ORG_MANAGE_USERS,
        roles=(Role.ORG_ADMIN,),
        reader=members,
        template="accounts/panels/members.html",
        order=10,
    )
