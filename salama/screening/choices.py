from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordStatus(models.TextChoices):
    """A screening or assessment is a draft until finalised; then it never changes."""

    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class Exploitation(models.TextChoices):
    LABOUR = "labour", _("Labour exploitation")
    SEXUAL = "sexual", _("Sexual exploitation")


class Outcome(models.TextChoices):
    """Screening outcome levels (docs/domain.md#outcome-levels, project rule); values match rules.Outcome."""

    MEETS_PROFILE = "meets_profile", _("Meets the trafficking profile")
    INDICATORS_PRESENT = (
        "indicators_present",
        _("Indicators present: further assessment recommended"),
    )
    NO_INDICATORS = "no_indicators", _("No indicators found")


class AnswerValue(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    UNKNOWN = "unknown", _("Unknown")
    NOT_ASKED = "not_asked", _("Not asked")


class AnswerSource(models.TextChoices):
    INTERVIEW = "interview", _("Interview with the person")
    OBSERVATION = "observation", _("Caseworker's observation")
    DOCUMENT = "document", _("Document")
    THIRD_PARTY = "third_party", _("Third party")
    OTHER = "other", _("Other")


class DecisionStep(models.TextChoices):
    """The two steps of identification in a national referral mechanism (docs/domain.md)."""

    REASONABLE_GROUNDS = "reasonable_grounds", _("Reasonable grounds")
    CONCLUSIVE_GROUNDS = "conclusive_grounds", _("Conclusive grounds")


class DecisionOutcome(models.TextChoices):
    """Whether the competent authority found the grounds (positive) or not (negative)."""

    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")


class ReviewKind(models.TextChoices):
    """A request to the authority to look again, or a challenge before a court or tribunal."""

    RECONSIDERATION = "reconsideration", _("Reconsideration by the competent authority")
    APPEAL = "appeal", _("Appeal or judicial review")


class ReviewRequester(models.TextChoices):
    PERSON = "person", _("The person")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Their legal representative")
    FIRST_RESPONDER = "first_responder", _("The first responder who referred them")
    SUPPORT_PROVIDER = "support_provider", _("Their support provider")
    OTHER = "other", _("Other")


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the outcome")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class Polarity(models.TextChoices):
    RISK = "risk", _("Risk factor")
    PROTECTIVE = "protective", _("Protective factor")


class Presence(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Harm(models.TextChoices):
    VIOLENCE = "violence", _("Violence")
    EXPLOITATION = "exploitation", _("Exploitation")
    ABUSE = "abuse", _("Abuse")
    RIGHTS_VIOLATIONS = "rights_violations", _("Rights violations")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    HOUSEHOLD = "household", _("Household and family")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


class Horizon(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate")
    MEDIUM = "medium", _("Medium term")
    LONG = "long", _("Long term (context, not a case action)")
