"""The access engine: who is acting, what their role allows, and which records they may reach.

Deny by default. A request acts as a *principal*: one user, in one organisation (the active
membership), with that membership's role, narrowed further by an API token's scopes.

This module holds only the engine. Each domain app states who may see its records in its own
``access.py`` and registers a *visibility rule* per model here (``register``), from its
``AppConfig.ready``; core never imports a domain app. Two ways in:

- pages and the API fetch through the app's ``access_*`` helpers, which raise ``Http404`` both for
  a missing record and for one the principal may not see, so nobody can probe for existence;
- services call :func:`ensure` with the actor and the record before they act, because imports,
  field submissions, matching and commands call services with no view in front of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from salama.core.roles import TWO_FACTOR_ROLES, Perm, Role, permissions_for

_M = TypeVar("_M", bound=Model)


class _Membership(Protocol):
    """What the engine reads of a membership (the model lives in the accounts app)."""

    role: str

    @property
    def organisation(self) -> Any: ...

    @property
    def permissions(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user through one membership, possibly narrowed by token scopes."""

    user: Any  # salama.accounts.models.User
    membership: Any  # salama.accounts.models.Membership | None
    verified: bool  # passed two-factor (or came with an API token of a verified set-up)
    scopes: frozenset[str] | None = None  # None: a browser session, not narrowed
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def organisation(self) -> Any:
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
        return bool(self.user.is_superuser) or (self.role in TWO_FACTOR_ROLES)


def principal_for(request: HttpRequest) -> Principal | None:
    cached: Principal | None = getattr(request, "_salama_principal", None)
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


def request_principal(request: HttpRequest, *perms: str) -> Principal:
    """Who acts in `request`, holding every one of `perms`; PermissionDenied otherwise.

    Pages and the API both call this: the API's authentication leaves its principal (a token's
    or a verified session's) in ``request.auth``; a page's comes from the session.
    """
    auth = getattr(request, "auth", None)
    principal = auth if isinstance(auth, Principal) else principal_for(request)
    if principal is None or any(p not in principal.permissions for p in perms):
        raise PermissionDenied
    return principal


def has_perm(principal: Principal | None, perm: str) -> bool:
    return principal is not None and perm in principal.permissions


def has_any_perm(principal: Principal | None, *perms: str) -> bool:
    return principal is not None and any(p in principal.permissions for p in perms)


def require_perm(principal: Principal | None, perm: str) -> Principal:
    """Raise PermissionDenied unless the principal holds `perm` (for pages, not objects)."""
    if principal is None or perm not in principal.permissions:
        raise PermissionDenied
    return principal


def require_any_perm(principal: Principal | None, *perms: str) -> Principal:
    if principal is None or not has_any_perm(principal, *perms):
        raise PermissionDenied
    return principal


def in_organisation(principal: Principal | None) -> bool:
    """Acting for an organisation at all (a membership is active)."""
    return principal is not None and principal.organisation is not None


def get_or_404(queryset: QuerySet[_M], **lookup: Any) -> _M:
    """One object of an already-restricted queryset; 404 when absent, hidden or malformed."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404("Not found") from None


# The registry -----------------------------------------------------------------------------------

VisibilityRule = Callable[[Principal | None], QuerySet[Any]]
_RULES: dict[str, VisibilityRule] = {}


def _label(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label_lower


def register(model: type[Model] | str, rule: VisibilityRule) -> None:
    """Declare which rows of `model` a principal may see (called from the app's ready())."""
    _RULES[_label(model)] = rule


def visible(principal: Principal | None, model: type[Model] | str) -> QuerySet[Any]:
    """The rows of `model` visible to the principal, by the rule its app registered.

    A model whose app registered no rule has no visible rows: deny by default.
    """
    label = _label(model)
    rule = _RULES.get(label)
    if rule is None:
        from django.apps import apps

        return apps.get_model(label)._default_manager.none()
    return rule(principal)


def registered_models() -> list[str]:
    return sorted(_RULES)


class NotPermitted(PermissionDenied):
    """The actor may not act on this record (a service's own check refused it)."""


def ensure(
    actor: Principal | None,
    record: Model,
    *perms: str,
    rule: VisibilityRule | None = None,
) -> None:
    """Refuse unless the actor holds every one of `perms` and may see `record`.

    Services call this before they act: the record must be among the rows the registered rule
    (or the `rule` given, for a narrower view such as a referral's recipient) lets the actor see.
    """
    if actor is None or any(p not in actor.permissions for p in perms):
        raise NotPermitted
    source = rule(actor) if rule is not None else visible(actor, type(record))
    if record.pk is None or not source.filter(pk=record.pk).exists():
        raise NotPermitted


def ensure_any(actor: Principal | None, record: Model, *perms: str) -> None:
    """Like ensure, when any one of `perms` suffices."""
    if not has_any_perm(actor, *perms):
        raise NotPermitted
    ensure(actor, record)


# Core's own records ----------------------------------------------------------------------------


def visible_audit_entries(principal: Principal | None) -> QuerySet[Any]:
    from salama.core.models import AuditEntry

    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return AuditEntry.objects.all()
    if (
        principal is not None
        and in_organisation(principal)
        and has_perm(principal, Perm.AUDIT_VIEW)
    ):
        return AuditEntry.objects.filter(organisation_id=principal.organisation.pk)
    return AuditEntry.objects.none()


register("core.auditentry", visible_audit_entries)
