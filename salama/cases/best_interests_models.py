"""A child's best-interests assessment (BIA) and determination (BID) on a case.

Headings follow the UNHCR Guidelines on Assessing and Determining the Best Interests of the Child
(2021) (docs/domain.md#best-interests-of-the-child). What the assessment says is identifying data
about the child, encrypted under the person's key; the dates, whether the child's views were
heard, the panel's roles and the decision are codes, kept in clear for statistics.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField

TEXT_LENGTH = 4000


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    COMPLETED = "completed", _("completed")


class Solution(models.TextChoices):
    """What the panel decided is in the child's best interests."""

    FAMILY_REUNIFICATION = "family_reunification", _("family reunification")
    LOCAL_INTEGRATION = "local_integration", _("local integration")
    RETURN = "return", _("voluntary return")
    RESETTLEMENT = "resettlement", _("resettlement in a third country")
    ALTERNATIVE_CARE = "alternative_care", _("alternative care")
    OTHER = "other", _("other")


class PanelRole(models.TextChoices):
    CHAIR = "chair", _("chair")
    CHILD_PROTECTION = "child_protection", _("child protection officer")
    CASEWORKER = "caseworker", _("caseworker")
    SUPERVISOR = "supervisor", _("supervisor")
    LEGAL = "legal", _("legal adviser")
    HEALTH = "health", _("health or psychosocial worker")
    EDUCATION = "education", _("education worker")
    AUTHORITY = "authority", _("child welfare authority")
    UN_AGENCY = "un_agency", _("UN agency representative")
    GUARDIAN = "guardian", _("guardian or guardian ad litem")
    OTHER = "other", _("other")


class BestInterestsAssessment(models.Model):
    """What a caseworker learned about a child to find their best interests (the BIA)."""

    TEXT_FIELDS = (
        "views_how",
        "safety",
        "family",
        "health",
        "education",
        "identity",
        "recommendations",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="best_interests_assessments"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField(_("date of the assessment"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    child_views_heard = models.BooleanField(_("the child's views were heard"), default=False)
    views_how = EncryptedTextField(
        _("how the child was heard, and what they said"), max_length_plain=TEXT_LENGTH
    )
    safety = EncryptedTextField(_("safety and risks"), max_length_plain=TEXT_LENGTH)
    family = EncryptedTextField(
        _("family situation and close relationships"), max_length_plain=TEXT_LENGTH
    )
    health = EncryptedTextField(_("health and development"), max_length_plain=TEXT_LENGTH)
    education = EncryptedTextField(_("education"), max_length_plain=TEXT_LENGTH)
    identity = EncryptedTextField(
        _("identity, culture, language and religion"), max_length_plain=TEXT_LENGTH
    )
    recommendations = EncryptedTextField(_("recommendations"), max_length_plain=TEXT_LENGTH)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        verbose_name = _("best-interests assessment")

    def __str__(self) -> str:
        return f"BIA {self.assessed_on}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    @property
    def is_completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED


class BestInterestsDetermination(models.Model):
    """A panel's decision on the durable solution in a child's best interests (the BID)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="best_interests_determinations"
    )
    assessment = models.ForeignKey(
        BestInterestsAssessment, on_delete=models.PROTECT, related_name="determinations"
    )
    decided_on = models.DateField(_("date of the decision"))
    panel = models.JSONField(_("panel members (by role)"), default=list)
    decision = models.CharField(_("decision"), max_length=24, choices=Solution.choices)
    reasons = EncryptedTextField(_("reasons"), max_length_plain=TEXT_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        verbose_name = _("best-interests determination")

    def __str__(self) -> str:
        return f"BID {self.decided_on}"

    def get_data_key(self) -> bytes:
        return self.case.person.get_data_key()

    def panel_labels(self) -> list[str]:
        labels = dict(PanelRole.choices)
        return [str(labels.get(code, code)) for code in self.panel]
