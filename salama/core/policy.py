"""The access policy: who may see and do what. Every view and API endpoint asks this module.

Deny by default. A request acts as a *principal*: one user, in one organisation (the active
membership), with that membership's role, narrowed further by an API token's scopes. Queryset
helpers (``visible_*``) restrict what a principal may list; fetchers (``access_*``) raise
``Http404`` both for a missing object and for one the principal may not see, so nobody can probe
whether a record exists.

Object rules for each domain live here too, so one file answers "who can see this?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from salama.core.roles import TWO_FACTOR_ROLES, Perm, Role, permissions_for

_M = TypeVar("_M", bound=Model)

if TYPE_CHECKING:
    from salama.accounts.models import Membership, Organisation, User


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user through one membership, possibly narrowed by token scopes."""

    user: User
    membership: Membership | None
    verified: bool  # passed two-factor (or came with an API token of a verified set-up)
    scopes: frozenset[str] | None = None  # None: a browser session, not narrowed
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def permissions(self) -> frozenset[str]:
        if not self.user.is_active:
            return frozenset()
        perms: frozenset[str] = self.membership.permissions if self.membership else frozenset()
        if self.user.is_superuser:
            perms = perms | permissions_for(Role.SYSTEM_ADMIN)
        # An unverified session of a role that needs two factors gets nothing at all.
        if not self.verified and self.needs_two_factor:
            return frozenset()
        if self.scopes is not None:
            perms = perms & self.scopes
        return perms

    @property
    def needs_two_factor(self) -> bool:
        return self.user.is_superuser or (self.role in TWO_FACTOR_ROLES)


def principal_for(request: HttpRequest) -> Principal | None:
    cached = getattr(request, "_salama_principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    verified = bool(getattr(user, "is_verified", lambda: False)())
    principal = Principal(
        user=user, membership=getattr(request, "membership", None), verified=verified
    )
    request._salama_principal = principal  # type: ignore[attr-defined]
    return principal


def has_perm(principal: Principal | None, perm: str) -> bool:
    return principal is not None and perm in principal.permissions


def require_perm(principal: Principal | None, perm: str) -> Principal:
    """Raise PermissionDenied unless the principal holds `perm` (for pages, not objects)."""
    if principal is None or perm not in principal.permissions:
        raise PermissionDenied
    return principal


def get_or_404(queryset: QuerySet[_M], **lookup: Any) -> _M:
    """One object of an already-restricted queryset; 404 when absent, hidden or malformed."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404("Not found") from None


# Organisations, users and memberships ------------------------------------------------------------


def visible_memberships(principal: Principal | None) -> QuerySet[Membership]:
    """Memberships an administrator may manage: their own organisation's (all for system)."""
    from salama.accounts.models import Membership

    qs = Membership.objects.select_related("user", "organisation")
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return qs
    if principal is not None and has_perm(principal, Perm.ORG_MANAGE_USERS):
        return qs.filter(organisation=principal.organisation)
    return qs.none()


def access_membership(principal: Principal | None, membership_uuid: Any) -> Membership:
    return get_or_404(visible_memberships(principal), uuid=membership_uuid)


def visible_organisations(principal: Principal | None) -> QuerySet[Organisation]:
    from salama.accounts.models import Organisation

    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return Organisation.objects.all()
    if principal is None or principal.organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=principal.organisation.pk)


def visible_audit_entries(principal: Principal | None) -> QuerySet[Any]:
    from salama.core.models import AuditEntry

    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return AuditEntry.objects.all()
    if principal is not None and has_perm(principal, Perm.AUDIT_VIEW):
        return AuditEntry.objects.filter(organisation_id=principal.organisation.pk)  # type: ignore[union-attr]
    return AuditEntry.objects.none()


# People and cases ----------------------------------------------------------------------------
#
# A case is visible to its organisation's supervisors (case.view_all) and to the caseworker it is
# assigned to. A person is visible through a visible case of theirs, or, before any case exists,
# to the organisation that registered them (its supervisors and the caseworker who registered
# them). Referral recipients see only referral packets, never these querysets.


def visible_cases(principal: Principal | None) -> QuerySet[Any]:
    from salama.cases.models import Case

    if (
        principal is None
        or principal.organisation is None
        or not has_perm(principal, Perm.CASE_VIEW)
    ):
        return Case.objects.none()
    qs = Case.objects.filter(organisation=principal.organisation)
    if has_perm(principal, Perm.CASE_VIEW_ALL):
        return qs
    return qs.filter(assigned_to=principal.user)


def access_case(principal: Principal | None, case_id: Any, *, for_write: bool = False) -> Any:
    case = get_or_404(visible_cases(principal).select_related("person__data_key"), id=case_id)
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return case


def visible_people(principal: Principal | None) -> QuerySet[Any]:
    from django.db.models import Exists, OuterRef, Q

    from salama.cases.models import Case
    from salama.people.models import Person

    if (
        principal is None
        or principal.organisation is None
        or not has_perm(principal, Perm.PERSON_VIEW)
    ):
        return Person.objects.none()
    org = principal.organisation
    cases = visible_cases(principal).filter(person=OuterRef("pk"))
    org_case = Case.objects.filter(person=OuterRef("pk"), organisation=org)
    registered_here = Q(registered_by=org) & ~Exists(org_case)
    if not has_perm(principal, Perm.CASE_VIEW_ALL):
        registered_here &= Q(created_by=principal.user)
    return Person.objects.filter(Q(Exists(cases)) | registered_here, erased_at__isnull=True)


def access_person(principal: Principal | None, person_id: Any, *, for_write: bool = False) -> Any:
    person = get_or_404(visible_people(principal).select_related("data_key"), id=person_id)
    if for_write and not has_perm(principal, Perm.PERSON_CHANGE):
        raise Http404("Not found")
    return person
