"""What an integration may receive: scopes, and which scope each field of an event's data needs.

Deny by default: a field of an event's data that no scope below names is never sent, whatever the
integration asked for. No scope carries a name, a date of birth, a document number or text a
person wrote: an integration that needs them reads them through the API with a token, where the
policy and the audit trail see each reading. An event's name, time, organisation and record id
are always sent (they are what the event is).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    CASE_REFERENCE = "case.reference", _("Case references (the number staff quote)")
    CASE_WORKFLOW = "case.workflow", _("Case type, stage and closure reason codes")
    REFERRAL_WORKFLOW = "referral.workflow", _("Referral status, urgency, service and parties")
    STAFF_IDS = "staff.ids", _("Ids of the staff a case is assigned to")


# field of an event's data → the scope that lets it out. Unlisted fields never leave.
FIELD_SCOPES: dict[str, str] = {
    "reference": Scope.CASE_REFERENCE,
    "case_type": Scope.CASE_WORKFLOW,
    "stage": Scope.CASE_WORKFLOW,
    "from_stage": Scope.CASE_WORKFLOW,
    "closure_reason": Scope.CASE_WORKFLOW,
    "status": Scope.REFERRAL_WORKFLOW,
    "urgency": Scope.REFERRAL_WORKFLOW,
    "service": Scope.REFERRAL_WORKFLOW,
    "from_organisation": Scope.REFERRAL_WORKFLOW,
    "to_organisation": Scope.REFERRAL_WORKFLOW,
    "assigned_to": Scope.STAFF_IDS,
}

# The event sent by "Send a test event": nothing happened to any record.
PING = "integration.ping"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery", "Waiting")
    RETRYING = "retrying", pgettext_lazy("webhook delivery", "Failed, will retry")
    SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery", "Failed, no more retries")


class DisabledReason(models.TextChoices):
    NONE = "", _("Active")
    BY_ADMIN = "by_admin", _("Turned off by an administrator")
    FAILURES = "failures", _("Turned off after too many failed deliveries in a row")
