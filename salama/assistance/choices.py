from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundKind(models.TextChoices):
    LAST_RESORT = "last_resort", _("Emergency assistance of last resort")
    STRANDED_MIGRANTS = "stranded_migrants", _("Stranded migrants")
    PROJECT_BUDGET = "project_budget", _("Project budget")


class ItemStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved (committed)")
    DISBURSED = "disbursed", _("Disbursed (paid)")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class MovementKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    COMMITMENT = "commitment", _("Commitment")
    RELEASE = "release", _("Commitment released")
    DISBURSEMENT = "disbursement", _("Disbursement")
