"""Codes of family tracing: relationships, statuses, match reasons and reunification steps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """Who the sought person is to the seeker."""

    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    SPOUSE = "spouse", _("Spouse or partner")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    CAREGIVER = "caregiver", _("Usual caregiver")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open: searching")
    MATCHED = "matched", _("Matched: a match was confirmed")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    REUNITED = "reunited", _("Reunited")
    FOUND_NO_REUNION = (
        "found_no_reunion",
        _("Found; reunion not wanted or not in the best interests"),
    )
    SEEKER_WITHDREW = "seeker_withdrew", _("The seeker withdrew the request")
    SOUGHT_DECEASED = "sought_deceased", _("The sought person has died")
    NO_TRACE = "no_trace", _("No trace after searching")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class MatchReason(models.TextChoices):
    """Why the matcher proposed a match (besides the name parts, `name_agreement.NAME_REASONS`)."""

    NAME_AGREES = "name_agrees", _("The names agree")
    NAME_OTHER_SCRIPT = "name_other_script", _("The names agree across scripts")
    AGE_AGREES = "age_agrees", _("The age agrees")
    SEX_AGREES = "sex_agrees", _("The sex agrees")
    PLACE_AGREES = "place_agrees", _("The place of separation agrees")
    DATE_AGREES = "date_agrees", _("The date of separation agrees")
    LOOKING_FOR_EACH_OTHER = "looking_for_each_other", _("Each is looking for the other")


class ReunificationStep(models.TextChoices):
    """Steps from a confirmed match to reunification and after (ICRC Restoring Family Links;
    Inter-agency Guiding Principles on Unaccompanied and Separated Children)."""

    VERIFICATION = "verification", _("Relationship verified")
    CONTACT = "contact", _("Contact established")
    BOTH_AGREE = "both_agree", _("Both agree to reunite")
    BEST_INTERESTS = "best_interests", _("Best-interests check for the child done")
    TRAVEL = "travel", _("Travel arranged")
    REUNITED = "reunited", _("Reunited")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
