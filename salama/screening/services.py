"""Every write to screenings, identification decisions and vulnerability assessments.

Sources: docs/domain.md#identification (ILO/EC operational indicators, outcome levels, formal
identification) and docs/domain.md#vulnerability (IOM Determinants of Migrant Vulnerability),
applied by ``salama.screening.rules`` from the
versioned tables in ``data/``. Each function is one transaction, checks the policy and writes an
audit entry scoped to the case. A finalised screening or assessment never changes: the result is
stored with the table version it used, and a correction is a new record that ``amends`` it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.cases import rules as case_rules
from salama.cases import services as case_services
from salama.cases.access import ensure_case
from salama.cases.choices import Stage
from salama.cases.models import Case, PlanItem
from salama.core import audit, htcds
from salama.core.policy import Principal
from salama.core.roles import Perm
from salama.people.choices import ConsentMethod, ConsentPurpose, TraffickingStatus
from salama.people.services import active_consent
from salama.screening import labels, rules
from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionOutcome,
    Exploitation,
    Harm,
    Presence,
    RecordStatus,
)
from salama.screening.models import (
    FactorAnswer,
    IdentificationDecision,
    IndicatorAnswer,
    Screening,
    SituationalEvent,
    VulnerabilityAssessment,
)

DECISION_STATUSES = (TraffickingStatus.ACTUAL, TraffickingStatus.NOT_A_VICTIM)
DECISION_ORG_VALUE_SET = "vic_TraffickingStatusDecisionMakingOrg"
# The case-plan service type each DoMV response becomes (people.services.SERVICE_TYPES codes).
RESPONSE_SERVICE_TYPES = {
    "safe_accommodation": "accommodation",
    "health_care": "medical",
    "documentation": "documentation",
    "legal_consular_assistance": "legal",
    "education_skills": "education",
    "family_tracing_assessment": "family_tracing",
    "best_interests_determination": "child_protection",
    "family_reunification": "family_tracing",
    "livelihood": "livelihood",
}


# Helpers -------------------------------------------------------------------------------------


def data_dir() -> Path | None:
    """Where the rule tables live: ``SCREENING_DATA_DIR`` if set, else the packaged ``data/``."""
    configured = getattr(settings, "SCREENING_DATA_DIR", None)
    return Path(configured) if configured else None


def _require(actor: Principal, case: Case) -> None:
    # Views fetch cases through the access rules already; this keeps the API, imports and
    # commands from writing to a case the actor may not work.
    ensure_case(actor, case, Perm.CASE_CHANGE)


def _open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it before screening or assessing."))


def _draft(record: Screening | VulnerabilityAssessment) -> None:
    if record.is_final:
        raise ValidationError(
            _("This record is final and cannot change. Amend it to record a correction.")
        )


def person_is_child(case: Case, today: dt.date | None = None) -> bool:
    """A child case, or a person under 18 today (by date of birth, else at registration)."""
    person = case.person
    if case.is_child_case:
        return True
    age = person.age_on(today or timezone.localdate())
    if age is not None:
        return age < rules.CHILD_AGE_LIMIT
    return bool(person.is_minor)


def child_requirements(case: Case) -> list[str]:
    """What a child's case still lacks before a screening or assessment can be finalised."""
    if not person_is_child(case):
        return []
    missing = []
    if not case.best_interests_flag:
        missing.append(
            _(
                "This is a child's case: mark it as needing a best-interests determination "
                "before finalising."
            )
        )
    consent = active_consent(case.person, ConsentPurpose.ASSISTANCE)
    if consent is None or consent.method != ConsentMethod.CHILD_ASSENT:
        missing.append(
            _(
                "This is a child's case: record the child's assent with a guardian's consent "
                "for assistance before finalising."
            )
        )
    return missing


def _check_child_requirements(case: Case) -> None:
    missing = child_requirements(case)
    if missing:
        raise ValidationError(missing, code="child_requirements")


def _load_table(screening: Screening) -> rules.IndicatorTable:
    return rules.load_table(screening.table, screening.table_version, data_dir=data_dir())


def table_for(screening: Screening) -> rules.IndicatorTable:
    """The indicator table (at the screening's own version) a screening is answered against."""
    return _load_table(screening)


def catalogue_for(assessment: VulnerabilityAssessment) -> rules.DomvCatalogue:
    return rules.load_domv_catalogue(assessment.catalogue_version, data_dir=data_dir())


def choose_table(case: Case, age_at_recruitment: int | None, exploitation: str) -> str:
    """The table for this case; a child's case always uses a child list (docs/domain.md#child-lists)."""
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
    _require(actor, case)
    _open(case)
    if exploitation not in Exploitation.values:
        raise ValidationError({"exploitation": _("Choose the form of exploitation.")})
    if age_at_recruitment is not None and not 0 <= age_at_recruitment <= 120:
        raise ValidationError({"age_at_recruitment": _("Enter an age between 0 and 120.")})
    name = choose_table(case, age_at_recruitment, exploitation)
    table = rules.load_table(name, data_dir=data_dir())
    screening = Screening.objects.create(
        case=case,
        table=table.table,
        table_version=table.version,
        exploitation=exploitation,
        age_at_recruitment=age_at_recruitment,
        act_recorded=act_recorded,
        created_by=actor.user,
    )
    _store_result(screening)
    audit.record(
        "screening.start",
        actor=actor.user,
        obj=screening,
        organisation=case.organisation,
        changes={
            "table": (None, table.table),
            "table_version": (None, table.version),
            "exploitation": (None, exploitation),
        },
        request=request,
        scope=case,
    )
    return screening


@transaction.atomic
def set_act_recorded(
    *,
    actor: Principal,
    screening: Screening,
    act_recorded: bool,
    request: HttpRequest | None = None,
) -> Screening:
    """Record whether an act (recruitment, transport, …) is on file; the child rule uses it."""
    _require(actor, screening.case)
    _draft(screening)
    old = screening.act_recorded
    screening.act_recorded = act_recorded
    screening.save(update_fields=["act_recorded"])
    _store_result(screening)
    audit.record(
        "screening.act_recorded",
        actor=actor.user,
        obj=screening,
        organisation=screening.case.organisation,
        changes={"act_recorded": (old, act_recorded)},
        request=request,
        scope=screening.case,
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
    case = screening.case
    _require(actor, case)
    _draft(screening)
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
    _store_result(screening)
    audit.record(
        "screening.answer",
        actor=actor.user,
        obj=screening,
        organisation=case.organisation,
        fields=["note"] if note else [],
        changes={"indicator": (indicator, indicator), "value": (old, value)},
        request=request,
        scope=case,
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

    "Meets the trafficking profile" makes the person a possible victim (unless a formal
    identification decision already decided), and adds a task to refer them for formal
    identification. Audited: the outcome, the table version and any status change.
    """
    case = screening.case
    _require(actor, case)
    _draft(screening)
    _open(case)
    _check_child_requirements(case)
    result = _store_result(screening)
    screening.status = RecordStatus.FINAL
    screening.finalised_by = actor.user
    screening.finalised_at = timezone.now()
    screening.save(update_fields=["status", "finalised_by", "finalised_at"])
    audit.record(
        "screening.finalise",
        actor=actor.user,
        obj=screening,
        organisation=case.organisation,
        changes={
            "status": (RecordStatus.DRAFT, RecordStatus.FINAL),
            "outcome": (None, result.outcome.value),
            "table": (None, screening.table),
            "table_version": (None, screening.table_version),
        },
        request=request,
        scope=case,
    )
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
        case_services.add_task(
            actor=actor,
            case=case,
            title=_("Refer for formal identification"),
            due_on=timezone.localdate() + dt.timedelta(days=7),
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
    case = screening.case
    _require(actor, case)
    _open(case)
    if not screening.is_final:
        raise ValidationError(_("Only a final screening can be amended; edit the draft instead."))
    if Screening.objects.filter(amends=screening, status=RecordStatus.DRAFT).exists():
        raise ValidationError(_("A draft amending this screening already exists."))
    table = rules.load_table(screening.table, data_dir=data_dir())
    draft = Screening.objects.create(
        case=case,
        table=table.table,
        table_version=table.version,
        exploitation=screening.exploitation,
        age_at_recruitment=screening.age_at_recruitment,
        act_recorded=screening.act_recorded,
        amends=screening,
        created_by=actor.user,
    )
    IndicatorAnswer.objects.bulk_create(
        IndicatorAnswer(
            screening=draft,
            indicator=a.indicator,
            value=a.value,
            source=a.source,
            answered_on=a.answered_on,
            note=a.note,
            answered_by=a.answered_by,
        )
        for a in screening.answers.all()
        if a.indicator in table.indicator_codes
    )
    _store_result(draft)
    audit.record(
        "screening.amend",
        actor=actor.user,
        obj=draft,
        organisation=case.organisation,
        changes={
            "amends": (None, str(screening.id)),
            "table_version": (screening.table_version, table.version),
        },
        request=request,
        scope=case,
    )
    return draft


# Identification decision ---------------------------------------------------------------------


def decision_org_types() -> list[tuple[str, str]]:
    return htcds.value_set(DECISION_ORG_VALUE_SET)


@transaction.atomic
def record_identification_decision(
    *,
    actor: Principal,
    case: Case,
    decided_by_org_type: str,
    decided_on: dt.date,
    outcome: str,
    legal_basis: str = "",
    request: HttpRequest | None = None,
) -> IdentificationDecision:
    """Record a formal identification decision; it alone sets Actual or NotA (docs/domain.md#formal-identification).

    Audited: the outcome, who decided and when, and the person's status before and after.
    """
    _require(actor, case)
    if decided_by_org_type not in {code for code, _label in decision_org_types()}:
        raise ValidationError({"decided_by_org_type": _("Choose who decided from the list.")})
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The decision date cannot be in the future.")})
    person = case.person
    old = person.trafficking_status
    decision = IdentificationDecision.objects.create(
        case=case,
        decided_by_org_type=decided_by_org_type,
        decided_on=decided_on,
        outcome=outcome,
        legal_basis=legal_basis.strip(),
        previous_status=old,
        recorded_by=actor.user,
    )
    person.trafficking_status = outcome
    person.save(update_fields=["trafficking_status"])
    audit.record(
        "screening.identification_decision",
        actor=actor.user,
        obj=decision,
        organisation=case.organisation,
        fields=["legal_basis"] if legal_basis.strip() else [],
        changes={
            "decided_by_org_type": (None, decided_by_org_type),
            "decided_on": (None, decided_on.isoformat()),
            "outcome": (None, outcome),
            "trafficking_status": (old or None, outcome),
        },
        request=request,
        scope=case,
    )
    return decision


# Vulnerability assessment (DoMV) -------------------------------------------------------------


def compute_profile(assessment: VulnerabilityAssessment) -> rules.VulnerabilityProfile:
    """The DoMV profile of an assessment's answers against its own catalogue version."""
    situational = {e.factor for e in assessment.events.all()}
    answers = [
        rules.FactorAnswer(
            factor=a.factor,
            polarity=a.polarity,
            present=a.present,
            harms=frozenset(a.harms),
            situational=a.factor in situational,
        )
        for a in assessment.factor_answers.all()
    ]
    return rules.build_vulnerability_profile(answers, catalogue=catalogue_for(assessment))


def proposals(assessment: VulnerabilityAssessment) -> list[rules.ProposedResponse]:
    """Responses the assessment proposes; a final one answers from its stored profile."""
    if assessment.is_final and "proposals" in assessment.profile:
        return [
            rules.ProposedResponse(
                code=p["code"],
                horizon=p["horizon"],
                case_action=p["case_action"],
                harms=tuple(p["harms"]),
                factors=tuple(p["factors"]),
                children_only=p["children_only"],
            )
            for p in assessment.profile["proposals"]
        ]
    return rules.proposed_responses(
        compute_profile(assessment), person_is_child=person_is_child(assessment.case)
    )


def _proposal_dict(p: rules.ProposedResponse) -> dict[str, Any]:
    return {
        "code": p.code,
        "horizon": p.horizon,
        "case_action": p.case_action,
        "harms": list(p.harms),
        "factors": list(p.factors),
        "children_only": p.children_only,
    }


def _store_profile(assessment: VulnerabilityAssessment) -> rules.VulnerabilityProfile:
    profile = compute_profile(assessment)
    data = profile.as_dict()
    data["proposals"] = [
        _proposal_dict(p)
        for p in rules.proposed_responses(profile, person_is_child=person_is_child(assessment.case))
    ]
    assessment.profile = data
    assessment.save(update_fields=["profile"])
    return profile


@transaction.atomic
def start_assessment(
    *, actor: Principal, case: Case, request: HttpRequest | None = None
) -> VulnerabilityAssessment:
    """Start a draft DoMV assessment on the latest version of the factor catalogue."""
    _require(actor, case)
    _open(case)
    catalogue = rules.load_domv_catalogue(data_dir=data_dir())
    assessment = VulnerabilityAssessment.objects.create(
        case=case,
        catalogue=catalogue.catalogue,
        catalogue_version=catalogue.version,
        created_by=actor.user,
    )
    _store_profile(assessment)
    audit.record(
        "domv.start",
        actor=actor.user,
        obj=assessment,
        organisation=case.organisation,
        changes={
            "catalogue": (None, catalogue.catalogue),
            "catalogue_version": (None, catalogue.version),
        },
        request=request,
        scope=case,
    )
    return assessment


@transaction.atomic
def answer_factor(
    *,
    actor: Principal,
    assessment: VulnerabilityAssessment,
    factor: str,
    present: str,
    polarity: str = "",
    harms: Iterable[str] = (),
    evidence: str = "",
    observed_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> FactorAnswer:
    """Answer one factor of a draft assessment (polarity defaults to the catalogue's hint)."""
    case = assessment.case
    _require(actor, case)
    _draft(assessment)
    catalogue = catalogue_for(assessment)
    try:
        item = catalogue.factor(factor)
    except ValueError:
        raise ValidationError({"factor": _("This factor is not in the catalogue.")}) from None
    polarity = polarity or item.default_polarity
    if polarity not in item.framings:
        raise ValidationError({"polarity": _("This factor cannot be recorded with that polarity.")})
    if present not in Presence.values:
        raise ValidationError({"present": _("Choose yes, no or unknown.")})
    harm_list = [h for h in catalogue.harms if h in set(harms)]
    if set(harms) - set(catalogue.harms):
        raise ValidationError({"harms": _("Choose harms from the list.")})
    if observed_on is not None and observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("The date cannot be in the future.")})
    answer = FactorAnswer.objects.filter(assessment=assessment, factor=factor).first()
    old = answer.present if answer else None
    if answer is None:
        answer = FactorAnswer(assessment=assessment, factor=factor, answered_by=actor.user)
    answer.polarity = polarity
    answer.present = present
    answer.harms = harm_list
    answer.evidence = evidence.strip()
    answer.observed_on = observed_on
    answer.answered_by = actor.user
    answer.save()
    _store_profile(assessment)
    audit.record(
        "domv.answer",
        actor=actor.user,
        obj=assessment,
        organisation=case.organisation,
        fields=["evidence"] if evidence.strip() else [],
        changes={
            "factor": (factor, factor),
            "present": (old, present),
            "polarity": (None, polarity),
            "harms": (None, harm_list),
        },
        request=request,
        scope=case,
    )
    return answer


@transaction.atomic
def add_situational_event(
    *,
    actor: Principal,
    assessment: VulnerabilityAssessment,
    factor: str,
    description: str,
    occurred_on: dt.date,
    request: HttpRequest | None = None,
) -> SituationalEvent:
    """Record a sudden, unforeseen change against a factor of a draft assessment."""
    case = assessment.case
    _require(actor, case)
    _draft(assessment)
    try:
        catalogue_for(assessment).factor(factor)
    except ValueError:
        raise ValidationError({"factor": _("This factor is not in the catalogue.")}) from None
    if not description.strip():
        raise ValidationError({"description": _("Say what happened.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    event = SituationalEvent.objects.create(
        assessment=assessment,
        factor=factor,
        description=description.strip(),
        occurred_on=occurred_on,
        recorded_by=actor.user,
    )
    _store_profile(assessment)
    audit.record(
        "domv.event",
        actor=actor.user,
        obj=assessment,
        organisation=case.organisation,
        fields=["description"],
        changes={"factor": (None, factor), "occurred_on": (None, occurred_on.isoformat())},
        request=request,
        scope=case,
    )
    return event


@transaction.atomic
def finalise_assessment(
    *, actor: Principal, assessment: VulnerabilityAssessment, request: HttpRequest | None = None
) -> VulnerabilityAssessment:
    """Freeze an assessment with its profile, proposals and catalogue version."""
    case = assessment.case
    _require(actor, case)
    _draft(assessment)
    _open(case)
    _check_child_requirements(case)
    _store_profile(assessment)
    assessment.status = RecordStatus.FINAL
    assessment.finalised_by = actor.user
    assessment.finalised_at = timezone.now()
    assessment.save(update_fields=["status", "finalised_by", "finalised_at"])
    audit.record(
        "domv.finalise",
        actor=actor.user,
        obj=assessment,
        organisation=case.organisation,
        changes={
            "status": (RecordStatus.DRAFT, RecordStatus.FINAL),
            "catalogue_version": (None, assessment.catalogue_version),
        },
        request=request,
        scope=case,
    )
    return assessment


@transaction.atomic
def amend_assessment(
    *, actor: Principal, assessment: VulnerabilityAssessment, request: HttpRequest | None = None
) -> VulnerabilityAssessment:
    """Start a draft amending a final assessment, copying its answers and events."""
    case = assessment.case
    _require(actor, case)
    _open(case)
    if not assessment.is_final:
        raise ValidationError(_("Only a final assessment can be amended; edit the draft instead."))
    if VulnerabilityAssessment.objects.filter(
        amends=assessment, status=RecordStatus.DRAFT
    ).exists():
        raise ValidationError(_("A draft amending this assessment already exists."))
    catalogue = rules.load_domv_catalogue(data_dir=data_dir())
    codes = {f.code for f in catalogue.factors}
    draft = VulnerabilityAssessment.objects.create(
        case=case,
        catalogue=catalogue.catalogue,
        catalogue_version=catalogue.version,
        amends=assessment,
        created_by=actor.user,
    )
    FactorAnswer.objects.bulk_create(
        FactorAnswer(
            assessment=draft,
            factor=a.factor,
            polarity=a.polarity,
            present=a.present,
            harms=list(a.harms),
            evidence=a.evidence,
            observed_on=a.observed_on,
            answered_by=a.answered_by,
        )
        for a in assessment.factor_answers.all()
        if a.factor in codes
    )
    SituationalEvent.objects.bulk_create(
        SituationalEvent(
            assessment=draft,
            factor=e.factor,
            description=e.description,
            occurred_on=e.occurred_on,
            recorded_by=e.recorded_by,
        )
        for e in assessment.events.all()
        if e.factor in codes
    )
    _store_profile(draft)
    audit.record(
        "domv.amend",
        actor=actor.user,
        obj=draft,
        organisation=case.organisation,
        changes={
            "amends": (None, str(assessment.id)),
            "catalogue_version": (assessment.catalogue_version, catalogue.version),
        },
        request=request,
        scope=case,
    )
    return draft


def plan_source(assessment: VulnerabilityAssessment, code: str) -> str:
    return f"domv:{assessment.id}:{code}"


def response_label(code: str, catalogue: rules.DomvCatalogue | None = None) -> str:
    if code in labels.RESPONSE_LABELS:
        return str(labels.RESPONSE_LABELS[code])
    if catalogue is not None:
        for response in catalogue.responses:
            if response.code == code:
                return response.label
    return code


@transaction.atomic
def plan_from_proposals(
    *,
    actor: Principal,
    assessment: VulnerabilityAssessment,
    response_codes: Iterable[str],
    request: HttpRequest | None = None,
) -> list[PlanItem]:
    """Turn proposed immediate and medium-term responses into case-plan actions.

    Long-horizon responses are context for community and structural programming and are
    refused. A response already in the plan from this assessment is not added twice. Each plan
    item is audited by ``add_plan_item`` with its source ``domv:<assessment>:<response>``.
    """
    case = assessment.case
    _require(actor, case)
    codes = list(dict.fromkeys(response_codes))
    if not codes:
        raise ValidationError(_("Choose at least one proposed response to add to the case plan."))
    proposed = {p.code: p for p in proposals(assessment)}
    catalogue = catalogue_for(assessment)
    unknown = [c for c in codes if c not in proposed]
    if unknown:
        raise ValidationError(
            _("Not proposed by this assessment: %(codes)s.")
            % {"codes": ", ".join(response_label(c, catalogue) for c in unknown)}
        )
    long_term = [c for c in codes if not proposed[c].case_action]
    if long_term:
        raise ValidationError(
            _(
                "%(responses)s: long-term community or structural work is recorded as context "
                "for programming, not as an action in a person's case plan."
            )
            % {"responses": ", ".join(response_label(c, catalogue) for c in long_term)},
            code="long_horizon",
        )
    existing = set(
        PlanItem.objects.filter(case=case, source__startswith=f"domv:{assessment.id}:").values_list(
            "source", flat=True
        )
    )
    created = []
    for code in codes:
        source = plan_source(assessment, code)
        if source in existing:
            continue
        harms = ", ".join(str(_harm_label(h)) for h in proposed[code].harms)
        created.append(
            case_services.add_plan_item(
                actor=actor,
                case=case,
                goal=_("Reduce vulnerability to %(harms)s") % {"harms": harms}
                if harms
                else _("Reduce vulnerability"),
                action=response_label(code, catalogue),
                service_type=RESPONSE_SERVICE_TYPES.get(code, ""),
                responsible=case.assigned_to,
                source=source,
                request=request,
            )
        )
    return created


def _harm_label(code: str) -> str:
    try:
        return str(Harm(code).label)
    except ValueError:
        return code
