"""Organisations, staff users and their memberships with roles."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from salama.core import htcds
from salama.core.countries import country_choices, validate_country
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
