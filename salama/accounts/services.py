"""Every write to organisations, users, memberships, invitations and tokens: one transaction,
audited.

Permission changes (roles, memberships, two-factor resets, tokens) are audited with old and new
values; none of them is identifying data about a data subject. An invitation's email address is
recorded by field name only.

Nobody is attached to an organisation by someone else: an administrator *invites* an email
address, and a membership exists only once the person who controls that address has accepted
(logged in as it, or created their account through the link).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.accounts.models import (
    INVITATION_DAYS,
    ApiToken,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    User,
    invitation_email_digest,
    invitation_token_digest,
)
from salama.core import audit, keys
from salama.core.models import DataKey
from salama.core.policy import Principal, get_or_404, has_perm
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


# Invitations -----------------------------------------------------------------------------------


class InvitationError(ValidationError):
    """An invitation link that cannot be used (unknown, used, revoked or expired)."""


def visible_invitations(principal: Principal | None) -> QuerySet[Invitation]:
    """Invitations an administrator may see: their own organisation's (all for system)."""
    qs = Invitation.objects.select_related("organisation", "data_key", "invited_by")
    if has_perm(principal, Perm.SYSTEM_MANAGE):
        return qs
    if principal is not None and principal.organisation is not None:
        if has_perm(principal, Perm.ORG_MANAGE_USERS):
            return qs.filter(organisation=principal.organisation)
    return qs.none()


def access_invitation(principal: Principal | None, invitation_id: Any) -> Invitation:
    return get_or_404(visible_invitations(principal), id=invitation_id)


def _normalise_email(email: str) -> str:
    email = email.strip().lower()
    validate_email(email)
    return email


def _invitation_link(token: str) -> str:
    # The configured address, never the request's Host header: a forged Host must not turn
    # the link in the email into one that delivers the token elsewhere.
    base = str(settings.SALAMA_BASE_URL).rstrip("/")
    return f"{base}{reverse('accounts:invitation-open', args=[token])}"


def _send_invitation(invitation: Invitation, token: str, email: str) -> None:
    """The email with the link, sent after commit. It reads the same for a new address and for
    one that has an account, so nothing about accounts shows in it or in how it is sent."""
    context = {
        "organisation": invitation.organisation.name,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by.full_name if invitation.invited_by else "",
        "link": _invitation_link(token),
        "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _close_invitation(
    invitation: Invitation, status: str, *, by: User | None, now: Any = None
) -> None:
    """Settle an invitation for good: its link stops working and the address is destroyed."""
    invitation.status = status
    invitation.closed_at = now or timezone.now()
    invitation.closed_by = by
    invitation.email, invitation.email_digest = "", ""
    invitation.save(
        update_fields=["status", "closed_at", "closed_by", "email", "email_digest", "membership"]
    )
    keys.shred(invitation.data_key)


@transaction.atomic
def invite_member(
    *,
    actor: Principal,
    organisation: Organisation,
    email: str,
    role: str,
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite whoever controls `email` to work for `organisation` as `role`.

    Nobody becomes a member here: the invitee accepts through the emailed link. Whether the
    address has an account is never looked up, so the answer is the same either way.
    Audited as invitation.create (the address by field name only).
    """
    _require_manage(actor, organisation)
    _check_grantable(actor, role)
    try:
        email = _normalise_email(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address.")) from None
    # Only the administrator's own members are looked at, and they see those on the list anyway.
    if Membership.objects.filter(
        organisation=organisation, user__email=email, is_active=True
    ).exists():
        raise ValidationError(
            _("%(email)s is already a member of %(org)s.")
            % {"email": email, "org": organisation.name}
        )
    digest = invitation_email_digest(email)
    now = timezone.now()
    earlier = (
        Invitation.objects.select_for_update()
        .select_related("data_key")
        .filter(organisation=organisation, email_digest=digest, status=InvitationStatus.PENDING)
        .first()
    )
    if earlier is not None:
        if not earlier.is_overdue(now):
            raise ValidationError(
                _(
                    "%(email)s already has a pending invitation to %(org)s. Send it again or "
                    "revoke it in the list of invitations."
                )
                % {"email": email, "org": organisation.name}
            )
        _close_invitation(earlier, InvitationStatus.EXPIRED, by=None, now=now)
        audit.record(
            "invitation.expire",
            actor=actor.user,
            obj=earlier,
            organisation=organisation,
            changes={"status": (InvitationStatus.PENDING, InvitationStatus.EXPIRED)},
            request=request,
        )
    key = DataKey.new()
    key.save()
    token, token_digest = Invitation.new_token()
    invitation = Invitation(
        organisation=organisation,
        role=role,
        data_key=key,
        email_digest=digest,
        token_digest=token_digest,
        invited_by=actor.user,
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    invitation.email = email
    invitation.save()
    audit.record(
        "invitation.create",
        actor=actor.user,
        obj=invitation,
        organisation=organisation,
        fields=["email"],
        changes={"role": (None, role), "status": (None, InvitationStatus.PENDING)},
        request=request,
    )
    _send_invitation(invitation, token, email)
    return invitation


@transaction.atomic
def resend_invitation(
    *, actor: Principal, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """Send a pending invitation again with a new link and a new expiry; the old link dies."""
    _require_manage(actor, invitation.organisation)
    _check_grantable(actor, invitation.role)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(
            _("This invitation was %(status)s; only a pending invitation can be sent again.")
            % {"status": invitation.get_status_display().lower()}
        )
    now = timezone.now()
    token, invitation.token_digest = Invitation.new_token()
    invitation.sent_at, invitation.expires_at = now, now + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["token_digest", "sent_at", "expires_at"])
    audit.record(
        "invitation.resend",
        actor=actor.user,
        obj=invitation,
        organisation=invitation.organisation,
        request=request,
    )
    _send_invitation(invitation, token, invitation.email)
    return invitation


@transaction.atomic
def revoke_invitation(
    *, actor: Principal, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """Withdraw a pending invitation: its link stops working and the address is destroyed."""
    _require_manage(actor, invitation.organisation)
    invitation = (
        Invitation.objects.select_for_update().select_related("data_key").get(pk=invitation.pk)
    )
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(
            _("This invitation was %(status)s already.")
            % {"status": invitation.get_status_display().lower()}
        )
    _close_invitation(invitation, InvitationStatus.REVOKED, by=actor.user)
    audit.record(
        "invitation.revoke",
        actor=actor.user,
        obj=invitation,
        organisation=invitation.organisation,
        changes={"status": (InvitationStatus.PENDING, InvitationStatus.REVOKED)},
        request=request,
    )
    return invitation


def find_invitation(token: str, *, lock: bool = False) -> Invitation:
    """The invitation a link's token opens, if it can still be accepted.

    Raises InvitationError saying why not: unknown, used, revoked or expired.
    """
    qs = Invitation.objects.select_related("organisation", "data_key", "invited_by")
    if lock:
        # The invitation row only: invited_by is an outer join, which PostgreSQL cannot lock.
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(token_digest=invitation_token_digest(token or "")).first()
    if invitation is None:
        raise InvitationError(
            _(
                "This invitation link is not valid. Open the whole link from the most recent "
                "invitation email; an invitation sent again has a new link."
            ),
            code="unknown",
        )
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationError(
            _("This invitation was accepted already: its link works once. Log in instead."),
            code="accepted",
        )
    if invitation.status == InvitationStatus.REVOKED or not invitation.organisation.is_active:
        raise InvitationError(
            _(
                "This invitation was withdrawn. Ask the organisation’s administrator if you think "
                "it should not have been."
            ),
            code="revoked",
        )
    if invitation.status == InvitationStatus.EXPIRED or invitation.is_overdue():
        raise InvitationError(
            _(
                "This invitation has expired. Ask the administrator who invited you to send it "
                "again."
            ),
            code="expired",
        )
    return invitation


def _accept(invitation: Invitation, user: User, request: HttpRequest | None) -> Membership:
    organisation = invitation.organisation
    membership = (
        Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    )
    if membership is not None and membership.is_active:
        raise ValidationError(
            _("You are already a member of %(org)s. Ask its administrator to change your role.")
            % {"org": organisation.name}
        )
    old_role = membership.role if membership else None
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=invitation.role)
    membership.role, membership.is_active = invitation.role, True
    membership.save()
    invitation.membership = membership
    _close_invitation(invitation, InvitationStatus.ACCEPTED, by=user)
    audit.record(
        "invitation.accept",
        actor=user,
        obj=invitation,
        organisation=organisation,
        changes={"status": (InvitationStatus.PENDING, InvitationStatus.ACCEPTED)},
        request=request,
    )
    audit.record(
        "membership.grant",
        actor=user,
        obj=membership,
        organisation=organisation,
        changes={
            "role": (old_role, invitation.role),
            "user": (None, str(user.uuid)),
            "invitation": (None, str(invitation.id)),
        },
        request=request,
    )
    return membership


@transaction.atomic
def accept_invitation(*, user: User, token: str, request: HttpRequest | None = None) -> Membership:
    """Make `user` a member as invited, once they are logged in as the invited address.

    The session keeps acting for the organisation it acted for: accepting adds a membership
    and switches nothing. Audited as invitation.accept and membership.grant.
    """
    invitation = find_invitation(token, lock=True)
    if not user.is_active or user.email.strip().lower() != invitation.email:
        raise PermissionDenied(
            _(
                "This invitation is for another email address. Log in with the address the "
                "invitation was sent to."
            )
        )
    return _accept(invitation, user, request)


@transaction.atomic
def register_invited_user(
    *, token: str, full_name: str, password: str, request: HttpRequest | None = None
) -> User:
    """Create the account of an invited address that has none, and accept the invitation.

    Proving control of the address (the link) is what creates the account; two-factor
    enrolment follows at the first log-in as for everyone.
    """
    invitation = find_invitation(token, lock=True)
    email = invitation.email
    if User.objects.filter(email=email).exists():
        raise ValidationError(
            _(
                "An account with this email address exists already. Log in with it to accept "
                "the invitation."
            )
        )
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError(_("Enter your full name."))
    user = User(email=email, full_name=full_name)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(
        "user.create",
        actor=user,
        obj=user,
        organisation=invitation.organisation,
        fields=["email", "full_name"],
        changes={"invitation": (None, str(invitation.id))},
        request=request,
    )
    _accept(invitation, user, request)
    return user


@transaction.atomic
def change_role(
    *, actor: Principal, membership: Membership, role: str, request: HttpRequest | None = None
) -> Membership:
    """Give a member another role in the same organisation.

    Only the member's sessions acting for this organisation end; an organisation administrator
    cannot change a system administrator's membership.
    """
    _require_manage(actor, membership.organisation)
    _check_grantable(actor, role)
    if membership.role not in ORG_GRANTABLE_ROLES and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied(_("Only a system administrator can change this role."))
    _require_not_system_admin(actor, membership)
    _keep_an_administrator(membership, new_role=role)
    old = membership.role
    membership.role = role
    membership.session_epoch += 1
    membership.save(update_fields=["role", "session_epoch"])
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
    """End a membership: its sessions and its API tokens end with it, nothing else of the user.

    An organisation administrator cannot end a system administrator's membership.
    """
    _require_manage(actor, membership.organisation)
    if membership.role not in ORG_GRANTABLE_ROLES and not has_perm(actor, Perm.SYSTEM_MANAGE):
        raise PermissionDenied(_("Only a system administrator can end this membership."))
    _require_not_system_admin(actor, membership)
    if not membership.is_active:
        raise ValidationError(_("This membership is already inactive."))
    _keep_an_administrator(membership, new_role=None)
    membership.is_active = False
    membership.session_epoch += 1
    membership.save(update_fields=["is_active", "session_epoch"])
    audit.record(
        "membership.revoke",
        actor=actor.user,
        obj=membership,
        organisation=membership.organisation,
        changes={"is_active": (True, False)},
        request=request,
    )
    # A membership granted again later must not bring its old tokens back to life.
    _revoke_tokens(
        ApiToken.objects.filter(membership=membership),
        actor=actor.user,
        reason="membership_ended",
        request=request,
    )
    return membership


def may_manage_membership(actor: Principal, membership: Membership) -> bool:
    """Whether `actor` may change or end `membership` (the pages offer the buttons only then)."""
    if membership.role not in ORG_GRANTABLE_ROLES and not has_perm(actor, Perm.SYSTEM_MANAGE):
        return False
    try:
        _require_manage(actor, membership.organisation)
        _require_not_system_admin(actor, membership)
    except PermissionDenied:
        return False
    return True


def _require_not_system_admin(actor: Principal, membership: Membership) -> None:
    """A system administrator's memberships are changed by system administrators only."""
    if has_perm(actor, Perm.SYSTEM_MANAGE):
        return
    user = membership.user
    if user.is_superuser or user.is_staff or membership.role == Role.SYSTEM_ADMIN:
        raise PermissionDenied(
            _("Only a system administrator can change a system administrator’s membership.")
        )


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
    # Whoever holds the lost phone may hold the user's tokens too.
    _revoke_tokens(
        ApiToken.objects.filter(membership__user=membership.user),
        actor=actor.user,
        reason="two_factor_reset",
        request=request,
    )
    return removed


@transaction.atomic
def logout_everywhere(*, user: User, request: HttpRequest | None = None) -> None:
    """End every session of `user`, this one included, and revoke every API token of theirs."""
    _end_sessions(user)
    audit.record("auth.logout_everywhere", actor=user, obj=user, request=request)
    _revoke_tokens(
        ApiToken.objects.filter(membership__user=user),
        actor=user,
        reason="logout_everywhere",
        request=request,
    )


def _revoke_tokens(
    tokens: QuerySet[ApiToken], *, actor: User, reason: str, request: HttpRequest | None
) -> int:
    """Revoke the live tokens among `tokens`, one audit entry each (in its organisation)."""
    now = timezone.now()
    live = list(
        tokens.filter(revoked_at__isnull=True, expires_at__gt=now).select_related(
            "membership__organisation"
        )
    )
    for token in live:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(
            "api_token.revoke",
            actor=actor,
            obj=token,
            organisation=token.membership.organisation,
            changes={"reason": (None, reason)},
            request=request,
        )
    return len(live)


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
def set_preferred_language(
    *, user: User, language: str, request: HttpRequest | None = None
) -> bool:
    """Remember the language the user chose on the pages, so what Salama sends them by email
    (reminders, notifications) reaches them in it. Returns whether it changed."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("Choose one of the languages Salama offers."))
    if user.preferred_language == language:
        return False
    before = user.preferred_language
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    audit.record(
        "user.language",
        actor=user,
        obj=user,
        changes={"preferred_language": (before, language)},
        request=request,
    )
    return True


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
    """Act for another of the user's memberships from now on; new sessions start there too."""
    from salama.accounts.middleware import remember_membership

    try:
        membership = user.active_memberships().filter(uuid=membership_uuid).first()
    except ValidationError:  # not a UUID at all: refused like another user's membership
        membership = None
    if membership is None:
        raise PermissionDenied
    remember_membership(request.session, membership)
    user.last_membership = membership
    user.save(update_fields=["last_membership"])
    audit.record(
        "session.switch_organisation",
        actor=user,
        obj=membership,
        organisation=membership.organisation,
        request=request,
    )
    return membership
