"""The review queue: nothing becomes a record before a reviewer accepts it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import principal, verified_client
from salama.cases.models import Case, CaseNote
from salama.core.models import AuditEntry
from salama.fieldforms import services
from salama.fieldforms.models import Submission
from salama.fieldforms.tests.workbooks import DEMO_FORM
from salama.people import services as people
from salama.people.models import Consent, Person

pytestmark = pytest.mark.django_db
MAPPING = {
    "given_name": "given_name",
    "family_name": "family_name",
    "sex": "sex",
    "estimated_age": "age",
    "nationality": "nationality",
    "languages": "languages",
    "phone": "phone",
    "first_contact_on": "met_on",
    "first_contact_place": "met_at",
    "case_type": "needs",
    "consent_assistance": "consent",
}


def answers_xml(version: Any, given: str = "Hana", family: str = "Haddad") -> bytes:
    return (
        f'<data id="first_contact" version="{version.version}"><given_name>{given}</given_name>'
        f"<family_name>{family}</family_name><sex>female</sex><age>29</age>"
        "<nationality>SY</nationality><languages>ar en</languages><phone>+962 7 9000 0000</phone>"
        "<met_on>2026-11-30</met_on><met_at>Ramtha border post</met_at><needs>trafficking</needs>"
        "<consent>yes</consent><photo/><notes>Travelling with a cousin</notes>"
        f"<meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta></data>"
    ).encode()


@pytest.fixture
def received(supervisor_a: Any) -> Any:
    actor = principal(supervisor_a)
    version = services.upload_form(
        actor=actor, content=DEMO_FORM.read_bytes(), filename="first_contact.xlsx"
    )
    services.set_mapping(actor=actor, version=version, mapping=MAPPING)
    app_user, _token = services.create_app_user(actor=actor, name="Phone", forms=[version.form])

    def receive(**names: str) -> Submission:
        return services.receive_submission(
            app_user=app_user, xml=answers_xml(version, **names), files={}
        ).submission

    return receive


def test_a_received_submission_creates_no_person_or_case(received: Any) -> None:
    received()
    assert not Person.objects.exists() and not Case.objects.exists()


def test_accepting_registers_the_person_opens_the_case_and_records_consent(
    received: Any, caseworker_a: Any
) -> None:
    submission = received()
    services.accept_submission(actor=principal(caseworker_a), submission=submission)
    submission.refresh_from_db()
    person, case = submission.person, submission.case
    assert submission.status == "accepted"
    assert (person.given_name, person.family_name, person.sex) == ("Hana", "Haddad", "female")
    assert person.nationalities == ["SY"] and person.languages == ["ar", "en"]
    assert person.first_contact_place == "Ramtha border post"
    assert case.case_type == "trafficking" and case.person == person
    assert Consent.objects.filter(person=person, purpose="assistance").exists()
    assert "Travelling with a cousin" in CaseNote.objects.get(case=case).body
    assert AuditEntry.objects.filter(action="fieldform.submission.accept").count() == 1


def test_the_reviewer_sees_the_registrys_duplicate_warning(
    received: Any, caseworker_a: Any
) -> None:
    actor = principal(caseworker_a)
    existing = people.register_person(actor=actor, given_name="Hana", family_name="Haddad")
    submission = received()
    opened = services.open_submission(reviewer=actor, submission=submission)
    found = services.duplicates_for(
        reviewer=actor, answers=opened.answers, mapping=submission.form_version.mapping
    )
    assert [c.person.pk for c in found] == [existing.pk]
    page = verified_client(caseworker_a).get(f"/fieldforms/review/{submission.pk}/")
    assert "This person may already be registered" in page.content.decode()
    services.accept_submission(actor=actor, submission=submission, person=existing)
    submission.refresh_from_db()
    assert submission.person == existing and Person.objects.count() == 1


def test_a_rejected_submission_keeps_its_reason_and_creates_nothing(
    received: Any, caseworker_a: Any
) -> None:
    submission = received()
    with pytest.raises(ValidationError):
        services.reject_submission(actor=principal(caseworker_a), submission=submission, reason=" ")
    services.reject_submission(
        actor=principal(caseworker_a), submission=submission, reason="A training entry"
    )
    submission.refresh_from_db()
    assert submission.status == "rejected" and submission.reject_reason == "A training entry"
    assert not Person.objects.exists()
    with pytest.raises(ValidationError):
        services.accept_submission(actor=principal(caseworker_a), submission=submission)


def test_another_organisations_caseworker_cannot_see_or_accept(
    received: Any, caseworker_b: Any
) -> None:
    submission = received()
    assert (
        verified_client(caseworker_b).get(f"/fieldforms/review/{submission.pk}/").status_code == 404
    )
    with pytest.raises(PermissionDenied):
        services.accept_submission(actor=principal(caseworker_b), submission=submission)


def test_an_acceptance_that_fails_midway_writes_nothing(received: Any, caseworker_a: Any) -> None:
    submission = received(given="", family="")
    with pytest.raises(ValidationError):
        services.accept_submission(actor=principal(caseworker_a), submission=submission)
    submission.refresh_from_db()
    assert submission.status == "received" and not Person.objects.exists()


def test_a_mapping_naming_a_missing_question_is_refused(supervisor_a: Any) -> None:
    actor = principal(supervisor_a)
    version = services.upload_form(actor=actor, content=DEMO_FORM.read_bytes(), filename="f.xlsx")
    with pytest.raises(ValidationError) as refused:
        services.set_mapping(actor=actor, version=version, mapping={"given_name": "first_name"})
    assert "no question named “first_name”" in str(refused.value)


def test_the_pages_show_forms_devices_and_queue(received: Any, supervisor_a: Any) -> None:
    submission = received()
    client = verified_client(supervisor_a)
    form_page = client.get(f"/fieldforms/forms/{submission.form_version.form_id}/")
    assert "Preview: what one submission would create" in form_page.content.decode()
    created = client.post(
        "/fieldforms/devices/",
        {"name": "Second phone", "forms": [str(submission.form_version.form_id)]},
    )
    assert 'class="qr"' in created.content.decode()
    queue = client.get("/fieldforms/review/")
    assert str(submission.pk) in queue.content.decode()
    detail = client.get(f"/fieldforms/review/{submission.pk}/")
    assert "Ramtha border post" in detail.content.decode()


def test_erasing_a_person_shreds_the_submission_accepted_into_them(
    received: Any, caseworker_a: Any, supervisor_a: Any
) -> None:
    submission = received()
    services.accept_submission(actor=principal(caseworker_a), submission=submission)
    submission.refresh_from_db()
    people.erase_person(
        actor=principal(supervisor_a), person=submission.person, reason="person_request"
    )
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.data_key.is_shredded
    opened = services.open_submission(reviewer=principal(caseworker_a), submission=submission)
    assert opened.answers == {} and "erased" in opened.error


def test_the_reviewer_can_add_a_submission_to_an_existing_case_she_may_see(
    received: Any, caseworker_a: Any
) -> None:
    from salama.cases.services import open_case

    actor = principal(caseworker_a)
    existing = people.register_person(actor=actor, given_name="Hana", family_name="Haddad")
    case = open_case(actor=actor, person=existing, case_type="trafficking")
    submission = received()
    client = verified_client(caseworker_a)
    page = client.get(f"/fieldforms/review/{submission.pk}/").content.decode()
    assert "Add to an existing case" in page and case.reference in page
    answer = client.post(
        f"/fieldforms/review/{submission.pk}/accept/",
        {"person": str(existing.pk), "case": str(case.pk)},
    )
    assert answer.status_code == 302 and answer["Location"] == case.get_absolute_url()
    submission.refresh_from_db()
    assert (submission.person, submission.case) == (existing, case)
    assert Person.objects.count() == 1 and Case.objects.count() == 1
    assert "Travelling with a cousin" in CaseNote.objects.get(case=case).body


def test_a_case_the_reviewer_may_not_see_cannot_receive_a_submission(
    received: Any, caseworker_a: Any, caseworker_b: Any
) -> None:
    from salama.cases.services import open_case

    other = principal(caseworker_b)
    theirs = open_case(
        actor=other,
        person=people.register_person(actor=other, given_name="Hana", family_name="Haddad"),
        case_type="trafficking",
    )
    submission = received()
    answer = verified_client(caseworker_a).post(
        f"/fieldforms/review/{submission.pk}/accept/", {"case": str(theirs.pk)}
    )
    assert answer.status_code == 404
    with pytest.raises(PermissionDenied):
        services.accept_submission(
            actor=principal(caseworker_a), submission=submission, case=theirs
        )
    submission.refresh_from_db()
    assert submission.status == "received" and Case.objects.count() == 1


def test_mapped_screening_answers_start_a_draft_screening_on_the_accepted_case(
    supervisor_a: Any, caseworker_a: Any
) -> None:
    from salama.fieldforms import mapping as mapping_rules
    from salama.screening.models import IndicatorAnswer, Screening

    actor = principal(supervisor_a)
    version = services.upload_form(
        actor=actor, content=DEMO_FORM.read_bytes(), filename="first_contact.xlsx"
    )
    from salama.screening.rules import load_table

    code = load_table("ilo-2009-adult-labour").indicators[0].code
    assert f"screening:{code}" in mapping_rules.all_targets()
    services.set_mapping(
        actor=actor,
        version=version,
        mapping={**MAPPING, "screening_exploitation": "met_at", f"screening:{code}": "consent"},
    )
    app_user, _token = services.create_app_user(actor=actor, name="Phone", forms=[version.form])
    xml = answers_xml(version).replace(b"Ramtha border post", b"labour")
    submission = services.receive_submission(app_user=app_user, xml=xml, files={}).submission
    opened = services.open_submission(reviewer=principal(caseworker_a), submission=submission)
    plan = mapping_rules.plan(opened.answers, submission.form_version.mapping)
    assert plan.screening_exploitation == "labour"
    assert "Screening: form of exploitation" in [label for label, _v in plan.rows()]
    services.accept_submission(actor=principal(caseworker_a), submission=submission)
    submission.refresh_from_db()
    screening = Screening.objects.get(case=submission.case)
    assert screening.exploitation == "labour" and screening.finalised_at is None
    answers = {a.indicator: a.value for a in IndicatorAnswer.objects.filter(screening=screening)}
    assert answers == {code: "present"}  # on the adult labour list the profile chose
    assert AuditEntry.objects.filter(action="screening.start").exists()


def test_a_screening_answer_that_is_not_yes_or_no_is_a_problem_named_in_the_plan() -> None:
    from salama.fieldforms import mapping as mapping_rules

    code = sorted(mapping_rules.screening_mapping._indicators())[0]
    plan = mapping_rules.plan(
        {"given": "Hana", "q": "perhaps"}, {"given_name": "given", f"screening:{code}": "q"}
    )
    assert any(code in p and "perhaps" in p for p in plan.problems)
    answered = mapping_rules.plan(
        {"given": "Hana", "q": "yes"}, {"given_name": "given", f"screening:{code}": "q"}
    )
    assert answered.screening_answers == {code: "present"}
    assert any("form of exploitation" in p for p in answered.problems)
