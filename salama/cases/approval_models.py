"""Supervision approvals: one request model for every step a supervisor approves.

Imported from salama.cases.models so that Django finds the models; the services are in
salama.cases.approvals. A request holds a snapshot of what is being approved, as the approver
sees it (encrypted under the person's key: a plan's goals or a closure note can identify the
person), and a fingerprint of the thing at request time: a decision on a thing that changed
since is refused.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.cases.choices import ApprovalKind, ApprovalStatus
from salama.core.fields import EncryptedJSONField, EncryptedTextField


class ApprovalSettings(models.Model):
    """Which steps an organisation's supervisors approve. An organisation without a row uses the
    defaults (assessment, case plan and closure need approval); reassignment follows the
    organisation's own "reassignment needs supervisor approval" setting."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="approval_settings"
    )
    assessment = models.BooleanField(_("assessments need supervisor approval"), default=True)
    case_plan = models.BooleanField(_("case plans need supervisor approval"), default=True)
    closure = models.BooleanField(_("closures need supervisor approval"), default=True)

    class Meta:
        verbose_name = _("approval settings")

    def __str__(self) -> str:
        return f"Approval settings of {self.organisation_id}"


class ApprovalRequest(models.Model):
    """A request for a supervisor to approve one step of a case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("what"), max_length=16, choices=ApprovalKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    # What is approved, as the approver sees it: codes and ids, rendered in words on display.
    snapshot = EncryptedJSONField()
    # The thing's fingerprint when requested (salama.cases.approvals.fingerprint).
    fingerprint = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = EncryptedTextField(_("comment"), max_length_plain=2000)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # One request of each kind waits on a case at a time.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(status="pending"),
                name="cases_approval_one_pending",
            )
        ]
        indexes = [
            models.Index(fields=["case", "kind", "status"], name="cases_approval_case_idx"),
            models.Index(fields=["status", "requested_at"], name="cases_approval_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Approval {self.id} ({self.kind}, {self.status})"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING
