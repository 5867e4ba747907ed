"""Every write to organisations, users, memberships and tokens: one transaction, audited.

Permission changes (roles, memberships, two-factor resets, tokens) are audited with old and new
values; none of them is identifying data about a data subject.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts.models import ApiToken, Membership, Organisation, User
from salama.core import audit
from salama.core.policy import Principal, has_perm
from salama.core.roles import ORG_GRANTABLE_ROLES, Perm, Role


def _require_manage(actor: Principal, organisation: Organisation) -> None:
    if has_perm(actor, Perm.SYSTEM_MANAGE):
        return
    if not has_perm(actor, Perm.ORG_MANAGE_USERS) or actor.organisation != organisation:
        raise PermissionDenied(_("You cannot manage the users of this organisation."))


def _check_grantable(actor: Principal, role: str) -> None:
    if role not in Role.values:
        raise ValidationError(_("“%(role)s” is not a role.") % {"role": role})
    if role not in ORG_GRANTABLE_ROLES and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied(_("Only a system administrator can grant this role."))


@transaction.atomic
def create_organisation(
    *,
    actor: Principal | None,
    name: str,
    org_type: str,
    country: str,
    reference_prefix: str,
    request: HttpRequest | None = None,
) -> Organisation:
    if actor is not None and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied(_("Only a system administrator can create organisations."))
    organisation = Organisation(
        name=name, org_type=org_type, country=country, reference_prefix=reference_prefix.upper()
    )
    organisation.full_clean()
    organisation.save()
    audit.record(
        "organisation.create",
        actor=actor.user if actor else None,
        obj=organisation,
        organisation=organisation,
        changes={"name": (None, name), "country": (None, country), "org_type": (None, org_type)},
        request=request,
    )
    return organisation


@transaction.atomic
def add_member(
    *,
    actor: Principal | None,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    request: HttpRequest | None = None,
) -> tuple[Membership, bool]:
    """Give `email` a role in `organisation`, creating the user when new.

    Returns (membership, user_created). A new user has no usable password until they set one
    through the link they are sent.
    """
    if actor is not None:
        _require_manage(actor, organisation)
        _check_grantable(actor, role)
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is not None and membership.is_active:
        raise ValidationError(
            _("%(email)s is already a member of %(org)s.")
            % {"email": email, "org": organisation.name}
        )
    old_role = membership.role if membership else None
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
    membership.role, membership.is_active = role, True
    membership.save()
    audit.record(
        "membership.grant",
        actor=actor.user if actor else None,
        obj=membership,
        organisation=organisation,
        changes={"role": (old_role, role), "user": (None, str(user.uuid))},
        request=request,
    )
    return membership, created


@transaction.atomic
def change_role(
    *, actor: Principal, membership: Membership, role: str, request: HttpRequest | None = None
) -> Membership:
    _require_manage(actor, membership.organisation)
    _check_grantable(actor, role)
    if membership.role not in ORG_GRANTABLE_ROLES and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied(_("Only a system administrator can change this role."))
    _keep_an_administrator(membership, new_role=role)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _end_sessions(membership.user)
    audit.record(
        "membership.change_role",
        actor=actor.user,
        obj=membership,
        organisation=membership.organisation,
        changes={"role": (old, role)},
        request=request,
    )
    return membership


@transaction.atomic
def deactivate_membership(
    *, actor: Principal, membership: Membership, request: HttpRequest | None = None
) -> Membership:
    _require_manage(actor, membership.organisation)
    if membership.role not in ORG_GRANTABLE_ROLES and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied(_("Only a system administrator can end this membership."))
    if not membership.is_active:
        raise ValidationError(_("This membership is already inactive."))
    _keep_an_administrator(membership, new_role=None)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _end_sessions(membership.user)
    audit.record(
        "membership.revoke",
        actor=actor.user,
        obj=membership,
        organisation=membership.organisation,
        changes={"is_active": (True, False)},
        request=request,
    )
    return membership


def _require_whole_user(actor: Principal, membership: Membership) -> None:
    """Refuse changes to a user's account that would reach beyond the actor's organisation."""
    if has_perm(actor, Perm.SYSTEM_MANAGE):
        return
    user = membership.user
    elsewhere = user.active_memberships().exclude(organisation=membership.organisation).exists()
    if user.is_superuser or user.is_staff or elsewhere:
        raise PermissionDenied(
            _("This person also works elsewhere; ask a system administrator to do this.")
        )


def _keep_an_administrator(membership: Membership, *, new_role: str | None) -> None:
    if membership.role != Role.ORG_ADMIN or new_role == Role.ORG_ADMIN:
        return
    others = Membership.objects.filter(
        organisation=membership.organisation, role=Role.ORG_ADMIN, is_active=True
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(
            _("%(org)s would have no administrator left. Make someone else administrator first.")
            % {"org": membership.organisation.name}
        )


def _end_sessions(user: User) -> None:
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])


@transaction.atomic
def reset_two_factor(
    *, actor: Principal, membership: Membership, request: HttpRequest | None = None
) -> int:
    """Remove a member's authenticators (lost phone); they must enrol again at next login.

    Authenticators belong to the user, not the membership: for a user who also works in another
    organisation, or administers the system, only a system administrator may reset them.
    """
    _require_manage(actor, membership.organisation)
    _require_whole_user(actor, membership)
    removed = 0
    for device in devices_for_user(membership.user, confirmed=None):
        device.delete()
        removed += 1
    _end_sessions(membership.user)
    audit.record(
        "two_factor.reset",
        actor=actor.user,
        obj=membership.user,
        organisation=membership.organisation,
        changes={"devices": (removed, 0)},
        request=request,
    )
    return removed


@transaction.atomic
def logout_everywhere(*, user: User, request: HttpRequest | None = None) -> None:
    """End every session of `user`, this one included."""
    _end_sessions(user)
    audit.record("auth.logout_everywhere", actor=user, obj=user, request=request)


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created once and reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(
    *, user: User, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> bool:
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit.record("two_factor.enrol", actor=user, obj=user, request=request)
    return True


@transaction.atomic
def set_password(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record("auth.password_change", actor=user, obj=user, request=request)


@transaction.atomic
def create_api_token(
    *,
    actor: Principal,
    name: str,
    scopes: list[str],
    days: int = 90,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A token for the actor's own membership; scopes cannot exceed what the role grants."""
    if actor.membership is None:
        raise PermissionDenied(_("Choose an organisation before creating a token."))
    if not 1 <= days <= 365:
        raise ValidationError(_("A token lasts between 1 and 365 days."))
    granted = actor.permissions
    excess = sorted(set(scopes) - granted)
    if excess:
        raise ValidationError(
            _("Your role does not grant these scopes: %(scopes)s") % {"scopes": ", ".join(excess)}
        )
    if not scopes:
        raise ValidationError(_("Choose at least one scope."))
    secret, prefix, digest = ApiToken.new_secret()
    token = ApiToken.objects.create(
        membership=actor.membership,
        name=name,
        prefix=prefix,
        digest=digest,
        scopes=sorted(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        "api_token.create",
        actor=actor.user,
        obj=token,
        organisation=actor.organisation,
        changes={"scopes": (None, sorted(scopes)), "days": (None, days)},
        request=request,
    )
    return token, secret


@transaction.atomic
def revoke_api_token(
    *, actor: Principal, token: ApiToken, request: HttpRequest | None = None
) -> None:
    if token.membership.user_id != actor.user.pk and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        "api_token.revoke",
        actor=actor.user,
        obj=token,
        organisation=token.membership.organisation,
        request=request,
    )


@transaction.atomic
def switch_organisation(*, user: User, membership_uuid: str, request: HttpRequest) -> Membership:
    from salama.accounts.middleware import SESSION_MEMBERSHIP_KEY

    try:
        membership = user.active_memberships().filter(uuid=membership_uuid).first()
    except ValidationError:  # not a UUID at all: refused like another user's membership
        membership = None
    if membership is None:
        raise PermissionDenied
    request.session[SESSION_MEMBERSHIP_KEY] = str(membership.uuid)
    audit.record(
        "session.switch_organisation",
        actor=user,
        obj=membership,
        organisation=membership.organisation,
        request=request,
    )
    return membership
