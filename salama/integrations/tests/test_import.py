"""Bulk import: all or nothing, a report that names the row and column, Kobo exports, formulas."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import principal
from salama.cases.models import Case
from salama.core.models import AuditEntry
from salama.integrations import import_services as imports
from salama.integrations.import_models import ImportJob, ImportStatus
from salama.people.models import Person

pytestmark = pytest.mark.django_db

GOOD = (
    "given_name,family_name,date_of_birth,sex,nationality,case_type\n"
    "Amina,Yusuf,1994-05-17,F,NG,trafficking\n"
    "Samuel,Okoro,12/03/1988,male,NG,stranded_migrant\n"
)


def _run(user: Any, content: bytes, name: str = "people.csv", commit: bool = True, **kw: Any):
    actor = principal(user)
    job = imports.create_import(actor=actor, file_name=name, content=content)
    if kw:
        job = imports.set_import_mapping(
            actor=actor,
            job=job,
            mapping=kw.get("mapping", job.mapping),
            default_case_type=kw.get("default_case_type", job.default_case_type),
            block_duplicates=kw.get("block_duplicates", False),
        )
    imports.start_import(actor=actor, job=job, commit=commit)
    imports.run_import(str(job.pk))  # what the task does (the test backend runs it at once too)
    return ImportJob.objects.get(pk=job.pk)


def test_a_clean_file_registers_persons_and_opens_their_cases(caseworker_a: Any) -> None:
    job = _run(caseworker_a, GOOD.encode())
    assert (job.status, job.imported, job.error_rows) == (ImportStatus.DONE, 2, 0)
    amina = next(p for p in Person.objects.all() if p.given_name == "Amina")
    assert amina.registered_by.name == "NGO A" and amina.sex == "female"
    assert Case.objects.get(person=amina).case_type == "trafficking"
    samuel = next(p for p in Person.objects.all() if p.given_name == "Samuel")
    assert str(samuel.date_of_birth) == "1988-03-12"
    assert AuditEntry.objects.filter(action="person.create").count() == 2
    assert AuditEntry.objects.filter(action="case.open").count() == 2
    assert job.table is None  # the rows are not kept once imported


def test_one_bad_row_commits_nothing_and_the_report_names_it(caseworker_a: Any) -> None:
    content = GOOD + "Joseph,Mensah,31/31/1990,M,GH,trafficking\n" + ",,,,,trafficking\n"
    job = _run(caseworker_a, content.encode())
    assert job.status == ImportStatus.INVALID
    assert job.imported == 0 and job.error_rows == 2
    assert Person.objects.count() == 0 and Case.objects.count() == 0
    rows = {(row, column) for row, column, _message in job.report["errors"]}
    assert (4, "date_of_birth") in rows  # row 1 is the header: the third person is row 4
    assert (5, "given_name") in rows
    messages = " ".join(m for _r, _c, m in job.report["errors"])
    assert "YYYY-MM-DD" in messages


def test_a_check_reports_but_never_writes(caseworker_a: Any) -> None:
    job = _run(caseworker_a, GOOD.encode(), commit=False)
    assert job.status == ImportStatus.CHECKED
    assert Person.objects.count() == 0


def test_the_report_is_in_the_importers_language(caseworker_a: Any) -> None:
    caseworker_a.preferred_language = "fr"
    caseworker_a.save()
    job = _run(caseworker_a, b"given_name,date_of_birth\nAmina,yesterday\n")
    [[_row, _column, message]] = job.report["errors"]
    # In French, and with the format as a French reader writes it (AAAA-MM-JJ: année, mois, jour).
    assert message == "Écrivez la date au format AAAA-MM-JJ ou JJ/MM/AAAA."


def test_a_kobo_export_with_semicolons_and_group_prefixes_is_mapped(caseworker_a: Any) -> None:
    content = (
        "start;end;group_bio/given_name;group_bio/family_name;group_bio/age;"
        "group_origin/nationality;_id;_uuid;_submission_time\n"
        "2026-01-01;2026-01-01;Fatima;Diallo;23;ML;1;abc;2026-01-01T10:00\n"
    )
    actor = principal(caseworker_a)
    job = imports.create_import(actor=actor, file_name="kobo.csv", content=content.encode())
    assert job.mapping["group_bio/given_name"] == "given_name"
    assert job.mapping["group_bio/age"] == "estimated_age"
    assert job.mapping["group_origin/nationality"] == "nationalities"
    assert job.mapping["_uuid"] == "" and job.mapping["start"] == ""
    imports.start_import(actor=actor, job=job, commit=True)
    imports.run_import(str(job.pk))
    [person] = Person.objects.all()
    assert (person.given_name, person.nationalities) == ("Fatima", ["ML"])


def test_formula_like_cells_are_stored_as_text_never_evaluated(caseworker_a: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["First name", "Last name"])
    sheet.append(['=HYPERLINK("http://evil.example","x")', "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = _run(caseworker_a, buffer.getvalue(), name="people.xlsx")
    assert job.status == ImportStatus.DONE
    [person] = Person.objects.all()
    assert person.given_name == '=HYPERLINK("http://evil.example","x")'
    assert person.family_name == "=1+1"


def test_a_likely_duplicate_is_reported_and_blocks_only_when_asked(caseworker_a: Any) -> None:
    first = _run(caseworker_a, GOOD.encode())
    assert first.duplicate_rows == 0
    again = _run(caseworker_a, GOOD.encode(), commit=False)
    assert again.status == ImportStatus.CHECKED and again.duplicate_rows == 2
    blocked = _run(caseworker_a, GOOD.encode(), commit=False, block_duplicates=True)
    assert blocked.status == ImportStatus.INVALID and blocked.error_rows == 2


def test_only_a_role_that_registers_and_opens_cases_may_import(
    org_admin_a: Any, data_officer_a: Any, receiver_a: Any
) -> None:
    for user in (org_admin_a, data_officer_a, receiver_a):
        with pytest.raises(PermissionDenied):
            imports.create_import(actor=principal(user), file_name="p.csv", content=GOOD.encode())


def test_another_users_import_is_not_theirs(
    caseworker_a: Any, caseworker_b: Any, supervisor_a: Any
) -> None:
    job = imports.create_import(
        actor=principal(caseworker_a), file_name="p.csv", content=GOOD.encode()
    )
    for other in (caseworker_b, supervisor_a):
        with pytest.raises(PermissionDenied):
            imports.start_import(actor=principal(other), job=job, commit=True)


@pytest.mark.parametrize(
    ("name", "content", "fix"),
    [
        ("p.pdf", b"%PDF", ".csv or .xlsx"),
        ("p.csv", b"", "empty"),
        ("p.csv", b"a,a\n1,2\n", "same name"),
        ("p.csv", b"given_name\n", "no rows"),
        ("p.xlsx", b"PK broken", "Excel"),
    ],
)
def test_an_unreadable_file_is_refused_with_what_to_fix(
    caseworker_a: Any, name: str, content: bytes, fix: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        imports.create_import(actor=principal(caseworker_a), file_name=name, content=content)
    assert fix in " ".join(refused.value.message_dict["file"])


def test_an_import_runs_once_even_if_its_task_is_delivered_twice(caseworker_a: Any) -> None:
    job = _run(caseworker_a, GOOD.encode())
    assert imports.run_import(str(job.pk)) == ImportStatus.DONE
    assert Person.objects.count() == 2


def test_the_command_line_imports_a_file_as_the_named_user(
    caseworker_a: Any, tmp_path: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    call_command("import_records", str(path), "--user", caseworker_a.email)
    assert "status=done rows=2 imported=2" in capsys.readouterr().out
    assert Person.objects.count() == 2
