"""Funds that hold money in one currency, their ledger, and assistance items on cases."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.assistance import rules
from salama.assistance.choices import FundKind, ItemStatus, MovementKind
from salama.core.fields import EncryptedTextField
from salama.core.taxonomy import ServiceType

ZERO = Decimal("0.00")


def _money(verbose_name: Any = None, **kwargs: Any) -> Any:
    """An amount of money: up to 12 digits before the decimal point and exactly two after."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Fund(models.Model):
    """Money an organisation holds in one currency for direct assistance, with running totals."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="funds"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=FundKind.choices)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    approval_threshold = _money(
        _("approval threshold"),
        help_text=_("Above this amount a second person must approve; never the requester."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Running totals, changed only by the services while the row is locked (select_for_update).
    deposited = _money(_("deposited"), default=ZERO, editable=False)
    committed = _money(_("committed"), default=ZERO, editable=False)
    disbursed = _money(_("disbursed"), default=ZERO, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="assistance_fund_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(deposited__gte=0) & Q(committed__gte=0) & Q(disbursed__gte=0),
                name="assistance_fund_totals_not_negative",
            ),
            # The last line of defence: the available balance can never go below zero.
            models.CheckConstraint(
                condition=Q(deposited__gte=F("committed") + F("disbursed")),
                name="assistance_fund_never_overdrawn",
            ),
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=0),
                name="assistance_fund_threshold_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assistance:fund-detail", args=[self.uuid])

    @property
    def available(self) -> Decimal:
        return rules.available(self.deposited, self.committed, self.disbursed)

    @property
    def is_last_resort(self) -> bool:
        return self.kind == FundKind.LAST_RESORT


class AssistanceItem(models.Model):
    """One piece of direct assistance for the person of a case, possibly paid from a fund."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="assistance_items"
    )
    service_type = models.CharField(_("service type"), max_length=32, choices=ServiceType.choices)
    description = EncryptedTextField(_("description"), max_length_plain=2000)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_cost = _money(_("unit cost"))
    amount = _money(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    service_date = models.DateField(_("date"))
    provider_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider (organisation)"),
    )
    # An external provider's name can reveal where a person is sheltered: encrypted.
    provider_name = EncryptedTextField(_("provider (external)"), max_length_plain=200)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    justification = EncryptedTextField(_("justification"), max_length_plain=4000)
    alternatives_checked = models.BooleanField(
        _("national and regional alternatives checked"), null=True, blank=True
    )
    alternatives_note = EncryptedTextField(_("alternatives checked (which)"), max_length_plain=2000)
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(_("reason"), max_length_plain=2000)
    paid_amount = _money(_("amount paid"), null=True, blank=True)
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disbursed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = EncryptedTextField(_("reason for cancelling"), max_length_plain=2000)
    # The case plan item this item delivers, if any (salama.cases.plan_links).
    plan_item = models.ForeignKey(
        "cases.PlanItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("assistance item")
        verbose_name_plural = _("assistance items")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="assistance_item_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0) & Q(amount__gte=0),
                name="assistance_item_amount_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-requested_at"], name="assistance_item_case_idx"),
            models.Index(fields=["status", "requested_at"], name="assistance_item_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Assistance item {self.id}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def provider_label(self) -> str:
        if self.provider_organisation_id:
            return str(self.provider_organisation)
        return str(self.provider_name or "")

    @property
    def is_open(self) -> bool:
        return self.status in (ItemStatus.REQUESTED, ItemStatus.APPROVED)


class FundMovement(models.Model):
    """One entry in a fund's ledger: a deposit, commitment, release or disbursement."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    amount = _money(_("amount"))
    available_after = _money(_("available after"))
    item = models.ForeignKey(
        AssistanceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    # About the fund (a donor tranche), never about a person; still encrypted, under the
    # organisation's data key: a donor, programme or place named here can identify people.
    note = EncryptedTextField(_("note"), max_length_plain=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="assistance_movement_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(available_after__gte=0),
                name="assistance_movement_available_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["fund", "-created_at"], name="assistance_movement_fund_idx")
        ]

    # Encrypted fields bind their record's id into the ciphertext. The integer primary key is
    # only known after the insert, so the UUID, set when the movement is made, is bound instead.
    encryption_id_field = "uuid"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.fund_id}"

    def get_data_key(self) -> bytes:
        return self.fund.organisation.get_data_key()
