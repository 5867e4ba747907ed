"""The batch path of a bulk import: check every row first, then write them all in bulk.

``check_rows`` is pure: each row is read (``importing.row_to_input``) and checked by the very
rules ``register_person`` and ``open_case`` apply, in the order they apply them, so a row is
refused with the same message the services would give; the importer's right to register
persons and open cases is checked once for the file. ``duplicate_counts`` asks the search
index about the whole file at once (``people.duplicates_batch``).

``write_rows`` then creates, in the caller's transaction and with bulk statements, exactly what
``register_person`` followed by ``open_case`` creates for each row:

* a data key per person (``keys.create_data_keys``);
* the person, each identifying field encrypted under the person's own key with the person's
  primary key in its associated data (the key is set when the instance is built, before the
  insert encrypts);
* the person's name tokens and the token frequencies (``name_index.index_new_people``);
* the case, numbered from the organisation's counter of the year (one locked update for the
  file), assigned to the importer, at the stage table's first stage;
* two audit entries per row, ``person.create`` then ``case.open``, with the same fields and
  changes as the services write, chained in memory (``audit_batch.append_many``);
* a ``case.opened`` domain event per case (``events.emit_many``: delivered after the commit,
  as always, each subscriber called once for the batch where it says it can be).

The services create nothing else for a registration and an opening (no consent, task or
document), so neither does the import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.accounts.models import Membership
from salama.cases import rules
from salama.cases.case_events import case_event_data
from salama.cases.choices import CaseType
from salama.cases.models import Case, CaseCounter
from salama.core import events, faults
from salama.core.audit_batch import PendingEntry, append_many
from salama.core.keys import create_data_keys
from salama.core.models import DataKey
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.integrations import importing
from salama.people import name_index
from salama.people.choices import BirthDateAccuracy, Gender, Sex
from salama.people.duplicates_batch import TokenHashes, Wanted, count_duplicates
from salama.people.first_contact import check_first_contact
from salama.people.models import Person
from salama.people.names import detect_script
from salama.people.services import (
    CLEAR_PERSON_FIELDS,
    IDENTIFYING_PERSON_FIELDS,
    _check_birth,
    _clean_other_names,
    _countries,
    _languages,
)

BULK_BATCH = 2000
# SQLite's page cache while an import writes (KiB). With the connection's usual 2 MB, the one
# large transaction spills its dirty pages to the write-ahead log and reads them back, again and
# again, as the postings index grows; a larger cache keeps them in memory until the commit.
IMPORT_SQLITE_CACHE_KIB = 524_288


@contextmanager
def large_page_cache() -> Iterator[None]:
    """On SQLite, a larger page cache for this connection while the block runs."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{int(IMPORT_SQLITE_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")


@dataclass
class CheckedRow:
    """A row that every rule accepts: the values the services would store."""

    index: int  # the row's number in the file (row 1 holds the column names)
    person: dict[str, Any]
    age: int | None
    case_type: str
    summary: str


@dataclass
class Checked:
    rows: list[CheckedRow]
    problems: dict[int, list[tuple[str, str]]]  # row number -> (column, message)


def _clean_person(raw: Mapping[str, Any], today: dt.date) -> tuple[dict[str, Any], int | None]:
    """``register_person``'s checks and clean-up, in its order; raises its ValidationError."""
    given_name = raw.get("given_name", "")
    family_name = raw.get("family_name", "")
    date_of_birth = raw.get("date_of_birth")
    estimated_age = raw.get("estimated_age")
    sex = raw.get("sex", Sex.UNKNOWN)
    gender = raw.get("gender", "")
    if not given_name.strip() and not family_name.strip():
        raise ValidationError({"given_name": _("Enter at least one name (given or family).")})
    if sex not in Sex.values:
        raise ValidationError({"sex": _("Choose a value from the list.")})
    if gender and gender not in Gender.values:
        raise ValidationError({"gender": _("Choose a value from the list.")})
    age = _check_birth(date_of_birth, estimated_age, today)
    first_contact = check_first_contact(raw.get("first_contact_on"), "", today)
    accuracy = (
        BirthDateAccuracy.EXACT
        if date_of_birth
        else BirthDateAccuracy.ESTIMATED
        if estimated_age is not None
        else BirthDateAccuracy.UNKNOWN
    )
    person = {
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "other_names": _clean_other_names(()),
        "date_of_birth": date_of_birth,
        "place_of_birth": raw.get("place_of_birth", "").strip(),
        "name_script": detect_script(f"{given_name} {family_name}"),
        "sex": sex,
        "gender": gender,
        "birth_date_accuracy": accuracy,
        "nationalities": _countries(raw.get("nationalities", ()), "nationalities"),
        "citizenships": _countries((), "citizenships"),
        "languages": _languages(raw.get("languages", ())),
        "first_contact_on": first_contact[0],
        "first_contact_place": first_contact[1],
    }
    return person, age


def importer_problem(actor: Principal) -> str | None:
    """Why ``open_case`` would refuse every row (the importer may not be assigned cases)."""
    org = actor.organisation
    assert org is not None
    allowed = Membership.objects.filter(
        user=actor.user,
        organisation_id=org.pk,
        role__in=(Role.CASEWORKER, Role.SUPERVISOR),
        is_active=True,
    ).exists()
    if allowed:
        return None
    return _("The caseworker must be a caseworker or supervisor of %(org)s.") % {"org": org.name}


def check_rows(
    headers: list[str],
    rows: Sequence[list[str]],
    mapping: Mapping[str, str],
    default_case_type: str,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> Checked:
    """Read and check every row without touching the database."""
    today = timezone.localdate()
    checked = Checked(rows=[], problems={})
    for number, row in enumerate(rows, start=2):
        parsed = importing.row_to_input(headers, row, mapping, default_case_type)
        if parsed.errors:
            checked.problems[number] = list(parsed.errors)
        else:
            try:
                person, age = _clean_person(parsed.person, today)
                if parsed.case_type not in CaseType.values:
                    raise ValidationError({"case_type": _("Choose a case type from the list.")})
            except ValidationError as exc:
                checked.problems[number] = importing.service_errors(exc, mapping)
            else:
                checked.rows.append(
                    CheckedRow(number, person, age, parsed.case_type, parsed.summary)
                )
        if progress is not None and (number - 1) % every == 0:
            progress(number - 1)
    return checked


def _same_person_key(row: CheckedRow) -> tuple[str, int | None]:
    name = " ".join(f"{row.person['given_name']} {row.person['family_name']}".casefold().split())
    dob = row.person["date_of_birth"]
    return name, dob.year if dob else None


def duplicate_counts(actor: Principal, rows: Sequence[CheckedRow]) -> dict[int, int]:
    """Row number -> how many likely duplicates it has: records the importer may see (one
    look-up for the file), and an earlier row of the same file with the same name (letters'
    case and spacing aside) and birth year."""
    wanted = [
        Wanted(
            given_name=r.person["given_name"],
            family_name=r.person["family_name"],
            date_of_birth=r.person["date_of_birth"],
            nationalities=tuple(r.person["nationalities"]),
        )
        for r in rows
    ]
    found = count_duplicates(actor, wanted)
    seen: set[tuple[str, int | None]] = set()
    counts: dict[int, int] = {}
    for row, existing in zip(rows, found, strict=True):
        key = _same_person_key(row)
        earlier = 1 if key in seen else 0
        seen.add(key)
        if existing + earlier:
            counts[row.index] = min(existing + earlier, 5)
    return counts


def _next_references(organisation: Any, count: int) -> list[str]:
    """``count`` consecutive case references, as ``open_case`` numbers them one by one."""
    year = timezone.now().year
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
    counter.refresh_from_db(fields=["last"])
    first = counter.last - count + 1
    prefix = organisation.reference_prefix
    return [f"{prefix}-{year}-{n:05d}" for n in range(first, counter.last + 1)]


def write_rows(actor: Principal, rows: Sequence[CheckedRow]) -> list[Case]:
    """Register each row's person and open their case, in bulk; call inside a transaction."""
    org = actor.organisation
    assert org is not None
    user = actor.user
    keys: list[DataKey] = []
    people: list[Person] = []
    for row in rows:
        key = DataKey.new()
        person = Person(  # encrypted fields take plain values
            data_key=key, registered_by=org, created_by=user, **row.person
        )
        person.set_age_facts(row.age)
        keys.append(key)
        people.append(person)
    create_data_keys(keys)
    # The primary keys are set (uuid4 defaults) before the insert encrypts the fields.
    Person.objects.bulk_create(people, batch_size=BULK_BATCH)
    name_index.index_new_people(people, TokenHashes())
    table = rules.load_stage_table()
    cases = [
        Case(
            reference=reference,
            organisation=org,
            person=person,
            case_type=row.case_type,
            stage=table.initial,
            stage_table_version=table.version,
            assigned_to=user,
            supervisor=None,
            jurisdiction=org.country,
            is_child_case=bool(person.is_minor) or row.case_type == CaseType.UNACCOMPANIED_CHILD,
            best_interests_flag=bool(person.is_minor)
            or row.case_type == CaseType.UNACCOMPANIED_CHILD,
            summary=row.summary.strip(),
        )
        for row, person, reference in zip(
            rows, people, _next_references(org, len(rows)), strict=True
        )
    ]
    Case.objects.bulk_create(cases, batch_size=BULK_BATCH)
    pending: list[PendingEntry] = []
    assigned = str(user.uuid)
    for row, person, case in zip(rows, people, cases, strict=True):
        faults.point("import.row")  # crash drills: persons and cases are written, not committed
        pending.append(
            PendingEntry(
                "person.create",
                obj=person,
                fields=IDENTIFYING_PERSON_FIELDS,
                changes={f: (None, getattr(person, f)) for f in CLEAR_PERSON_FIELDS},
                scope=person,
            )
        )
        pending.append(
            PendingEntry(
                "case.open",
                obj=case,
                fields=["summary"] if row.summary else [],
                changes={
                    "reference": (None, case.reference),
                    "case_type": (None, row.case_type),
                    "stage": (None, case.stage),
                    "assigned_to": (None, assigned),
                    "person": (None, str(person.pk)),
                },
                scope=case,
            )
        )
    append_many(pending, actor=user, organisation=org)
    events.emit_many(
        "case.opened",
        organisation_id=org.pk,
        items=[(str(case.pk), case_event_data(case)) for case in cases],
    )
    return cases
