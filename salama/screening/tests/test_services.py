"""Screening, identification and DoMV services: immutability, versions, status and plan."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import principal
from salama.accounts.models import User
from salama.cases.models import Case, PlanItem, Task
from salama.cases.services import open_case
from salama.core.models import AuditEntry
from salama.people.choices import ConsentMethod, TraffickingStatus
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import record_consent, register_person
from salama.screening import services
from salama.screening.models import IndicatorAnswer, Screening

pytestmark = pytest.mark.django_db

PACKAGED_DATA = Path(services.__file__).resolve().parent / "data"
# Positive D1 (1S+1M), D4 (1S+1M) and D5 (2S) on the labour lists: the adult rule is met.
MEETS_PROFILE = {
    "d1_deceived_nature_of_job": "present",
    "d1_deceived_conditions_of_work": "present",
    "d4_excessive_working_days_or_hours": "present",
    "d4_bad_living_conditions": "present",
    "d5_confiscation_of_documents": "present",
    "d5_debt_bondage": "present",
}


def make_case(user: User, *, date_of_birth: dt.date | None = None, **overrides: Any) -> Case:
    person = register_person(
        actor=principal(user),
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=date_of_birth or dt.date(1994, 5, 17),
    )
    kwargs: dict[str, Any] = {"case_type": "trafficking"}
    kwargs.update(overrides)
    return open_case(actor=principal(user), person=person, **kwargs)


def make_child_case(user: User) -> Case:
    today = timezone.localdate()
    return make_case(user, date_of_birth=today.replace(year=today.year - 15) - dt.timedelta(days=3))


def record_child_assent(user: User, case: Case) -> None:
    record_consent(
        actor=principal(user),
        person=case.person,
        purpose="assistance",
        method=ConsentMethod.CHILD_ASSENT,
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        guardian_name="Guardian Name",
    )


def screen(user: User, case: Case, answers: dict[str, str], **kwargs: Any) -> Screening:
    kwargs.setdefault("exploitation", "labour")
    screening = services.start_screening(actor=principal(user), case=case, **kwargs)
    for code, value in answers.items():
        services.answer_indicator(
            actor=principal(user), screening=screening, indicator=code, value=value
        )
    return screening


# Screening --------------------------------------------------------------------------------


def test_adult_labour_screening_uses_the_latest_adult_table(caseworker_a):
    screening = screen(caseworker_a, make_case(caseworker_a), {}, age_at_recruitment=25)
    assert (screening.table, screening.table_version) == ("ilo-2009-adult-labour", "1")
    assert screening.outcome == "no_indicators"


def test_answers_refresh_the_stored_draft_result(caseworker_a):
    screening = screen(caseworker_a, make_case(caseworker_a), MEETS_PROFILE)
    screening.refresh_from_db()
    assert screening.outcome == "meets_profile"
    assert screening.result["version"] == "1"
    assert {d["dimension"] for d in screening.result["dimensions"] if d["positive"]} == {
        "D1",
        "D4",
        "D5",
    }


def test_unknown_indicator_is_refused(caseworker_a):
    with pytest.raises(ValidationError, match="not in the screening"):
        screen(caseworker_a, make_case(caseworker_a), {"no_such_code": "present"})


def test_finalised_screening_is_immutable(caseworker_a):
    screening = screen(caseworker_a, make_case(caseworker_a), {"d1_deceived_contract": "present"})
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    with pytest.raises(ValidationError, match="final and cannot change"):
        services.answer_indicator(
            actor=principal(caseworker_a),
            screening=screening,
            indicator="d1_deceived_contract",
            value="absent",
        )
    with pytest.raises(ValidationError, match="final and cannot change"):
        services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    assert IndicatorAnswer.objects.get(screening=screening).value == "present"


def test_meets_profile_makes_a_possible_victim_and_a_referral_task(caseworker_a):
    case = make_case(caseworker_a)
    assert case.stage == "registered"
    screening = screen(caseworker_a, case, MEETS_PROFILE)
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    case.person.refresh_from_db()
    assert case.person.trafficking_status == TraffickingStatus.POSSIBLE
    tasks = list(Task.objects.filter(case=case))
    assert [(t.title, t.kind) for t in tasks] == [
        ("Refer for formal identification", "refer_for_identification")
    ]
    assert Case.objects.get(pk=case.pk).stage == "screened"
    assert services.proposed_stage(case) == "referred_for_identification"
    actions = set(AuditEntry.objects.filter(scope_id=str(case.id)).values_list("action", flat=True))
    assert {"screening.finalise", "person.trafficking_status", "case.task_add"} <= actions


def test_indicators_present_changes_no_status(caseworker_a):
    case = make_case(caseworker_a)
    screening = screen(caseworker_a, case, {"d1_deceived_nature_of_job": "present"})
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    case.person.refresh_from_db()
    assert screening.outcome == "indicators_present"
    assert case.person.trafficking_status == ""
    assert not Task.objects.filter(case=case).exists()
    # Whatever its outcome, a finalised screening means the case was screened.
    assert Case.objects.get(pk=case.pk).stage == "screened"


def test_meets_profile_does_not_override_an_identification_decision(caseworker_a, supervisor_a):
    case = make_case(caseworker_a)
    services.record_identification_decision(
        actor=principal(supervisor_a),
        case=case,
        step="conclusive_grounds",
        decided_by_org_type="Police",
        authority_name="National police anti-trafficking unit",
        decided_on=timezone.localdate(),
        outcome="negative",
    )
    screening = screen(caseworker_a, case, MEETS_PROFILE)
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    case.person.refresh_from_db()
    assert case.person.trafficking_status == TraffickingStatus.NOT_A_VICTIM
    assert not Task.objects.filter(case=case).exists()  # identification already decided


def test_amend_copies_answers_and_keeps_the_old_result(caseworker_a):
    screening = screen(caseworker_a, make_case(caseworker_a), MEETS_PROFILE)
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    old_result = dict(screening.result)
    draft = services.amend_screening(actor=principal(caseworker_a), screening=screening)
    assert draft.amends == screening and draft.status == "draft"
    assert {a.indicator: a.value for a in draft.answers.all()} == MEETS_PROFILE
    services.answer_indicator(
        actor=principal(caseworker_a),
        screening=draft,
        indicator="d5_debt_bondage",
        value="absent",
    )
    services.answer_indicator(
        actor=principal(caseworker_a),
        screening=draft,
        indicator="d5_confiscation_of_documents",
        value="absent",
    )
    draft.refresh_from_db()
    screening.refresh_from_db()
    assert draft.outcome == "indicators_present"
    assert screening.result == old_result and screening.outcome == "meets_profile"
    assert screening.table_version == "1"
    with pytest.raises(ValidationError, match="already exists"):
        services.amend_screening(actor=principal(caseworker_a), screening=screening)


def test_a_new_table_version_leaves_past_results_unchanged(caseworker_a, settings, tmp_path):
    settings.SCREENING_DATA_DIR = str(tmp_path)
    for path in PACKAGED_DATA.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    case = make_case(caseworker_a)
    old = screen(caseworker_a, case, MEETS_PROFILE)
    services.finalise_screening(actor=principal(caseworker_a), screening=old)
    old_result = dict(old.result)
    # Version 2 makes every dimension need 2 S: the old answers no longer meet the profile.
    raw = json.loads((tmp_path / "ilo-2009-adult-labour.v1.json").read_text())
    raw["version"] = "2"
    raw["dimension_threshold"]["combinations"] = [{"S": 2}]
    (tmp_path / "ilo-2009-adult-labour.v2.json").write_text(json.dumps(raw))

    new = screen(caseworker_a, case, MEETS_PROFILE)
    amended = services.amend_screening(actor=principal(caseworker_a), screening=old)
    old.refresh_from_db()
    assert (new.table_version, amended.table_version) == ("2", "2")
    assert new.outcome == amended.outcome == "indicators_present"
    assert old.table_version == "1" and old.result == old_result
    assert old.outcome == "meets_profile"
    # A draft on v1 keeps being computed with v1.
    assert services.compute(old).version == "1"


def test_child_case_uses_the_child_table(caseworker_a):
    case = make_child_case(caseworker_a)
    screening = screen(caseworker_a, case, {}, exploitation="sexual")
    assert screening.table == "ilo-2009-child-sexual"
    assert screening.result["provisional"] is True
    with pytest.raises(ValidationError, match="under 18"):
        screen(caseworker_a, case, {}, age_at_recruitment=19)


def test_adult_recruited_as_a_child_uses_the_child_table(caseworker_a):
    screening = screen(caseworker_a, make_case(caseworker_a), {}, age_at_recruitment=16)
    assert screening.table == "ilo-2009-child-labour"


def test_child_case_needs_assent_and_best_interests_flag_to_finalise(caseworker_a):
    case = make_child_case(caseworker_a)
    Case.objects.filter(pk=case.pk).update(best_interests_flag=False)
    case.refresh_from_db()
    screening = screen(caseworker_a, case, {"d4_hazardous_work": "present"})
    with pytest.raises(ValidationError) as excinfo:
        services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    assert any("best-interests" in m for m in excinfo.value.messages)
    assert any("assent" in m for m in excinfo.value.messages)
    Case.objects.filter(pk=case.pk).update(best_interests_flag=True)
    case.refresh_from_db()
    record_child_assent(caseworker_a, case)
    screening.case = case
    services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    assert screening.status == "final"


def test_child_rule_accepts_a_recorded_act_in_place_of_recruitment(caseworker_a):
    case = make_child_case(caseworker_a)
    screening = screen(
        caseworker_a,
        case,
        {"d4_excessive_working_days_or_hours": "present", "d4_bad_living_conditions": "present"},
    )
    assert screening.outcome == "indicators_present"
    services.set_act_recorded(actor=principal(caseworker_a), screening=screening, act_recorded=True)
    assert screening.outcome == "meets_profile"


def test_other_organisation_cannot_screen(caseworker_a, caseworker_b):
    case = make_case(caseworker_a)
    with pytest.raises(PermissionDenied):
        services.start_screening(actor=principal(caseworker_b), case=case, exploitation="labour")


def test_data_officer_cannot_screen(caseworker_a, data_officer_a):
    case = make_case(caseworker_a)
    with pytest.raises(PermissionDenied):
        services.start_screening(actor=principal(data_officer_a), case=case, exploitation="labour")


# Identification decision -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("positive", TraffickingStatus.ACTUAL), ("negative", TraffickingStatus.NOT_A_VICTIM)],
)
def test_identification_decision_sets_status_and_is_audited(
    caseworker_a, supervisor_a, outcome, status
):
    case = make_case(caseworker_a)
    decision = services.record_identification_decision(
        actor=principal(supervisor_a),
        case=case,
        step="conclusive_grounds",
        decided_by_org_type="CourtOrProsecution",
        authority_name="Public prosecutor, Amman",
        decided_on=timezone.localdate(),
        outcome=outcome,
        legal_basis="Art. 10 national anti-trafficking law",
    )
    case.person.refresh_from_db()
    assert case.person.trafficking_status == status
    decision.refresh_from_db()
    assert decision.legal_basis == "Art. 10 national anti-trafficking law"
    assert decision.trafficking_status == status
    entry = AuditEntry.objects.get(action="screening.identification_decision")
    assert entry.scope_id == str(case.id)
    assert entry.changes["trafficking_status"] == [None, status]
    assert "legal_basis" in entry.fields
    assert "Art. 10" not in json.dumps(entry.changes)


def test_identification_decision_refuses_an_unknown_body(caseworker_a, supervisor_a):
    with pytest.raises(ValidationError, match="type of competent authority"):
        services.record_identification_decision(
            actor=principal(supervisor_a),
            case=make_case(caseworker_a),
            step="reasonable_grounds",
            decided_by_org_type="Neighbour",
            authority_name="The neighbour",
            decided_on=timezone.localdate(),
            outcome="positive",
        )


# Vulnerability assessment ------------------------------------------------------------------


def assess(user: User, case: Case) -> Any:
    assessment = services.start_assessment(actor=principal(user), case=case)
    services.answer_factor(
        actor=principal(user),
        assessment=assessment,
        factor="ind_legal_status",
        present="yes",
        harms=["exploitation", "rights_violations"],
        evidence="No valid residence permit",
    )
    services.answer_factor(
        actor=principal(user),
        assessment=assessment,
        factor="com_organised_crime",
        present="yes",
    )
    services.answer_factor(
        actor=principal(user),
        assessment=assessment,
        factor="hh_dynamics",
        polarity="protective",
        present="yes",
        harms=["violence"],
    )
    return assessment


def test_profile_counts_by_level_and_harm(caseworker_a):
    assessment = assess(caseworker_a, make_case(caseworker_a))
    profile = services.compute_profile(assessment)
    assert profile.level("individual").risk == 1
    assert profile.level("household").protective == 1
    assert profile.harm("exploitation").risk == 1
    assert profile.harm("violence").protective == 1
    assessment.refresh_from_db()
    assert assessment.profile["version"] == "1"
    assert assessment.profile["proposals"]


def test_situational_event_marks_the_factor(caseworker_a):
    assessment = assess(caseworker_a, make_case(caseworker_a))
    services.add_situational_event(
        actor=principal(caseworker_a),
        assessment=assessment,
        factor="ind_legal_status",
        description="Residence permit revoked",
        occurred_on=timezone.localdate(),
    )
    assert services.compute_profile(assessment).situational_factors == ("ind_legal_status",)


def test_finalised_assessment_is_immutable_and_amend_copies(caseworker_a):
    assessment = assess(caseworker_a, make_case(caseworker_a))
    services.finalise_assessment(actor=principal(caseworker_a), assessment=assessment)
    with pytest.raises(ValidationError, match="final"):
        services.answer_factor(
            actor=principal(caseworker_a),
            assessment=assessment,
            factor="ind_age",
            present="yes",
        )
    draft = services.amend_assessment(actor=principal(caseworker_a), assessment=assessment)
    assert draft.amends == assessment
    assert draft.factor_answers.count() == 3


def test_plan_from_proposals_creates_plan_items(caseworker_a):
    case = make_case(caseworker_a)
    assessment = assess(caseworker_a, case)
    codes = [p.code for p in services.proposals(assessment) if p.case_action]
    assert "documentation" in codes and "safe_accommodation" in codes
    items = services.plan_from_proposals(
        actor=principal(caseworker_a),
        assessment=assessment,
        response_codes=["documentation", "safe_accommodation"],
    )
    assert {i.source for i in items} == {
        f"domv:{assessment.id}:documentation",
        f"domv:{assessment.id}:safe_accommodation",
    }
    assert PlanItem.objects.get(source=f"domv:{assessment.id}:documentation").action == (
        "Documentation"
    )
    again = services.plan_from_proposals(
        actor=principal(caseworker_a), assessment=assessment, response_codes=["documentation"]
    )
    assert again == [] and PlanItem.objects.filter(case=case).count() == 2


def test_plan_from_proposals_refuses_long_horizon_responses(caseworker_a):
    case = make_case(caseworker_a)
    assessment = assess(caseworker_a, case)
    long_term = [p.code for p in services.proposals(assessment) if p.horizon == "long"]
    assert long_term
    with pytest.raises(ValidationError, match="not as an action"):
        services.plan_from_proposals(
            actor=principal(caseworker_a),
            assessment=assessment,
            response_codes=["documentation", long_term[0]],
        )
    assert not PlanItem.objects.filter(case=case).exists()


def test_plan_from_proposals_refuses_responses_not_proposed(caseworker_a):
    assessment = assess(caseworker_a, make_case(caseworker_a))
    with pytest.raises(ValidationError, match="Not proposed"):
        services.plan_from_proposals(
            actor=principal(caseworker_a),
            assessment=assessment,
            response_codes=["family_reunification"],
        )


def test_child_assessment_needs_assent_to_finalise(caseworker_a):
    case = make_child_case(caseworker_a)
    assessment = services.start_assessment(actor=principal(caseworker_a), case=case)
    with pytest.raises(ValidationError, match="assent"):
        services.finalise_assessment(actor=principal(caseworker_a), assessment=assessment)
