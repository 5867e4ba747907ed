"""The service directory, referrals with their packets, transfers, alerts and notifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.countries import country_choices, validate_country
from salama.core.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from salama.core.taxonomy import ServiceType
from salama.referrals.choices import (
    NotificationKind,
    OpenItems,
    ReferralStatus,
    TransferStatus,
    Urgency,
)

OPEN_STATUSES = (
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DELIVERED,
)
FINAL_STATUSES = (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN)


class Provider(models.Model):
    """An organisation in the directory: one with Salama users, or an external one reached by email."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="provider"
    )
    is_external = models.BooleanField(
        _("external (no Salama users)"),
        default=False,
        help_text=_("Referrals reach it as an encrypted, expiring download link by email."),
    )
    contact_email = models.EmailField(_("email for referrals"), blank=True)
    managed_by = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="managed_providers",
        help_text=_("The organisation whose administrators keep this entry up to date."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_external=True, contact_email=""),
                name="referrals_provider_external_has_email",
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def country(self) -> str:
        return self.organisation.country


class Service(models.Model):
    """One service a provider offers: what, where, for whom, how much room, and its SLA."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("service type"), max_length=32, choices=ServiceType.choices)
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(
        _("country"), max_length=2, choices=country_choices, validators=[validate_country]
    )
    area = models.CharField(_("administrative area"), max_length=120, blank=True)
    languages = models.JSONField(_("languages (ISO 639)"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    sexes = models.JSONField(_("for sex (empty: anyone)"), default=list, blank=True)
    case_types = models.JSONField(_("for case types (empty: all)"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (places)"), null=True, blank=True)
    available = models.PositiveIntegerField(_("places available now"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of the service type."),
    )
    accept_days = models.PositiveSmallIntegerField(
        _("days to accept or decline"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of the service type."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country", "area", "name"]
        indexes = [
            models.Index(
                fields=["service_type", "country", "is_active"], name="referrals_service_find_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("referrals:service-detail", args=[self.uuid])


class Referral(models.Model):
    """One referral of a case's person to a service, carrying the packet consented and chosen."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Readable and unique: <sender prefix>-REF-<year>-<number>, never equal to a case reference;
    # shown instead of the id.
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Who the recipient calls: the referring caseworker's work phone and email (not the person's).
    sender_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    sender_email = models.EmailField(_("contact email"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(
        "people.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    state_table_version = models.CharField(max_length=8, default="1")
    version = models.PositiveIntegerField(default=1)
    is_cross_border = models.BooleanField(_("cross-border"), default=False)
    service_type = models.CharField(max_length=32, choices=ServiceType.choices)
    # Keys only (no values): which catalogue entries the packet carries.
    packet_fields = models.JSONField(default=list)
    # The snapshot taken at sending, so the recipient never reads live case records.
    packet = EncryptedJSONField(_("packet"))
    purpose_note = EncryptedTextField(_("purpose of the referral"), max_length_plain=2000)
    emergency_override = models.BooleanField(default=False)
    override_reason = EncryptedTextField(_("emergency override reason"), max_length_plain=2000)
    decline_reason = EncryptedTextField(_("reason for declining"), max_length_plain=2000)
    withdraw_reason = EncryptedTextField(_("reason for withdrawing"), max_length_plain=2000)
    delivery_note = EncryptedTextField(_("service delivered"), max_length_plain=2000)
    delivered_on = EncryptedDateField(_("delivered on"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sla_acknowledge_days = models.PositiveSmallIntegerField(default=2)
    sla_accept_days = models.PositiveSmallIntegerField(default=5)
    due_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The case plan item this referral delivers, if any (salama.cases.plan_links).
    plan_item = models.ForeignKey(
        "cases.PlanItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["to_organisation", "status"], name="referrals_ref_inbox_idx"),
            models.Index(fields=["from_organisation", "status"], name="referrals_ref_sent_idx"),
            models.Index(fields=["status", "due_at"], name="referrals_ref_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.short_id}"

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()

    @property
    def uuid(self) -> uuid.UUID:
        return self.id

    @property
    def short_id(self) -> str:
        """What people read and quote: the reference (the id's start only before it is set)."""
        return self.reference or str(self.id)[:8]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.due_at is not None and moment > self.due_at  # type: ignore[operator]


class ExternalDownload(models.Model):
    """A referral packet for an external provider, readable only with the emailed token.

    The packet is encrypted under a key derived from the token (HKDF), and only a hash of the
    token is stored, so the database alone cannot read it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="download")
    token_hash = models.CharField(max_length=64, unique=True)
    salt = models.BinaryField(max_length=16)
    ciphertext = models.BinaryField(null=True)
    expires_at = models.DateTimeField()
    max_downloads = models.PositiveSmallIntegerField(default=1)
    downloads = models.PositiveSmallIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    wiped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Download for {self.referral_id}"


class ReferralOverdueAlert(models.Model):
    """The one alert sent when a referral stage passed its deadline (never twice per stage)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="alerts")
    stage = models.CharField(max_length=16, choices=ReferralStatus.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "stage"], name="referrals_alert_unique_referral_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} overdue at {self.stage}"


class CaseTransfer(models.Model):
    """A request to hand a whole case to another organisation, which takes it on by accepting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transfers")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="transfers_in"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(
        "people.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    version = models.PositiveIntegerField(default=1)
    is_cross_border = models.BooleanField(_("cross-border"), default=False)
    packet_fields = models.JSONField(default=list)
    packet = EncryptedJSONField(_("packet"))
    reason = EncryptedTextField(_("reason for the transfer"), max_length_plain=2000)
    # The sender's choice for the case's open assistance items on its funds; blank when the case
    # had none at the request (any opened since are then kept, never cancelled unasked).
    open_items = models.CharField(
        _("open assistance items"), max_length=8, choices=OpenItems.choices, blank=True
    )
    decline_reason = EncryptedTextField(_("reason for declining"), max_length_plain=2000)
    old_reference = models.CharField(max_length=40)
    new_reference = models.CharField(max_length=40, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="referrals_transfer_one_pending_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Transfer {self.short_id}"

    def get_data_key(self) -> bytes:
        return self.person.get_data_key()

    @property
    def uuid(self) -> uuid.UUID:
        return self.id

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]


class Notification(models.Model):
    """An in-app message to one user about a referral or transfer; it never holds personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    transfer = models.ForeignKey(
        CaseTransfer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300)
    # What the message says, composed in the reader's language (notification_texts); `message`
    # keeps the text as first composed, for rows from before the codes.
    code = models.CharField(max_length=32, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="referrals_notif_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}"

    @property
    def shown_message(self) -> str:
        """The message in the active language; the stored text if it has no code."""
        from salama.referrals.notification_texts import render

        return render(self.code, self.params, self.referral) or self.message


class ReferralCounter(models.Model):
    """The last referral number a sending organisation used in a year (for readable references)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="referrals_counter_unique_org_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class ReferralMessage(models.Model):
    """A message between the sending and the receiving organisation about one referral.

    The body is encrypted under the person's key (it is about them); notifications and audit
    entries name the referral only.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    body = EncryptedTextField(_("message"), max_length_plain=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"], name="referrals_msg_thread_idx")]

    def __str__(self) -> str:
        return f"Message on {self.referral_id}"

    def get_data_key(self) -> bytes:
        return self.referral.person.get_data_key()


class ServiceDeliveryRecord(models.Model):
    """The receiving organisation's own record of a referral it handled, kept when the referral
    closes (and with it the packet's access): service, dates, outcome, the reference and a
    pseudonymous label, never a value from the packet."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="delivery_records"
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="delivery_record"
    )
    reference = models.CharField(_("reference"), max_length=40)
    client_label = models.CharField(_("client label"), max_length=24)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("service type"), max_length=32, choices=ServiceType.choices)
    from_organisation_name = models.CharField(_("referred by"), max_length=200)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReferralStatus.choices)
    received_at = models.DateTimeField(_("received"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("service delivered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-closed_at"]
        indexes = [
            models.Index(fields=["organisation", "-closed_at"], name="referrals_delivery_org_idx")
        ]

    def __str__(self) -> str:
        return f"Delivery record {self.reference}"
