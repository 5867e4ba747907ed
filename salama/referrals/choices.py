"""Statuses and kinds of the referral network (docs/domain.md#referral-mechanism)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Service delivered")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReferralAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    DELIVER = "deliver", _("Record delivery")
    COMPLETE = "complete", _("Complete")
    WITHDRAW = "withdraw", _("Withdraw")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving organisation")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class OpenItems(models.TextChoices):
    """What accepting a transfer does with the case's open assistance items (requested or
    approved) drawn on the sender's funds; the sender chooses when requesting the transfer."""

    CANCEL = "cancel", _("Cancelled when the transfer is accepted")
    KEEP = "keep", _("Kept by the sending organisation, which pays or cancels them")


class NotificationKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("New referral")
    REFERRAL_UPDATED = "referral_updated", _("Referral updated")
    REFERRAL_OVERDUE = "referral_overdue", _("Referral overdue")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFER_DECIDED = "transfer_decided", _("Transfer decided")
    REFERRAL_MESSAGE = "referral_message", _("Message on a referral")


class PacketField(models.TextChoices):
    """The catalogue of what a referral packet may carry; nothing outside it can be shared."""

    NAME = "name", _("Name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    SEX = "sex", _("Sex")
    AGE_BAND = "age_band", _("Age band")
    NATIONALITIES = "nationalities", _("Nationalities")
    LANGUAGES = "languages", _("Languages")
    PHONE = "contacts.phone", _("Phone numbers")
    DOCUMENTS = "documents", _("Identity documents")
    CASE_SUMMARY = "case_summary", _("Case summary")
    NEEDS_NOTE = "needs_note", _("Needs note (written for the recipient)")
    TRAFFICKING_STATUS = "trafficking_status", _("Trafficking status")
    SCREENING_OUTCOME = "screening_outcome", _("Screening outcome")


# Packet fields that identify the person directly (shown with a warning in the send form).
IDENTIFYING_PACKET_FIELDS = frozenset(
    {PacketField.NAME, PacketField.DATE_OF_BIRTH, PacketField.PHONE, PacketField.DOCUMENTS}
)


class Urgency(models.TextChoices):
    """How fast the recipient must answer; the deadlines are data (data/urgency.v1.json)."""

    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")
