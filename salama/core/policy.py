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
        return cached
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
    # "Before any case exists": once a case exists (in any organisation, e.g. after a transfer)
    # only the case decides who sees the person.
    any_case = Case.objects.filter(person=OuterRef("pk"))
    registered_here = Q(registered_by=org) & Q(~Exists(any_case))
    if not has_perm(principal, Perm.CASE_VIEW_ALL):
        registered_here &= Q(created_by=principal.user)
    return Person.objects.filter(Q(Exists(cases)) | registered_here, erased_at__isnull=True)


def access_person(principal: Principal | None, person_id: Any, *, for_write: bool = False) -> Any:
    person = get_or_404(visible_people(principal).select_related("data_key"), id=person_id)
    if for_write and not has_perm(principal, Perm.PERSON_CHANGE):
        raise Http404("Not found")
    return person


# Referrals, the service directory and case transfers -----------------------------------------
#
# A referral's receiving organisation sees the referral packet (a snapshot of the fields chosen
# and consented), never the case or the person: visible_cases and visible_people above do not
# include recipients. Its members with referral.receive read the packet only while the referral
# is open; once it is completed, declined or withdrawn they keep a bare list entry (status,
# service, dates) and nothing else. Senders see the referrals of cases they can see.


def _referral_open_statuses() -> tuple[str, ...]:
    from salama.referrals.models import OPEN_STATUSES

    return tuple(OPEN_STATUSES)


def can_view_directory(principal: Principal | None) -> bool:
    """The directory names shelters and their places: only people who refer or provide see it."""
    return any(
        has_perm(principal, p)
        for p in (
            Perm.REFERRAL_SEND,
            Perm.REFERRAL_RECEIVE,
            Perm.ORG_MANAGE_SETTINGS,
            Perm.SYSTEM_MANAGE,
        )
    )


def visible_services(principal: Principal | None) -> QuerySet[Any]:
    from salama.referrals.models import Service

    if not can_view_directory(principal):
        return Service.objects.none()
    return Service.objects.select_related("provider__organisation")


def manageable_providers(principal: Principal | None) -> QuerySet[Any]:
    """Directory entries an organisation administrator keeps: their own and those they added."""
    from django.db.models import Q

    from salama.referrals.models import Provider

    qs = Provider.objects.select_related("organisation", "managed_by")
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return qs
    if principal is None or principal.organisation is None:
        return qs.none()
    if not has_perm(principal, Perm.ORG_MANAGE_SETTINGS):
        return qs.none()
    org = principal.organisation
    return qs.filter(Q(organisation=org) | Q(managed_by=org))


def access_managed_service(principal: Principal | None, service_uuid: Any) -> Any:
    from salama.referrals.models import Service

    return get_or_404(
        Service.objects.select_related("provider__organisation").filter(
            provider__in=manageable_providers(principal)
        ),
        uuid=service_uuid,
    )


def visible_referrals_received(principal: Principal | None) -> QuerySet[Any]:
    """Referrals to the principal's organisation, for members with referral.receive.

    Closed referrals stay listed as bare entries; only access_referral_packet opens a packet.
    """
    from salama.referrals.models import Referral

    if (
        principal is None
        or principal.organisation is None
        or not has_perm(principal, Perm.REFERRAL_RECEIVE)
    ):
        return Referral.objects.none()
    return Referral.objects.filter(to_organisation=principal.organisation).defer(
        "packet",
        "purpose_note",
        "override_reason",
        "decline_reason",
        "withdraw_reason",
        "delivery_note",
        "delivered_on",
    )


def access_referral_packet(principal: Principal | None, referral_id: Any) -> Any:
    """An open referral received by the principal's organisation, packet included; else 404."""
    from salama.referrals.models import Referral

    if (
        principal is None
        or principal.organisation is None
        or not has_perm(principal, Perm.REFERRAL_RECEIVE)
    ):
        raise Http404("Not found")
    qs = Referral.objects.filter(
        to_organisation=principal.organisation, status__in=_referral_open_statuses()
    ).select_related("person__data_key", "service__provider__organisation", "from_organisation")
    return get_or_404(qs, id=referral_id)


def visible_referrals_sent(principal: Principal | None) -> QuerySet[Any]:
    """Referrals the principal's organisation sent from cases the principal can see."""
    from salama.referrals.models import Referral

    if principal is None or principal.organisation is None:
        return Referral.objects.none()
    return Referral.objects.filter(
        from_organisation=principal.organisation, case__in=visible_cases(principal)
    )


def access_referral_sent(principal: Principal | None, referral_id: Any) -> Any:
    return get_or_404(
        visible_referrals_sent(principal).select_related(
            "person__data_key", "case", "service__provider__organisation", "to_organisation"
        ),
        id=referral_id,
    )


def visible_referrals_board(principal: Principal | None) -> QuerySet[Any]:
    """The supervisors' pipeline: referrals their organisation sent or received, without packets."""
    from django.db.models import Q

    from salama.referrals.models import Referral

    if (
        principal is None
        or principal.organisation is None
        or not has_perm(principal, Perm.CASE_VIEW_ALL)
    ):
        return Referral.objects.none()
    org = principal.organisation
    return Referral.objects.filter(Q(from_organisation=org) | Q(to_organisation=org)).defer(
        "packet", "purpose_note", "override_reason", "decline_reason", "withdraw_reason"
    )


def visible_transfers(principal: Principal | None) -> QuerySet[Any]:
    """Transfers into or out of the principal's organisation, for those who may transfer cases."""
    from django.db.models import Q

    from salama.referrals.models import CaseTransfer

    if (
        principal is None
        or principal.organisation is None
        or not has_perm(principal, Perm.CASE_TRANSFER)
    ):
        return CaseTransfer.objects.none()
    org = principal.organisation
    return CaseTransfer.objects.filter(
        Q(from_organisation=org) | Q(to_organisation=org)
    ).select_related("from_organisation", "to_organisation", "person__data_key")


def access_transfer(principal: Principal | None, transfer_id: Any) -> Any:
    """A transfer of the principal's organisation. The receiving side reads its packet only
    while it is pending; the sending side reads it while it can still see the case."""
    return get_or_404(visible_transfers(principal), id=transfer_id)


def visible_notifications(principal: Principal | None) -> QuerySet[Any]:
    from salama.referrals.models import Notification

    if principal is None or principal.organisation is None:
        return Notification.objects.none()
    return Notification.objects.filter(user=principal.user, organisation=principal.organisation)


def access_transfer_packet(principal: Principal | None, transfer_id: Any) -> Any:
    """A transfer with its packet: for the receiving side only while it is pending, for the
    sending side only while the principal can still see the case."""
    from django.db.models import Q

    from salama.referrals.choices import TransferStatus

    org = principal.organisation if principal is not None else None
    if org is None:
        raise Http404("Not found")
    receiving = Q(to_organisation=org, status=TransferStatus.PENDING)
    sending = Q(from_organisation=org, case__in=visible_cases(principal))
    return get_or_404(visible_transfers(principal).filter(receiving | sending), id=transfer_id)


# Assistance and funds ------------------------------------------------------------------------
#
# Funds are seen by their organisation's approvers and fund managers. Items are seen through a
# visible case, or, for fund managers who do not work cases, through a visible fund (its ledger
# shows case references and amounts, never descriptions).


def may_see_funds(principal: Principal | None) -> bool:
    return has_perm(principal, Perm.FUND_MANAGE) or has_perm(principal, Perm.ASSISTANCE_APPROVE)


def visible_funds(principal: Principal | None) -> QuerySet[Any]:
    from salama.assistance.models import Fund

    if principal is None or principal.organisation is None or not may_see_funds(principal):
        return Fund.objects.none()
    return Fund.objects.filter(organisation=principal.organisation)


def access_fund(principal: Principal | None, fund_uuid: Any) -> Any:
    return get_or_404(visible_funds(principal).select_related("organisation"), uuid=fund_uuid)


def visible_items(principal: Principal | None) -> QuerySet[Any]:
    from django.db.models import Q

    from salama.assistance.models import AssistanceItem

    if principal is None or principal.organisation is None:
        return AssistanceItem.objects.none()
    through_case = Q(case__in=visible_cases(principal))
    if has_perm(principal, Perm.FUND_MANAGE):
        through_case |= Q(fund__organisation=principal.organisation)
    return AssistanceItem.objects.filter(through_case)


def access_item(principal: Principal | None, item_id: Any) -> Any:
    return get_or_404(
        visible_items(principal).select_related(
            "case__person__data_key", "case__organisation", "fund", "requested_by"
        ),
        id=item_id,
    )


def approval_queue(principal: Principal | None) -> QuerySet[Any]:
    """Requested items of visible cases waiting for someone allowed to approve them."""
    from salama.assistance.choices import ItemStatus
    from salama.assistance.models import AssistanceItem

    if not has_perm(principal, Perm.ASSISTANCE_APPROVE):
        return AssistanceItem.objects.none()
    return (
        AssistanceItem.objects.filter(
            case__in=visible_cases(principal), status=ItemStatus.REQUESTED
        )
        .select_related("case__person__data_key", "fund", "requested_by", "provider_organisation")
        .order_by("requested_at", "id")
    )
