"""Formal identification, as national referral mechanisms do it: every write.

A case is **referred** to a competent authority on a date; the authority makes a **reasonable
grounds** decision, due within the jurisdiction's period from the referral, then — after a
positive one and not before the recovery period has run — a **conclusive grounds** decision.
Either may be **reconsidered** by the authority or challenged on appeal; an overturned decision
is replaced by a new one with the other outcome. The deadlines are data per jurisdiction
(``rules.deadlines``, docs/domain.md#identification-deadlines); each referral and decision keeps
the dates and flags the deadline table version computed for it.

Only a decision sets the person's status (HTCDS ``vic_TraffickingStatus``): a positive
reasonable-grounds decision makes them a *possible* victim, a positive conclusive one an
*actual* victim, a negative one *not a victim*. Each event moves the case as the stage table
says (``salama.cases.services.follow_event``) and closes the open "Refer for formal
identification" task. Referring needs case.change; decisions and reconsiderations need
identification.record besides. Each function is one transaction, checks the actor against the
case first and writes an audit entry scoped to the case. The public names are re-exported by
``salama.screening.services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from salama.cases import services as case_services
from salama.cases.access import ensure_case
from salama.cases.choices import TaskKind, TaskStatus
from salama.cases.models import Case
from salama.core import audit, htcds
from salama.core.policy import Principal
from salama.core.roles import Perm
from salama.people.choices import TraffickingStatus
from salama.screening import rules
from salama.screening.choices import (
    DecisionOutcome,
    DecisionStep,
    ReviewKind,
    ReviewOutcome,
    ReviewRequester,
)
from salama.screening.lifecycle import data_dir
from salama.screening.models import IdentificationDecision, IdentificationReferral, Reconsideration

DECISION_ORG_VALUE_SET = "vic_TraffickingStatusDecisionMakingOrg"
AUTHORITY_NAME_MAX = 200
TEXT_MAX = 4000
REFERRAL_TASK_TITLE = "Refer for formal identification"

# The status each decision gives the person (HTCDS vic_TraffickingStatus).
STATUS_BY_DECISION = {
    (DecisionStep.REASONABLE_GROUNDS, DecisionOutcome.POSITIVE): TraffickingStatus.POSSIBLE,
    (DecisionStep.REASONABLE_GROUNDS, DecisionOutcome.NEGATIVE): TraffickingStatus.NOT_A_VICTIM,
    (DecisionStep.CONCLUSIVE_GROUNDS, DecisionOutcome.POSITIVE): TraffickingStatus.ACTUAL,
    (DecisionStep.CONCLUSIVE_GROUNDS, DecisionOutcome.NEGATIVE): TraffickingStatus.NOT_A_VICTIM,
}


# Reading -------------------------------------------------------------------------------------


def decision_org_types() -> list[tuple[str, str]]:
    """The kinds of competent authority (HTCDS ``vic_TraffickingStatusDecisionMakingOrg``)."""
    return htcds.value_set(DECISION_ORG_VALUE_SET)


def deadline_table() -> rules.DeadlineTable:
    """The latest identification deadline table (``SCREENING_DATA_DIR`` if set)."""
    return rules.load_deadlines(data_dir=data_dir())


def jurisdiction_rules(jurisdiction: str, version: str | None = None) -> rules.JurisdictionRules:
    table = rules.load_deadlines(version, data_dir=data_dir())
    return table.for_jurisdiction(jurisdiction)


def open_referral(case: Case) -> IdentificationReferral | None:
    """The latest referral of the case still waiting for its reasonable-grounds decision."""
    return (
        case.identification_referrals.exclude(decisions__step=DecisionStep.REASONABLE_GROUNDS)
        .order_by("-referred_on", "-recorded_at")
        .first()
    )


def standing_decision(
    case: Case, step: str, *, besides: IdentificationDecision | None = None
) -> IdentificationDecision | None:
    """The decision at `step` that stands: the latest not overturned (nor `besides`)."""
    decisions = case.identification_decisions.filter(step=step, replaced_by__isnull=True)
    if besides is not None:
        decisions = decisions.exclude(pk=besides.pk)
    return decisions.order_by("-decided_on", "-recorded_at").first()


# Checks --------------------------------------------------------------------------------------


def _ensure_recorder(actor: Principal, case: Case) -> None:
    ensure_case(actor, case, Perm.CASE_CHANGE, Perm.IDENTIFICATION_RECORD)


def _check_authority(authority_type: str, authority_name: str, type_field: str) -> str:
    if authority_type not in {code for code, _label in decision_org_types()}:
        raise ValidationError(
            {type_field: _("Choose the type of competent authority from the list.")}
        )
    name = authority_name.strip()
    if not name:
        raise ValidationError(
            {
                "authority_name": _(
                    "Name the competent authority, e.g. “Single Competent Authority”."
                )
            }
        )
    if len(name) > AUTHORITY_NAME_MAX:
        raise ValidationError(
            {
                "authority_name": _("Keep the authority's name to %(max)d characters.")
                % {"max": AUTHORITY_NAME_MAX}
            }
        )
    return name


def _check_text(value: str, field: str) -> str:
    text = value.strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("Keep this to %(max)d characters.") % {"max": TEXT_MAX}})
    return text


def _check_past(day: dt.date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: message})


# Tasks ---------------------------------------------------------------------------------------


def _referral_task_titles() -> set[str]:
    """The task's title in every language: tasks added before tasks had a kind are found by it."""
    titles = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles.add(_(REFERRAL_TASK_TITLE))
    return titles


def _close_referral_tasks(
    actor: Principal, case: Case, request: HttpRequest | None = None
) -> list[Any]:
    """Mark done, through the cases service, the case's open "Refer for formal identification"
    tasks: the referral or a decision has fulfilled them."""
    titles: set[str] | None = None
    closed = []
    open_tasks = case.tasks.filter(
        status=TaskStatus.OPEN, kind__in=[TaskKind.REFER_FOR_IDENTIFICATION, TaskKind.OTHER]
    )
    for task in open_tasks:
        if task.kind != TaskKind.REFER_FOR_IDENTIFICATION:
            titles = titles if titles is not None else _referral_task_titles()
            if task.title not in titles:
                continue
        closed.append(
            case_services.set_task_status(
                actor=actor, task=task, status=TaskStatus.DONE, request=request
            )
        )
    return closed


def has_referral_task_or_identification(case: Case) -> bool:
    """Whether a referral task is open, or the case was referred or decided already."""
    return (
        case.tasks.filter(status=TaskStatus.OPEN, kind=TaskKind.REFER_FOR_IDENTIFICATION).exists()
        or case.identification_referrals.exists()
        or case.identification_decisions.exists()
    )


# Referral ------------------------------------------------------------------------------------


@transaction.atomic
def refer_for_identification(
    *,
    actor: Principal,
    case: Case,
    referred_on: dt.date,
    authority_type: str,
    authority_name: str,
    request: HttpRequest | None = None,
) -> IdentificationReferral:
    """Record that the case was referred to a competent authority for formal identification.

    The reasonable-grounds decision is due within the jurisdiction's period from `referred_on`
    (stored with the deadline table version). The case moves as the stage table says (to
    "referred for identification") and the open referral task is closed.
    """
    ensure_case(actor, case, Perm.CASE_CHANGE)
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it to refer the person."))
    name = _check_authority(authority_type, authority_name, "authority_type")
    _check_past(referred_on, "referred_on", _("The referral date cannot be in the future."))
    waiting = open_referral(case)
    if waiting is not None:
        raise ValidationError(
            _(
                "The case was referred to %(authority)s on %(date)s and is waiting for the "
                "reasonable-grounds decision; record that decision first."
            )
            % {
                "authority": waiting.authority_name,
                "date": date_format(waiting.referred_on, "SHORT_DATE_FORMAT"),
            }
        )
    table = deadline_table()
    jurisdiction = case.jurisdiction.upper()
    due = rules.reasonable_grounds_due(table.for_jurisdiction(jurisdiction), referred_on)
    referral = IdentificationReferral.objects.create(
        case=case,
        referred_on=referred_on,
        authority_type=authority_type,
        authority_name=name,
        jurisdiction=jurisdiction,
        deadline_version=table.version,
        due_on=due,
        recorded_by=actor.user,
    )
    audit.record(
        "screening.identification_referral",
        actor=actor.user,
        obj=referral,
        organisation=case.organisation,
        changes={
            "referred_on": (None, referred_on.isoformat()),
            "authority_type": (None, authority_type),
            "authority_name": (None, name),
            "due_on": (None, due.isoformat() if due else None),
            "deadline_version": (None, table.version),
        },
        request=request,
        scope=case,
    )
    case_services.follow_event(
        actor=actor, case=case, event="identification.referred", request=request
    )
    _close_referral_tasks(actor, case, request)
    return referral


# Decisions -----------------------------------------------------------------------------------


@transaction.atomic
def record_identification_decision(
    *,
    actor: Principal,
    case: Case,
    step: str,
    decided_by_org_type: str,
    authority_name: str,
    decided_on: dt.date,
    outcome: str,
    legal_basis: str = "",
    request: HttpRequest | None = None,
) -> IdentificationDecision:
    """Record a competent authority's decision at one step of identification.

    A reasonable-grounds decision answers the open referral: it is flagged ``late`` when made
    after the referral's due day. A conclusive-grounds decision follows a positive
    reasonable-grounds one (or stands alone where the jurisdiction decides in one step) and is
    flagged ``early`` when made before the recovery period ended. A step already decided is
    changed by a reconsideration, not by a second decision. Sets the person's status, moves the
    case and closes the referral task; audited with the status before and after.
    """
    _ensure_recorder(actor, case)
    return _record_decision(
        actor,
        case,
        step=step,
        authority_type=decided_by_org_type,
        authority_name=authority_name,
        decided_on=decided_on,
        outcome=outcome,
        legal_basis=legal_basis,
        request=request,
    )


def _record_decision(
    actor: Principal,
    case: Case,
    *,
    step: str,
    authority_type: str,
    authority_name: str,
    decided_on: dt.date,
    outcome: str,
    legal_basis: str,
    replaces: IdentificationDecision | None = None,
    request: HttpRequest | None,
) -> IdentificationDecision:
    if step not in DecisionStep.values:
        raise ValidationError(
            {"step": _("Choose the step: reasonable grounds or conclusive grounds.")}
        )
    name = _check_authority(authority_type, authority_name, "decided_by_org_type")
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome: positive or negative.")})
    _check_past(decided_on, "decided_on", _("The decision date cannot be in the future."))
    basis = _check_text(legal_basis, "legal_basis")
    fields: dict[str, Any] = {"jurisdiction": case.jurisdiction.upper()}
    if step == DecisionStep.REASONABLE_GROUNDS:
        fields.update(_reasonable_grounds_fields(case, decided_on, replaces))
    else:
        fields.update(_conclusive_grounds_fields(case, decided_on, replaces))

    person = case.person
    old_status = person.trafficking_status
    new_status: str = STATUS_BY_DECISION[(DecisionStep(step), DecisionOutcome(outcome))]
    if step == DecisionStep.REASONABLE_GROUNDS and standing_decision(
        case, DecisionStep.CONCLUSIVE_GROUNDS, besides=replaces
    ):
        new_status = old_status  # a conclusive decision stands: it alone says the status
    decision = IdentificationDecision.objects.create(
        case=case,
        step=step,
        decided_by_org_type=authority_type,
        authority_name=name,
        decided_on=decided_on,
        outcome=outcome,
        legal_basis=basis,
        replaces=replaces,
        previous_status=old_status,
        trafficking_status=new_status if new_status != old_status else "",
        recorded_by=actor.user,
        **fields,
    )
    changes: dict[str, tuple[Any, Any]] = {
        "step": (None, step),
        "decided_by_org_type": (None, authority_type),
        "authority_name": (None, name),
        "decided_on": (None, decided_on.isoformat()),
        "outcome": (None, outcome),
    }
    for flag in ("late", "early"):
        if fields.get(flag):
            changes[flag] = (None, True)
    if replaces is not None:
        changes["replaces"] = (None, str(replaces.pk))
    if new_status != old_status:
        person.trafficking_status = new_status
        person.save(update_fields=["trafficking_status"])
        changes["trafficking_status"] = (old_status or None, new_status)
    audit.record(
        "screening.identification_decision",
        actor=actor.user,
        obj=decision,
        organisation=case.organisation,
        fields=["legal_basis"] if basis else [],
        changes=changes,
        request=request,
        scope=case,
    )
    case_services.follow_event(actor=actor, case=case, event=decision.event, request=request)
    _close_referral_tasks(actor, case, request)
    return decision


def _reasonable_grounds_fields(
    case: Case, decided_on: dt.date, replaces: IdentificationDecision | None
) -> dict[str, Any]:
    """The referral a reasonable-grounds decision answers, with its due day and late flag."""
    if replaces is not None:
        # A decision on reconsideration answers the same referral; the deadline was the
        # first decision's.
        return {"referral": replaces.referral}
    referral = open_referral(case)
    standing = standing_decision(case, DecisionStep.REASONABLE_GROUNDS)
    if referral is None and standing is not None:
        raise ValidationError(
            _(
                "A reasonable-grounds decision is already recorded (%(date)s). To change it, "
                "record a reconsideration of it; after a new referral, record the referral first."
            )
            % {"date": date_format(standing.decided_on, "SHORT_DATE_FORMAT")}
        )
    if referral is None:
        return {}
    if decided_on < referral.referred_on:
        raise ValidationError(
            {
                "decided_on": _("The decision cannot come before the referral of %(date)s.")
                % {"date": date_format(referral.referred_on, "SHORT_DATE_FORMAT")}
            }
        )
    timing = rules.step_timing(
        due_on=referral.due_on, decided_on=decided_on, today=timezone.localdate()
    )
    return {
        "referral": referral,
        "jurisdiction": referral.jurisdiction,
        "deadline_version": referral.deadline_version,
        "due_on": timing.due_on,
        "late": timing.late,
    }


def _conclusive_grounds_fields(
    case: Case, decided_on: dt.date, replaces: IdentificationDecision | None
) -> dict[str, Any]:
    """The recovery period a conclusive-grounds decision waits for, and its early flag."""
    if replaces is not None:
        return {}
    standing = standing_decision(case, DecisionStep.CONCLUSIVE_GROUNDS)
    if standing is not None:
        raise ValidationError(
            _(
                "A conclusive-grounds decision is already recorded (%(date)s). To change it, "
                "record a reconsideration or an appeal of it."
            )
            % {"date": date_format(standing.decided_on, "SHORT_DATE_FORMAT")}
        )
    reasonable = standing_decision(case, DecisionStep.REASONABLE_GROUNDS)
    if reasonable is None:
        return {}  # a jurisdiction that identifies in one step
    if reasonable.outcome == DecisionOutcome.NEGATIVE:
        raise ValidationError(
            _(
                "The reasonable-grounds decision was negative: a conclusive-grounds decision "
                "follows only a positive one. Record a reconsideration of the negative decision."
            )
        )
    if decided_on < reasonable.decided_on:
        raise ValidationError(
            {
                "decided_on": _(
                    "The decision cannot come before the reasonable-grounds decision of %(date)s."
                )
                % {"date": date_format(reasonable.decided_on, "SHORT_DATE_FORMAT")}
            }
        )
    table = deadline_table()
    timing = rules.conclusive_grounds_timing(
        table.for_jurisdiction(case.jurisdiction),
        positive_reasonable_grounds_on=reasonable.decided_on,
        decided_on=decided_on,
        today=timezone.localdate(),
    )
    return {
        "deadline_version": table.version,
        "due_on": timing.due_on,
        "not_before": timing.not_before,
        "late": timing.late,
        "early": timing.early,
    }


# Reconsideration -----------------------------------------------------------------------------


@transaction.atomic
def request_reconsideration(
    *,
    actor: Principal,
    decision: IdentificationDecision,
    kind: str,
    requested_on: dt.date,
    requested_by: str,
    grounds: str = "",
    request: HttpRequest | None = None,
) -> Reconsideration:
    """Record a request that `decision` be reconsidered by the authority, or an appeal of it."""
    case = decision.case
    _ensure_recorder(actor, case)
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": _("Choose reconsideration or appeal.")})
    if requested_by not in ReviewRequester.values:
        raise ValidationError({"requested_by": _("Choose who asked from the list.")})
    _check_past(requested_on, "requested_on", _("The request date cannot be in the future."))
    if requested_on < decision.decided_on:
        raise ValidationError(
            {
                "requested_on": _("The request cannot come before the decision of %(date)s.")
                % {"date": date_format(decision.decided_on, "SHORT_DATE_FORMAT")}
            }
        )
    text = _check_text(grounds, "grounds")
    if IdentificationDecision.objects.filter(replaces=decision).exists():
        raise ValidationError(
            _(
                "This decision was overturned; record a reconsideration of the decision that replaced it."
            )
        )
    if decision.reconsiderations.filter(outcome=ReviewOutcome.PENDING).exists():
        raise ValidationError(
            _("A reconsideration of this decision is waiting for its outcome; record that first.")
        )
    reconsideration = Reconsideration.objects.create(
        decision=decision,
        kind=kind,
        requested_on=requested_on,
        requested_by=requested_by,
        grounds=text,
        recorded_by=actor.user,
    )
    audit.record(
        "screening.reconsideration_request",
        actor=actor.user,
        obj=reconsideration,
        organisation=case.organisation,
        fields=["grounds"] if text else [],
        changes={
            "decision": (None, str(decision.pk)),
            "kind": (None, kind),
            "requested_on": (None, requested_on.isoformat()),
            "requested_by": (None, requested_by),
        },
        request=request,
        scope=case,
    )
    return reconsideration


@transaction.atomic
def decide_reconsideration(
    *,
    actor: Principal,
    reconsideration: Reconsideration,
    outcome: str,
    decided_on: dt.date,
    legal_basis: str = "",
    request: HttpRequest | None = None,
) -> Reconsideration:
    """Record the outcome of a reconsideration or appeal.

    Upheld, the decision stands. Overturned, a new decision at the same step, by the same
    authority, with the other outcome, replaces it: it sets the status and moves the case as
    any decision does.
    """
    decision = reconsideration.decision
    case = decision.case
    _ensure_recorder(actor, case)
    if not reconsideration.is_pending:
        raise ValidationError(_("The outcome of this reconsideration is already recorded."))
    if outcome not in (ReviewOutcome.UPHELD, ReviewOutcome.OVERTURNED):
        raise ValidationError({"outcome": _("Choose the outcome: upheld or overturned.")})
    _check_past(decided_on, "decided_on", _("The decision date cannot be in the future."))
    if decided_on < reconsideration.requested_on:
        raise ValidationError(
            {
                "decided_on": _("The outcome cannot come before the request of %(date)s.")
                % {"date": date_format(reconsideration.requested_on, "SHORT_DATE_FORMAT")}
            }
        )
    basis = _check_text(legal_basis, "legal_basis")
    reconsideration.outcome = outcome
    reconsideration.decided_on = decided_on
    reconsideration.outcome_recorded_by = actor.user
    reconsideration.outcome_recorded_at = timezone.now()
    if outcome == ReviewOutcome.OVERTURNED:
        reconsideration.new_decision = _record_decision(
            actor,
            case,
            step=decision.step,
            authority_type=decision.decided_by_org_type,
            authority_name=decision.authority_name or _("Not recorded"),
            decided_on=decided_on,
            outcome=DecisionOutcome.NEGATIVE
            if decision.outcome == DecisionOutcome.POSITIVE
            else DecisionOutcome.POSITIVE,
            legal_basis=basis,
            replaces=decision,
            request=request,
        )
    reconsideration.save(
        update_fields=[
            "outcome",
            "decided_on",
            "outcome_recorded_by",
            "outcome_recorded_at",
            "new_decision",
        ]
    )
    audit.record(
        "screening.reconsideration_decide",
        actor=actor.user,
        obj=reconsideration,
        organisation=case.organisation,
        changes={
            "outcome": (ReviewOutcome.PENDING, outcome),
            "decided_on": (None, decided_on.isoformat()),
        },
        request=request,
        scope=case,
    )
    return reconsideration
