"""Organisations, staff users and their memberships with roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from salama.core import crypto, htcds
from salama.core.countries import country_choices, validate_country
from salama.core.fields import EncryptedTextField
from salama.core.models import DataKey
from salama.core.roles import TWO_FACTOR_ROLES, Role, permissions_for

# HTCDS org_Type codes, plus two project extensions HTCDS lacks (international organisations
# such as IOM or UNHCR, and "other"); see docs/architecture.md.
ORG_TYPE_EXTENSIONS = [
    ("InternationalOrganisation", _("International organisation")),
    ("Other", _("Other")),
]


def org_type_choices() -> list[tuple[str, Any]]:
    return [*htcds.value_set("org_Type"), *ORG_TYPE_EXTENSIONS]


class Organisation(models.Model):
    """An organisation that works cases, provides services, or both."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    org_type = models.CharField(_("type"), max_length=40, choices=org_type_choices)
    country = models.CharField(
        _("country"), max_length=2, choices=country_choices, validators=[validate_country]
    )
    reference_prefix = models.CharField(
        _("case reference prefix"),
        max_length=12,
        help_text=_("Letters that start this organisation's case references, e.g. NGOA."),
    )
    retention_days = models.PositiveIntegerField(
        _("retention after closure (days)"),
        default=365 * 5,
        help_text=_("Closed cases are erased this many days after closure."),
    )
    reassignment_needs_approval = models.BooleanField(
        _("reassignment needs supervisor approval"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The organisation's own data key, for what it writes about itself rather than about a
    # person (a fund's ledger notes). Wrapped by the KEK like a person's; created on first use.
    data_key = models.OneToOneField(
        DataKey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_data_key(self) -> bytes:
        """The organisation's data key, created (and claimed race-free) the first time."""
        if self.data_key_id is None:
            with transaction.atomic():
                key = DataKey.new()
                key.save()
                claimed = Organisation.objects.filter(pk=self.pk, data_key__isnull=True).update(
                    data_key=key
                )
                if claimed:
                    self.data_key = key
                else:  # another request created one first: use theirs
                    key.delete()
                    self.refresh_from_db(fields=["data_key"])
        assert self.data_key is not None
        return self.data_key.unwrap()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff who logs in with an email address."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access: system administrators only.
    is_staff = models.BooleanField(_("system administrator"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    # Bumping the epoch changes the session hash and so ends every session ("log out everywhere").
    session_epoch = models.PositiveIntegerField(default=0)
    # The membership the user last chose to act for; a new session starts there (see
    # default_membership), so a membership added later never takes over on its own.
    last_membership = models.ForeignKey(
        "Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "salama.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    def active_memberships(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(is_active=True, organisation__is_active=True).select_related(
            "organisation"
        )

    def default_membership(self) -> Membership | None:
        """The membership a new session acts for: the one last chosen, else the oldest."""
        memberships = self.active_memberships()
        if self.last_membership_id is not None:
            last = memberships.filter(pk=self.last_membership_id).first()
            if last is not None:
                return last
        return memberships.order_by("created_at", "pk").first()

    def requires_two_factor(self) -> bool:
        if self.is_superuser or self.is_staff:
            return True
        return any(m.role in TWO_FACTOR_ROLES for m in self.active_memberships())


class Membership(models.Model):
    """A user's role in one organisation; a user may belong to several organisations."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped when the role changes or the membership ends: sessions acting for this membership
    # (and only those) are then logged out by ActiveMembershipMiddleware.
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="accounts_membership_unique_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.role) if self.is_active else frozenset()


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A scoped, expiring bearer token for an integration acting as one membership."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_secret() -> tuple[str, str, str]:
        """Returns (full token shown once, prefix, digest stored)."""
        prefix = secrets.token_hex(4)
        secret = f"slm_{prefix}_{secrets.token_urlsafe(32)}"
        return secret, prefix, _token_digest(secret)

    @classmethod
    def find(cls, secret: str) -> ApiToken | None:
        token = (
            cls.objects.select_related("membership__user", "membership__organisation")
            .filter(digest=_token_digest(secret))
            .first()
        )
        if token is None or not token.is_usable():
            return None
        return token

    def is_usable(self) -> bool:
        membership = self.membership
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and membership.is_active
            and membership.user.is_active
            and membership.organisation.is_active
        )


# Invitations -----------------------------------------------------------------------------------

INVITATION_DAYS = 7


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


def invitation_token_digest(token: str) -> str:
    return hashlib.sha256(f"salama-invitation\x00{token}".encode()).hexdigest()


def invitation_email_digest(email: str) -> str:
    """Keyed hash of a normalised email address: finds a pending invitation, reveals nothing."""
    normalised = email.strip().lower()
    return hmac.new(
        crypto.index_key(), f"invitation-email\x00{normalised}".encode(), hashlib.sha256
    ).hexdigest()


class Invitation(models.Model):
    """An organisation's offer of a role to whoever controls an email address, until accepted.

    The address is personal data: it is stored encrypted under the invitation's own data key,
    destroyed once the invitation is accepted, revoked or replaced, and found through a keyed
    hash. The link's token is stored only as a hash.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    email = EncryptedTextField(_("email address"), max_length_plain=254)
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    closed_at = models.DateTimeField(null=True, blank=True)
    # Who accepted or revoked it.
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email_digest"],
                condition=models.Q(status="pending"),
                name="accounts_invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation {self.id} to {self.organisation}"

    def get_data_key(self) -> bytes:
        return self.data_key.unwrap()

    @staticmethod
    def new_token() -> tuple[str, str]:
        """Returns (token sent in the link, digest stored)."""
        token = secrets.token_urlsafe(32)
        return token, invitation_token_digest(token)

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def shown_status(self) -> str:
        """The status as the people involved see it: a pending invitation past its date expired."""
        if self.status == InvitationStatus.PENDING and self.is_overdue():
            return InvitationStatus.EXPIRED
        return self.status
