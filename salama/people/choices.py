from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown")


class Gender(models.TextChoices):
    """HTCDS prs_Gender."""

    FEMININE = "Feminine", _("Feminine")
    MASCULINE = "Masculine", _("Masculine")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender feminine")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender masculine")
    NON_CONFORMING = "NonConforming", _("Non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified / unknown")


class BirthDateAccuracy(models.TextChoices):
    EXACT = "exact", _("Exact date")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated age")
    UNKNOWN = "unknown", _("Unknown")


class TraffickingStatus(models.TextChoices):
    """HTCDS vic_TraffickingStatus (blank: not assessed)."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Victim of trafficking (identified)")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class Script(models.TextChoices):
    LATIN = "latin", _("Latin")
    ARABIC = "arabic", _("Arabic")
    CYRILLIC = "cyrillic", _("Cyrillic")
    ETHIOPIC = "ethiopic", _("Ethiopic")
    OTHER = "other", _("Other")


class NameKind(models.TextChoices):
    ALIAS = "alias", _("Alias / other name")
    SPELLING = "spelling", _("Other spelling")
    PREVIOUS = "previous", _("Previous name")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    REFUGEE_ID = "refugee_id", _("Refugee or asylum-seeker document")
    TRAVEL_DOCUMENT = "travel_document", _("Emergency travel document")
    WORK_PERMIT = "work_permit", _("Work permit")
    OTHER = "other", _("Other")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ADDRESS = "address", _("Address")
    MESSAGING = "messaging", _("Messaging app")
    OTHER = "other", _("Other")


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    REFERRAL = "referral", _("Referral")
    RETURN = "return", _("Return")
    STATISTICS = "statistics", _("Statistics and research (anonymised)")
    TRACING = "tracing", _("Family tracing")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal, witnessed")
    CHILD_ASSENT = "child_assent", _("Child's assent with a guardian's consent")


class ErasureReason(models.TextChoices):
    """Why a person was erased. Codes only: free text could carry the name into the audit chain."""

    PERSON_REQUEST = "person_request", _("The person asked for their data to be erased")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn and no other lawful basis")
    RETENTION = "retention", _("Retention period over")
    REGISTERED_IN_ERROR = "registered_in_error", _("Registered in error or a duplicate")
    SAFETY = "safety", _("Safety of the person requires it")


# CTDC public-release age bands (docs/domain.md#anonymised-data).
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0-8"),
    (9, 17, "9-17"),
    (18, 20, "18-20"),
    (21, 23, "21-23"),
    (24, 26, "24-26"),
    (27, 29, "27-29"),
    (30, 38, "30-38"),
    (39, 47, "39-47"),
    (48, None, "48+"),
)


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return ""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""
