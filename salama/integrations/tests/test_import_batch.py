"""The batch import path: the same records, audit and events as the services, written in bulk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import principal
from salama.cases.models import Case
from salama.cases.services import open_case
from salama.core import audit
from salama.core.models import AuditEntry
from salama.core.roles import Role
from salama.integrations import import_batch
from salama.integrations import import_services as imports
from salama.integrations.import_models import ImportJob, ImportStatus
from salama.integrations.models import Delivery
from salama.integrations.tests.factories import make_integration
from salama.people.duplicates_batch import Wanted, count_duplicates
from salama.people.models import NameToken, Person, TokenFrequency
from salama.people.services import find_duplicates, register_person

pytestmark = pytest.mark.django_db

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "place_of_birth",
    "first_contact_place",
    "name_script",
    "sex",
    "gender",
    "birth_date_accuracy",
    "age_at_registration",
    "age_band",
    "is_minor",
    "nationalities",
    "citizenships",
    "languages",
    "first_contact_on",
    "registered_by_id",
    "created_by_id",
    "version",
    "trafficking_status",
    "erased_at",
)
CASE_FIELDS = (
    "organisation_id",
    "case_type",
    "stage",
    "stage_table_version",
    "assigned_to_id",
    "supervisor_id",
    "jurisdiction",
    "is_child_case",
    "best_interests_flag",
    "summary",
    "version",
    "closed_at",
)


def _import(user: Any, content: str, commit: bool = True) -> ImportJob:
    actor = principal(user)
    job = imports.create_import(actor=actor, file_name="people.csv", content=content.encode())
    imports.start_import(actor=actor, job=job, commit=commit)
    imports.run_import(str(job.pk))
    return ImportJob.objects.get(pk=job.pk)


def _tokens(person: Person) -> set[int]:
    return set(NameToken.objects.filter(person=person).values_list("token", flat=True))


def _entries(obj_id: Any) -> list[tuple[str, list[str], list[str]]]:
    return [
        (e.action, e.fields, sorted(e.changes))
        for e in AuditEntry.objects.filter(object_id=str(obj_id)).order_by("id")
    ]


def test_a_batch_imported_person_and_case_equal_ones_the_services_create(
    caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    actor = principal(caseworker_a)
    by_service = register_person(
        actor=actor,
        given_name="Hawa",
        family_name="Kamara",
        date_of_birth=dt.date(2010, 2, 3),
        sex="female",
        nationalities=["SL", "gn"],
        languages=["en", "FR"],
        place_of_birth="Kenema",
        first_contact_on=dt.date(2024, 6, 1),
    )
    service_case = open_case(
        actor=actor, person=by_service, case_type="trafficking", summary=" Met at the port "
    )
    content = (
        "given_name,family_name,date_of_birth,sex,nationality,languages,place_of_birth,"
        "first_contact_on,case_type,summary\n"
        "Hawa,Kamara,2010-02-03,F,SL gn,en FR,Kenema,01/06/2024,trafficking, Met at the port \n"
    )
    job = _import(caseworker_a, content)
    assert (job.status, job.imported) == (ImportStatus.DONE, 1)
    by_import = Person.objects.exclude(pk=by_service.pk).get()  # read back and decrypted
    by_service = Person.objects.get(pk=by_service.pk)
    for name in PERSON_FIELDS:
        assert getattr(by_import, name) == getattr(by_service, name), name
    imported_case = Case.objects.get(person=by_import)
    service_case = Case.objects.get(pk=service_case.pk)
    for name in CASE_FIELDS:
        assert getattr(imported_case, name) == getattr(service_case, name), name
    assert imported_case.reference != service_case.reference
    assert imported_case.reference.rsplit("-", 1)[0] == service_case.reference.rsplit("-", 1)[0]
    assert _tokens(by_import) == _tokens(by_service) != set()
    assert _entries(by_import.pk) == _entries(by_service.pk)
    assert _entries(imported_case.pk) == _entries(service_case.pk)
    service_open = AuditEntry.objects.get(action="case.open", object_id=str(service_case.pk))
    import_open = AuditEntry.objects.get(action="case.open", object_id=str(imported_case.pk))
    assert import_open.changes["person"] == [None, str(by_import.pk)]
    assert import_open.scope_id == str(imported_case.pk)
    assert {k: v for k, v in import_open.changes.items() if k not in ("reference", "person")} == {
        k: v for k, v in service_open.changes.items() if k not in ("reference", "person")
    }


def test_each_imported_identity_is_encrypted_under_its_own_persons_key(
    caseworker_a: Any,
) -> None:
    _import(caseworker_a, "given_name,family_name\nAmina,Yusuf\nSamuel,Okoro\n")
    amina, samuel = sorted(Person.objects.all(), key=lambda p: p.given_name)
    assert amina.data_key_id != samuel.data_key_id
    # A ciphertext is bound to its record: moved to the other person it does not open.
    stolen = Person.objects.filter(pk=amina.pk).values_list("given_name", flat=True).get()
    Person.objects.filter(pk=samuel.pk).update(given_name=stolen)
    with pytest.raises(Exception, match="failed authentication"):
        _ = Person.objects.get(pk=samuel.pk).given_name


def test_the_audit_chain_verifies_after_a_batch_import(caseworker_a: Any) -> None:
    register_person(actor=principal(caseworker_a), given_name="Before")
    rows = "".join(f"Person{n},Family{n},199{n % 10}-01-0{1 + n % 9}\n" for n in range(30))
    job = _import(caseworker_a, "given_name,family_name,date_of_birth\n" + rows)
    assert job.imported == 30
    register_person(actor=principal(caseworker_a), given_name="After")
    assert list(audit.iter_problems()) == []
    assert AuditEntry.objects.filter(action="person.create").count() == 32
    assert AuditEntry.objects.filter(action="case.open").count() == 30


def test_the_token_frequencies_count_the_imported_persons(caseworker_a: Any) -> None:
    _import(caseworker_a, "given_name,family_name\nAmina,Yusuf\nAmina,Okoro\n")
    people = list(Person.objects.all())
    shared = _tokens(people[0]) & _tokens(people[1])
    assert shared
    for token in shared:
        assert TokenFrequency.objects.get(token=token).count == 2


def test_one_bad_row_among_many_commits_nothing_not_even_an_audit_entry(
    caseworker_a: Any,
) -> None:
    before = AuditEntry.objects.filter(action="person.create").count()
    rows = "".join(f"Person{n},Family{n},1990-01-01\n" for n in range(50))
    job = _import(
        caseworker_a, "given_name,family_name,date_of_birth\n" + rows + "X,Y,2990-01-01\n"
    )
    assert (job.status, job.error_rows) == (ImportStatus.INVALID, 1)
    assert job.report["errors"][0][0] == 52 and job.report["errors"][0][1] == "date_of_birth"
    assert "future" in job.report["errors"][0][2]
    assert Person.objects.count() == 0 and Case.objects.count() == 0
    assert AuditEntry.objects.filter(action="person.create").count() == before


def test_a_row_refused_by_the_service_rules_says_the_same_as_the_service(
    caseworker_a: Any,
) -> None:
    content = (
        "given_name,nationality,languages,age\nAmina,XX,en,30\nSara,SY,zz-bad,30\nLea,FR,fr,150\n"
    )
    job = _import(caseworker_a, content, commit=False)
    errors = {row: (column, message) for row, column, message in job.report["errors"]}
    actor = principal(caseworker_a)
    for row, kwargs in (
        (2, {"nationalities": ["XX"]}),
        (3, {"languages": ["zz-bad"]}),
        (4, {"estimated_age": 150}),
    ):
        with pytest.raises(Exception) as refused:
            register_person(actor=actor, given_name="N", **kwargs)
        assert errors[row][1] == " ".join(refused.value.messages)


def test_the_file_wide_duplicate_lookup_finds_what_find_duplicates_finds(
    caseworker_a: Any,
) -> None:
    actor = principal(caseworker_a)
    for given, family, born in (
        ("Mohammed", "Al-Hassan", dt.date(1990, 4, 2)),
        ("Amina", "Yusuf", dt.date(1994, 5, 17)),
        ("Amina", "Bello", dt.date(1970, 1, 1)),
        ("Tesfay", "Gebremariam", None),
    ):
        open_case(
            actor=actor,
            person=register_person(
                actor=actor, given_name=given, family_name=family, date_of_birth=born
            ),
            case_type="trafficking",
        )
    wanted = [
        Wanted("Mohamed", "Alhassan", dt.date(1990, 4, 2)),
        Wanted("Amina", "Yusuf", dt.date(1994, 5, 17)),
        Wanted("Amina", "", None),
        Wanted("Tesfaye", "Gebremariam", dt.date(1985, 1, 1)),
        Wanted("Nobody", "Known", None),
        Wanted("+962 79 123 4567", "", None),
    ]
    expected = [
        len(
            find_duplicates(
                actor=actor,
                given_name=w.given_name,
                family_name=w.family_name,
                date_of_birth=w.date_of_birth,
            )
        )
        for w in wanted
    ]
    assert count_duplicates(actor, wanted) == expected
    assert expected[:2] == [1, 1] and expected[4] == 0


def test_a_person_twice_in_one_file_is_reported_as_a_duplicate(caseworker_a: Any) -> None:
    content = (
        "given_name,family_name,date_of_birth\nAmina,Yusuf,1994-05-17\namina ,YUSUF,1994-01-01\n"
    )
    job = _import(caseworker_a, content, commit=False)
    assert job.report["duplicates"] == [[3, 1]]


def test_an_importer_who_may_not_be_assigned_cases_is_refused_on_every_row(
    caseworker_a: Any,
) -> None:
    actor = principal(caseworker_a)
    assert import_batch.importer_problem(actor) is None
    caseworker_a.memberships.update(role=Role.DATA_OFFICER)
    assert "must be a caseworker or supervisor" in (import_batch.importer_problem(actor) or "")
    caseworker_a.memberships.update(role=Role.SUPERVISOR)
    assert import_batch.importer_problem(actor) is None


def test_each_imported_case_is_announced_to_a_subscribed_webhook_once(
    caseworker_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    integration, _ping = make_integration(caseworker_a.memberships.get().organisation)
    with django_capture_on_commit_callbacks(execute=True):
        _import(caseworker_a, "given_name,family_name\nAmina,Yusuf\nSamuel,Okoro\nLea,Noor\n")
    deliveries = Delivery.objects.filter(integration=integration, event="case.opened")
    assert deliveries.count() == 3
    cases = {str(pk) for pk in Case.objects.values_list("pk", flat=True)}
    assert {d.payload["record_id"] for d in deliveries} == cases
