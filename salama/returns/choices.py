"""Labels of the return journey's codes (the codes themselves live in salama.returns.rules)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JourneyStatus(models.TextChoices):
    COUNSELLING = "counselling", _("Counselling")
    DECIDED = "decided", _("Decided to return")
    RISK_ASSESSED = "risk_assessed", _("Return risk assessed")
    FIT_ASSESSED = "fit_assessed", _("Fitness to travel assessed")
    DOCUMENTS_REQUESTED = "documents_requested", _("Travel documents requested")
    DOCUMENTS_ISSUED = "documents_issued", _("Travel documents issued")
    ITINERARY_SET = "itinerary_set", _("Itinerary set")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    RECEIVED = "received", _("Received in the country of origin")
    STAYING = "staying", _("Decided not to return")
    NO_SHOW = "no_show", _("Did not show up for departure")
    CANCELLED = "cancelled", _("Cancelled")


class Step(models.TextChoices):
    COUNSEL = "counsel", _("Record a counselling session")
    DECIDE_RETURN = "decide_return", _("Record the decision to return")
    DECIDE_STAY = "decide_stay", _("Record the decision not to return")
    ASSESS_RISK = "assess_risk", _("Record the return risk assessment")
    ASSESS_HEALTH = "assess_health", _("Record the pre-departure health assessment")
    REQUEST_DOCUMENTS = "request_documents", _("Record the travel document request")
    ISSUE_DOCUMENTS = "issue_documents", _("Record the travel document issued")
    ADD_LEG = "add_leg", _("Add a leg to the itinerary")
    DEPART = "depart", _("Record the departure")
    ARRIVE = "arrive", _("Record the arrival")
    RECEIVE = "receive", _("Record the reception")
    NO_SHOW = "no_show", _("Record a no-show")
    CANCEL = "cancel", _("Cancel the journey")


# What the timeline says a step was (past tense).
STEP_DONE = {
    "open": _("Journey opened"),
    "counsel": _("Counselling session"),
    "decide_return": _("Decided to return"),
    "decide_stay": _("Decided not to return"),
    "assess_risk": _("Return risk assessed"),
    "assess_health": _("Health assessed"),
    "request_documents": _("Travel documents requested"),
    "issue_documents": _("Travel documents issued"),
    "add_leg": _("Itinerary leg added"),
    "depart": _("Departed"),
    "arrive": _("Arrived"),
    "receive": _("Received"),
    "no_show": _("No-show"),
    "cancel": _("Cancelled"),
    "reception_referral": _("Handed to the receiving organisation"),
    "reintegration_action": _("Reintegration action planned"),
}


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Fitness(models.TextChoices):
    FIT = "fit", _("Fit to travel")
    FIT_WITH_ESCORT = "fit_with_escort", _("Fit to travel with an escort")
    NOT_FIT = "not_fit", _("Not fit to travel")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    EMERGENCY = "emergency_travel_document", _("Emergency travel document")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    OTHER = "other", _("Other travel document")


class NoShowReason(models.TextChoices):
    UNREACHABLE = "unreachable", _("Could not be reached")
    CHANGED_MIND = "changed_mind", _("Changed their mind")
    ILL = "ill", _("Fell ill")
    DETAINED = "detained", _("Detained")
    OTHER = "other", _("Other reason")


class CancelReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Return consent withdrawn")
    CHANGED_MIND = "changed_mind", _("The person changed their mind")
    RISK_TOO_HIGH = "risk_too_high", _("The risk on return is too high")
    NOT_FIT = "not_fit_to_travel", _("Not fit to travel")
    DOCUMENTS_REFUSED = "documents_refused", _("Travel documents refused")
    REGULARISED = "regularised_in_host_country", _("Regularised in the host country")
    OTHER = "other", _("Other reason")


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


class ActionKind(models.TextChoices):
    BUSINESS_GRANT = "business_grant", _("Business start-up grant")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    SCHOOL_FEES = "school_fees", _("School fees")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial_support", _("Psychosocial support")
    OTHER = "other", _("Other support")
