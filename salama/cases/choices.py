from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking")
    VULNERABLE_MIGRANT = "vulnerable_migrant", _("Vulnerable migrant")
    STRANDED_MIGRANT = "stranded_migrant", _("Stranded migrant")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    RETURNEE = "returnee", _("Returnee")


class Stage(models.TextChoices):
    REGISTERED = "registered", _("Registered (not yet screened)")
    SCREENED = "screened", _("Screened")
    REFERRED_FOR_IDENTIFICATION = "referred_for_identification", _("Referred for identification")
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim (reasonable grounds)")
    REFLECTION_RECOVERY = "reflection_recovery", _("Reflection and recovery period")
    IDENTIFIED = "identified", _("Identified as a victim")
    NOT_IDENTIFIED = "not_identified", _("Not identified as a victim")
    ASSISTANCE_PLAN = "assistance_plan", _("Assistance plan")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
    LOCAL_INCLUSION = "local_inclusion", _("Local inclusion")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    OBJECTIVES_MET = "objectives_met", _("Objectives of the plan met")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred to another organisation")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    PERSON_DECLINED = "person_declined", _("The person declined further assistance")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    PERSON_RETURNED = "person_returned", _("The person returned to their country")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    PERSON_DECEASED = "person_deceased", _("The person died")
    DUPLICATE = "duplicate", _("Duplicate case")
    OTHER = "other", _("Other")


class TaskKind(models.TextChoices):
    """What a task the system adds is for, so that the event that fulfils it can close it."""

    OTHER = "", _("Other")
    REFER_FOR_IDENTIFICATION = "refer_for_identification", _("Refer for formal identification")
    REINTEGRATION_FOLLOW_UP = (
        "reintegration_follow_up",
        _("Follow up: a reintegration score fell below the programme's threshold"),
    )


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ReassignmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def register_audit_values() -> None:
    """The audit trail shows a case's stages, statuses and reasons by their labels."""
    from salama.core.auditwords import register_values

    register_values("stage", Stage.choices)
    register_values("closure_reason", ClosureReason.choices)
    register_values("case_type", CaseType.choices)
    register_values("status", TaskStatus.choices)
    register_values("status", PlanItemStatus.choices)


class ApprovalKind(models.TextChoices):
    """What a supervisor approves (CPIMS+/GBVIMS+ supervision steps)."""

    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLAN = "case_plan", _("Case plan")
    CLOSURE = "closure", _("Closure")
    REASSIGNMENT = "reassignment", _("Reassignment")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Returned for changes")
    WITHDRAWN = "withdrawn", _("Withdrawn")
