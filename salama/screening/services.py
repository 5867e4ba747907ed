"""Every write to screenings and identification decisions; the public service interface.

Sources: the ILO & European Commission *Operational indicators of trafficking in human beings*
(2009) for screenings, their outcome levels and the formal identification that alone decides a
person's status, applied by ``salama.screening.rules`` from the versioned tables in ``data/``.
Each function is one transaction, checks the policy and writes an audit entry scoped to the
case. A screening shares its draft → final → amend life cycle with a vulnerability assessment
(``lifecycle``); a finalised one never changes: the result is stored with the table version it
used, and a correction is a new screening that ``amends`` it.

DoMV vulnerability assessments are written by ``vulnerability_services``; their functions are
imported here (``name as name``) so that callers find every screening service in one module.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases import rules as case_rules
from salama.cases import services as case_services
from salama.cases.choices import Stage, TaskKind
from salama.cases.models import Case
from salama.core import audit
from salama.core.policy import Principal
from salama.people.choices import TraffickingStatus
from salama.screening import rules
from salama.screening.choices import AnswerSource, AnswerValue, Exploitation
from salama.screening.identification_services import (
    DECISION_ORG_VALUE_SET as DECISION_ORG_VALUE_SET,
)
from salama.screening.identification_services import deadline_table as deadline_table
from salama.screening.identification_services import (
    decide_reconsideration as decide_reconsideration,
)
from salama.screening.identification_services import decision_org_types as decision_org_types
from salama.screening.identification_services import (
    has_referral_task_or_identification,
)
from salama.screening.identification_services import open_referral as open_referral
from salama.screening.identification_services import (
    record_identification_decision as record_identification_decision,
)
from salama.screening.identification_services import (
    refer_for_identification as refer_for_identification,
)
from salama.screening.identification_services import (
    request_reconsideration as request_reconsideration,
)
from salama.screening.identification_services import standing_decision as standing_decision
from salama.screening.lifecycle import (
    Changes,
    CopiedRows,
    RecordKind,
    amend_record,
    editable_draft,
    ensure_open,
    finalise_record,
    record_draft_change,
    require,
    start_record,
)
from salama.screening.lifecycle import child_requirements as child_requirements
from salama.screening.lifecycle import data_dir as data_dir
from salama.screening.lifecycle import person_is_child as person_is_child
from salama.screening.models import IdentificationDecision, IndicatorAnswer, Screening
from salama.screening.vulnerability_services import (
    RESPONSE_SERVICE_TYPES as RESPONSE_SERVICE_TYPES,
)
from salama.screening.vulnerability_services import (
    add_situational_event as add_situational_event,
)
from salama.screening.vulnerability_services import amend_assessment as amend_assessment
from salama.screening.vulnerability_services import answer_factor as answer_factor
from salama.screening.vulnerability_services import catalogue_for as catalogue_for
from salama.screening.vulnerability_services import compute_profile as compute_profile
from salama.screening.vulnerability_services import finalise_assessment as finalise_assessment
from salama.screening.vulnerability_services import plan_from_proposals as plan_from_proposals
from salama.screening.vulnerability_services import plan_source as plan_source
from salama.screening.vulnerability_services import proposals as proposals
from salama.screening.vulnerability_services import response_label as response_label
from salama.screening.vulnerability_services import start_assessment as start_assessment

DECISION_STATUSES = (TraffickingStatus.ACTUAL, TraffickingStatus.NOT_A_VICTIM)


# Helpers -------------------------------------------------------------------------------------


def _load_table(screening: Screening) -> rules.IndicatorTable:
    return rules.load_table(screening.table, screening.table_version, data_dir=data_dir())


def table_for(screening: Screening) -> rules.IndicatorTable:
    """The indicator table (at the screening's own version) a screening is answered against."""
    return _load_table(screening)


def choose_table(case: Case, age_at_recruitment: int | None, exploitation: str) -> str:
    """The table for this case; a child's case always uses a child list (the ILO/EC child rule)."""
    if person_is_child(case):
        if age_at_recruitment is not None and age_at_recruitment >= rules.CHILD_AGE_LIMIT:
            raise ValidationError(
                {
                    "age_at_recruitment": _(
                        "This is a child's case: the age at recruitment must be under 18."
                    )
                }
            )
        if age_at_recruitment is None:
            # Unknown age on a child's case: the child list applies in any case.
            age_at_recruitment = rules.CHILD_AGE_LIMIT - 1
    return rules.choose_table(age_at_recruitment, exploitation)


# Screening -----------------------------------------------------------------------------------


def compute(screening: Screening) -> rules.ScreeningResult:
    """Evaluate the screening's answers against its own table version (pure, no writes)."""
    answers = {a.indicator: a.value for a in screening.answers.all()}
    return rules.evaluate_screening(
        _load_table(screening), answers, act_recorded=screening.act_recorded
    )


def _store_result(screening: Screening) -> rules.ScreeningResult:
    result = compute(screening)
    screening.result = result.as_dict()
    screening.outcome = result.outcome.value
    screening.save(update_fields=["result", "outcome"])
    return result


def _latest_table(screening: Screening) -> tuple[dict[str, str], frozenset[str]]:
    return _table_fields(rules.load_table(screening.table, data_dir=data_dir()))


def _table_fields(table: rules.IndicatorTable) -> tuple[dict[str, str], frozenset[str]]:
    return {"table": table.table, "table_version": table.version}, table.indicator_codes


def _final_changes(screening: Screening, result: rules.ScreeningResult) -> Changes:
    return {
        "outcome": (None, result.outcome.value),
        "table": (None, screening.table),
        "table_version": (None, screening.table_version),
    }


SCREENING: RecordKind[Screening, rules.ScreeningResult] = RecordKind(
    model=Screening,
    version_field="table_version",
    carried=("exploitation", "age_at_recruitment", "act_recorded"),
    copied=(
        CopiedRows(
            model=IndicatorAnswer,
            relation="answers",
            parent="screening",
            code="indicator",
            fields=("indicator", "value", "source", "answered_on", "note", "answered_by"),
        ),
    ),
    store=_store_result,
    latest=_latest_table,
    final_changes=_final_changes,
    start_action="screening.start",
    finalise_action="screening.finalise",
    amend_action="screening.amend",
    not_final=gettext_lazy("Only a final screening can be amended; edit the draft instead."),
    draft_exists=gettext_lazy("A draft amending this screening already exists."),
)


@transaction.atomic
def start_screening(
    *,
    actor: Principal,
    case: Case,
    exploitation: str,
    age_at_recruitment: int | None = None,
    act_recorded: bool = False,
    request: HttpRequest | None = None,
) -> Screening:
    """Start a draft screening on the latest version of the table the profile chooses."""
    require(actor, case)
    ensure_open(case)
    if exploitation not in Exploitation.values:
        raise ValidationError({"exploitation": _("Choose the form of exploitation.")})
    if age_at_recruitment is not None and not 0 <= age_at_recruitment <= 120:
        raise ValidationError({"age_at_recruitment": _("Enter an age between 0 and 120.")})
    name = choose_table(case, age_at_recruitment, exploitation)
    table, _codes = _table_fields(rules.load_table(name, data_dir=data_dir()))
    return start_record(
        SCREENING,
        actor=actor,
        case=case,
        table=table,
        fields={
            "exploitation": exploitation,
            "age_at_recruitment": age_at_recruitment,
            "act_recorded": act_recorded,
        },
        changes={"exploitation": (None, exploitation)},
        request=request,
    )


@transaction.atomic
def set_act_recorded(
    *,
    actor: Principal,
    screening: Screening,
    act_recorded: bool,
    request: HttpRequest | None = None,
) -> Screening:
    """Record whether an act (recruitment, transport, …) is on file; the child rule uses it."""
    editable_draft(actor, screening)
    old = screening.act_recorded
    screening.act_recorded = act_recorded
    screening.save(update_fields=["act_recorded"])
    record_draft_change(
        SCREENING,
        screening,
        "screening.act_recorded",
        actor=actor,
        changes={"act_recorded": (old, act_recorded)},
        request=request,
    )
    return screening


@transaction.atomic
def answer_indicator(
    *,
    actor: Principal,
    screening: Screening,
    indicator: str,
    value: str,
    source: str | None = None,
    answered_on: dt.date | None = None,
    note: str | None = None,
    request: HttpRequest | None = None,
) -> IndicatorAnswer:
    """Answer one indicator of a draft screening and refresh its stored (provisional) result.

    ``source`` and ``note`` left as None keep what the answer already had.
    """
    editable_draft(actor, screening)
    if indicator not in _load_table(screening).indicator_codes:
        raise ValidationError({"indicator": _("This indicator is not in the screening's table.")})
    if value not in AnswerValue.values:
        raise ValidationError({"value": _("Choose present, absent, unknown or not asked.")})
    if source and source not in AnswerSource.values:
        raise ValidationError({"source": _("Choose a source from the list.")})
    if answered_on is not None and answered_on > timezone.localdate():
        raise ValidationError({"answered_on": _("The date cannot be in the future.")})
    answer = IndicatorAnswer.objects.filter(screening=screening, indicator=indicator).first()
    old = answer.value if answer else None
    if answer is None:
        answer = IndicatorAnswer(screening=screening, indicator=indicator, answered_by=actor.user)
    answer.value = value
    if source is not None:
        answer.source = source
    if note is not None:
        answer.note = note.strip()
    answer.answered_on = answered_on or timezone.localdate()
    answer.answered_by = actor.user
    answer.save()
    record_draft_change(
        SCREENING,
        screening,
        "screening.answer",
        actor=actor,
        fields=["note"] if note else [],
        changes={"indicator": (indicator, indicator), "value": (old, value)},
        request=request,
    )
    return answer


def proposed_stage(case: Case) -> str | None:
    """The stage a "meets the profile" result proposes, when the case may move there now."""
    table = case_rules.load_stage_table()
    target = Stage.REFERRED_FOR_IDENTIFICATION
    if target in case_rules.allowed_targets(table, case.stage, case.case_type):
        return str(target)
    return None


def _has_identification_decision(case: Case) -> bool:
    person = case.person
    return (
        person.trafficking_status in DECISION_STATUSES
        or IdentificationDecision.objects.filter(case__person=person).exists()
    )


@transaction.atomic
def finalise_screening(
    *, actor: Principal, screening: Screening, request: HttpRequest | None = None
) -> Screening:
    """Freeze a screening with its result and table version.

    The case moves as the stage table says (a case not yet screened becomes "screened").
    "Meets the trafficking profile" makes the person a possible victim (unless a formal
    identification decision already decided), and adds a task to refer them for formal
    identification (unless one is open or the case was referred already). Audited: the
    outcome, the table version and any status change.
    """
    result = finalise_record(SCREENING, screening, actor=actor, request=request)
    case = screening.case
    case_services.follow_event(actor=actor, case=case, event="screening.final", request=request)
    if result.outcome is rules.Outcome.MEETS_PROFILE:
        person = case.person
        if not _has_identification_decision(case):
            old = person.trafficking_status
            if old != TraffickingStatus.POSSIBLE:
                person.trafficking_status = TraffickingStatus.POSSIBLE
                person.save(update_fields=["trafficking_status"])
                audit.record(
                    "person.trafficking_status",
                    actor=actor.user,
                    obj=person,
                    organisation=case.organisation,
                    changes={"trafficking_status": (old or None, TraffickingStatus.POSSIBLE)},
                    request=request,
                    scope=case,
                )
        if not has_referral_task_or_identification(case):
            case_services.add_task(
                actor=actor,
                case=case,
                title=_("Refer for formal identification"),
                due_on=timezone.localdate() + dt.timedelta(days=7),
                kind=TaskKind.REFER_FOR_IDENTIFICATION,
                request=request,
            )
    return screening


@transaction.atomic
def amend_screening(
    *, actor: Principal, screening: Screening, request: HttpRequest | None = None
) -> Screening:
    """Start a draft that amends a final screening, copying its answers.

    The draft uses the latest version of the same table; answers to indicators that version no
    longer has are left out. The amended screening keeps its result and version.
    """
    return amend_record(SCREENING, screening, actor=actor, request=request)
