"""A bulk import killed after some rows were written leaves no row, and the file imports again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from salama.cases.models import Case
from salama.core.models import AuditEntry
from salama.integrations.import_models import ImportJob, ImportStatus
from salama.people.models import Person
from tests.faults import drill

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = (
    "given_name,family_name,date_of_birth,sex,nationality,case_type\n"
    "Amina,Yusuf,1994-05-17,F,NG,trafficking\n"
    "Samuel,Okoro,1988-03-12,male,NG,stranded_migrant\n"
    "Joseph,Mensah,1990-01-30,M,GH,trafficking\n"
    "Grace,Adjei,2001-07-04,F,GH,trafficking\n"
    "Tesfaye,Bekele,1979-11-21,M,ET,stranded_migrant\n"
)

IMPORT = """
from django.core.management import call_command
call_command("import_records", {path!r}, "--user", "caseworker@a.example")
print("imported")
"""


def test_an_import_killed_after_three_rows_writes_none_and_the_file_imports_again(
    caseworker_a: Any, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(ROWS, encoding="utf-8")

    result = drill.run(IMPORT.format(path=str(path)), fault_at="import.row:3")

    assert drill.killed(result), result.stderr
    # Three persons and cases were written inside the transaction when the process died.
    assert Person.objects.count() == 0 and Case.objects.count() == 0
    assert not AuditEntry.objects.filter(action__in=["person.create", "case.open"]).exists()
    assert drill.chain_problems() == []
    killed_job = ImportJob.objects.get()
    assert killed_job.imported == 0 and killed_job.status == ImportStatus.RUNNING

    again = drill.run(IMPORT.format(path=str(path)), fault_at=None)

    assert again.returncode == 0, again.stderr
    assert "status=done rows=5 imported=5" in again.stdout
    assert Person.objects.count() == 5 and Case.objects.count() == 5
    assert AuditEntry.objects.filter(action="person.create").count() == 5
    assert drill.chain_problems() == []
