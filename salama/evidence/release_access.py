"""Who may see anonymised releases: the organisation's members who may request or approve them.

Registered for ``evidence.anonymisedrelease`` from the app's ready(). A release of another
organisation is a 404, like any record that is not yours.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salama.core.policy import (
    Principal,
    ensure,
    get_or_404,
    has_any_perm,
    in_organisation,
    register,
)
from salama.core.roles import Perm
from salama.evidence.release_models import AnonymisedRelease

RELEASE_PERMS = (Perm.RELEASE_REQUEST, Perm.RELEASE_APPROVE)


def may_see_releases(principal: Principal | None) -> bool:
    return in_organisation(principal) and has_any_perm(principal, *RELEASE_PERMS)


def visible_releases(principal: Principal | None) -> QuerySet[AnonymisedRelease]:
    if not may_see_releases(principal):
        return AnonymisedRelease.objects.none()
    assert principal is not None
    return AnonymisedRelease.objects.filter(organisation=principal.organisation)


def access_release(principal: Principal | None, release_id: Any) -> AnonymisedRelease:
    return get_or_404(
        visible_releases(principal).select_related("requested_by", "decided_by"), pk=release_id
    )


def ensure_release(actor: Principal | None, release: AnonymisedRelease, *perms: str) -> None:
    ensure(actor, release, *perms, rule=visible_releases)


def register_release_rules() -> None:
    register(AnonymisedRelease, visible_releases)
    register_release_panel()


def register_release_panel() -> None:
    """The home page of those who request or approve releases links to them (core.home).

    Links only, no read: the home page's statement budget stays as it is."""
    from salama.core import home

    home.register_panel(
        "evidence.releases",
        perm=Perm.RELEASE_REQUEST,
        reader=lambda principal: {},
        template="evidence/release/panel.html",
        order=930,
    )
