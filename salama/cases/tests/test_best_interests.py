"""A child's best-interests assessment (BIA) and determination (BID)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import principal, verified_client
from salama.cases import best_interests
from salama.cases.best_interests_models import BestInterestsAssessment, BestInterestsDetermination
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.core.models import AuditEntry
from salama.people import services as people

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FULL = best_interests.AssessmentInput(
    assessed_on=TODAY,
    child_views_heard=True,
    views_how="Heard alone with an interpreter in Tigrinya; wants to stay with his mother.",
    safety="The recruiter knows where the family lived.",
    family="Mother and sister in the shelter.",
    health="Well; sleeps badly.",
    education="Out of school for a year.",
    identity="Orthodox; speaks Tigrinya and some Arabic.",
    recommendations="Keep him with his mother; enrol him in school.",
)


def child_case(user, *, born=dt.date(2014, 4, 2), estimated_age=None) -> Case:
    actor = principal(user)
    kwargs = (
        {"estimated_age": estimated_age} if estimated_age is not None else {"date_of_birth": born}
    )
    person = people.register_person(
        actor=actor, given_name="Dawit", family_name="Tesfaye", **kwargs
    )
    return open_case(actor=actor, person=person, case_type="trafficking")


def completed(user, case: Case) -> BestInterestsAssessment:
    return best_interests.record_best_interests_assessment(
        actor=principal(user), case=case, data=FULL, complete=True
    )


def decide(
    user, case: Case, assessment: BestInterestsAssessment, **overrides
) -> BestInterestsDetermination:
    kwargs = {
        "decided_on": TODAY,
        "panel": ["chair", "child_protection", "legal"],
        "decision": "family_reunification",
        "reasons": "He wants to stay with his mother, who can keep him safe.",
    }
    kwargs.update(overrides)
    return best_interests.record_best_interests_determination(
        actor=principal(user), case=case, assessment=assessment, **kwargs
    )


def test_only_a_childs_case_gets_an_assessment(caseworker_a):
    adult = child_case(caseworker_a, born=dt.date(1990, 1, 1))
    with pytest.raises(ValidationError, match="children only"):
        completed(caseworker_a, adult)
    assert completed(caseworker_a, child_case(caseworker_a)).is_completed


def test_an_estimated_age_under_eighteen_makes_a_child(caseworker_a):
    assert best_interests.case_is_for_child(child_case(caseworker_a, estimated_age=15))
    assert not best_interests.case_is_for_child(child_case(caseworker_a, estimated_age=30))


def test_a_child_who_turned_eighteen_after_the_case_opened_is_still_assessed(caseworker_a):
    case = child_case(caseworker_a, born=TODAY.replace(year=TODAY.year - 18) - dt.timedelta(days=3))
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - dt.timedelta(days=10))
    case.refresh_from_db()
    assert best_interests.case_is_for_child(case)


def test_only_a_childs_case_gets_a_determination(caseworker_a, supervisor_a):
    case = child_case(caseworker_a)
    assessment = completed(caseworker_a, case)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now().replace(year=2040))
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="children only"):
        decide(supervisor_a, case, assessment)


def test_a_determination_needs_a_completed_assessment(caseworker_a, supervisor_a):
    case = child_case(caseworker_a)
    draft = best_interests.record_best_interests_assessment(
        actor=principal(caseworker_a), case=case, data=FULL
    )
    with pytest.raises(ValidationError, match="completed best-interests assessment"):
        decide(supervisor_a, case, draft)
    best_interests.change_best_interests_assessment(
        actor=principal(caseworker_a),
        assessment=draft,
        data=FULL,
        complete=True,
        expected_version=1,
    )
    determination = decide(supervisor_a, case, draft)
    assert determination.panel == ["chair", "child_protection", "legal"]
    assert determination.reasons.startswith("He wants")


def test_a_caseworker_cannot_record_a_determination(caseworker_a):
    case = child_case(caseworker_a)
    with pytest.raises(PermissionDenied):
        decide(caseworker_a, case, completed(caseworker_a, case))
    assert not BestInterestsDetermination.objects.exists()


def test_a_completed_assessment_is_not_changed(caseworker_a):
    case = child_case(caseworker_a)
    assessment = completed(caseworker_a, case)
    with pytest.raises(ValidationError, match="record a new assessment"):
        best_interests.change_best_interests_assessment(
            actor=principal(caseworker_a), assessment=assessment, data=FULL, expected_version=1
        )


def test_completing_needs_the_recommendations_and_the_childs_views(caseworker_a):
    case = child_case(caseworker_a)
    bare = best_interests.AssessmentInput(assessed_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        best_interests.record_best_interests_assessment(
            actor=principal(caseworker_a), case=case, data=bare, complete=True
        )
    assert set(refused.value.message_dict) == {"recommendations", "views_how"}


def test_a_panel_names_at_least_two_roles_and_decides_after_the_assessment(
    caseworker_a, supervisor_a
):
    case = child_case(caseworker_a)
    assessment = completed(caseworker_a, case)
    with pytest.raises(ValidationError) as refused:
        decide(
            supervisor_a, case, assessment, panel=["chair"], decided_on=TODAY - dt.timedelta(days=1)
        )
    assert set(refused.value.message_dict) == {"panel", "decided_on"}


def test_an_old_draft_is_refused_when_someone_else_saved_it(caseworker_a, supervisor_a):
    from salama.core.errors import ConflictError

    case = child_case(caseworker_a)
    draft = best_interests.record_best_interests_assessment(
        actor=principal(caseworker_a), case=case, data=FULL
    )
    best_interests.change_best_interests_assessment(
        actor=principal(supervisor_a), assessment=draft, data=FULL, expected_version=1
    )
    stale = BestInterestsAssessment.objects.get(pk=draft.pk)
    with pytest.raises(ConflictError):
        best_interests.change_best_interests_assessment(
            actor=principal(caseworker_a), assessment=stale, data=FULL, expected_version=1
        )


def test_assessment_and_determination_are_audited_without_their_text(caseworker_a, supervisor_a):
    case = child_case(caseworker_a)
    decide(supervisor_a, case, completed(caseworker_a, case))
    bia = AuditEntry.objects.get(action="case.best_interests_assessment")
    bid = AuditEntry.objects.get(action="case.best_interests_determination")
    assert "recommendations" in bia.fields and "reasons" in bid.fields
    dumped = json.dumps([bia.changes, bid.changes])
    assert "mother" not in dumped and "family_reunification" in dumped


# Pages and API --------------------------------------------------------------------------------


def test_the_case_page_shows_the_childs_assessment_and_determination(caseworker_a, supervisor_a):
    case = child_case(caseworker_a)
    decide(supervisor_a, case, completed(caseworker_a, case))
    page = verified_client(supervisor_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="household"' in page
    assert "enrol him in school" in page and "family reunification" in page


def test_an_adults_case_page_shows_the_household_without_best_interests(caseworker_a):
    case = child_case(caseworker_a, born=dt.date(1990, 1, 1))
    page = verified_client(caseworker_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="household"' in page
    assert "Record a best-interests assessment" not in page


def test_the_case_page_records_an_assessment_and_a_supervisor_the_determination(
    caseworker_a, supervisor_a
):
    case = child_case(caseworker_a)
    cw = verified_client(caseworker_a)
    response = cw.post(
        f"/cases/{case.pk}/best-interests/assessments/",
        {
            "bia-assessed_on": TODAY.isoformat(),
            "bia-child_views_heard": "on",
            "bia-views_how": "Heard alone",
            "bia-recommendations": "Stay with his mother",
            "bia-complete": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = BestInterestsAssessment.objects.get(case=case)
    assert assessment.is_completed
    body = {
        "bid-assessment": str(assessment.pk),
        "bid-decided_on": TODAY.isoformat(),
        "bid-panel": ["chair", "legal"],
        "bid-decision": "alternative_care",
        "bid-reasons": "No safe relative",
    }
    assert cw.post(f"/cases/{case.pk}/best-interests/determinations/", body).status_code == 403
    assert (
        verified_client(supervisor_a)
        .post(f"/cases/{case.pk}/best-interests/determinations/", body)
        .status_code
        == 302
    )
    assert BestInterestsDetermination.objects.get(case=case).decision == "alternative_care"


def test_the_case_page_says_what_to_fix_in_an_assessment(caseworker_a):
    case = child_case(caseworker_a)
    response = verified_client(caseworker_a).post(
        f"/cases/{case.pk}/best-interests/assessments/",
        {"bia-assessed_on": TODAY.isoformat(), "bia-complete": "on"},
    )
    assert response.status_code == 400
    assert "Write the recommendations before completing" in response.content.decode()


def test_the_api_records_and_reads_best_interests(caseworker_a, supervisor_a):
    case = child_case(caseworker_a)
    base = f"/api/v1/cases/{case.pk}/best-interests"
    cw = verified_client(caseworker_a)
    draft = cw.post(
        f"{base}/assessments",
        {"assessed_on": TODAY.isoformat(), "safety": "Safe at the shelter"},
        content_type="application/json",
    )
    assert draft.status_code == 201, draft.content
    aid = draft.json()["id"]
    done = cw.put(
        f"{base}/assessments/{aid}",
        {
            **{k: getattr(FULL, k) for k in ("views_how", "recommendations")},
            "assessed_on": TODAY.isoformat(),
            "child_views_heard": True,
            "complete": True,
            "version": 1,
        },
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    body = {
        "assessment": aid,
        "decided_on": TODAY.isoformat(),
        "panel": ["chair", "un_agency"],
        "decision": "local_integration",
        "reasons": "Settled, in school",
    }
    assert (
        cw.post(f"{base}/determinations", body, content_type="application/json").status_code == 403
    )
    sup = verified_client(supervisor_a)
    made = sup.post(f"{base}/determinations", body, content_type="application/json")
    assert made.status_code == 201, made.content
    read = sup.get(base).json()
    assert read["is_child"] is True
    assert [d["decision"] for d in read["determinations"]] == ["local_integration"]


def test_another_organisation_reaches_no_best_interests(caseworker_a, supervisor_b):
    case = child_case(caseworker_a)
    completed(caseworker_a, case)
    client = verified_client(supervisor_b)
    assert client.get(f"/api/v1/cases/{case.pk}/best-interests").status_code == 404
    assert client.post(f"/cases/{case.pk}/best-interests/assessments/", {}).status_code == 404
