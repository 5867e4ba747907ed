"""The service taxonomy shared by consent, case plans, referrals and assistance (docs/domain.md#service-taxonomy).

Each code maps to the HTCDS support-plan type (spl_Type); the HTCDS value list itself could not be
read (see core/data/htcds-2.0.json), so the codes follow docs/domain.md#service-taxonomy.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    ACCOMMODATION = "accommodation", _("Accommodation")
    BASIC_NEEDS = "basic_needs", _("Basic needs")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health and psychosocial support")
    LEGAL = "legal", _("Legal assistance")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    EDUCATION = "education", _("Education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    LIVELIHOOD = "livelihood", _("Livelihood")
    RETURN = "return", _("Return")
    REINTEGRATION = "reintegration", _("Reintegration")
    SAFETY = "safety", _("Safety and security")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    INTERPRETATION = "interpretation", _("Interpretation")
