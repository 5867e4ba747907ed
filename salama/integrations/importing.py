"""Reading a spreadsheet of persons and cases: CSV (`,` `;` or tab) or XLSX, Kobo exports too.

Kobo's exports name columns by their group path (``group_x/given_name``) and may use ``;``:
headers are matched on their last path part, lower-cased, with spaces and dashes as ``_``.
Every cell is read as text: a formula (``=HYPERLINK(…)``) is kept as the text typed, never
evaluated, and a date cell of a workbook becomes ``YYYY-MM-DD``. A row is turned into the
arguments of ``register_person`` and ``open_case`` by ``row_to_input``, which reports each
value it cannot read with the column it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases.choices import CaseType
from salama.people.choices import Sex

MAX_ROWS = 200_000
MAX_COLUMNS = 100
MAX_CELL = 4000

# The fields a column can fill, with their labels; "" ignores the column.
TARGETS: dict[str, Any] = {
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "estimated_age": gettext_lazy("Estimated age"),
    "sex": gettext_lazy("Sex"),
    "nationalities": gettext_lazy("Nationalities (country codes)"),
    "languages": gettext_lazy("Languages (codes)"),
    "place_of_birth": gettext_lazy("Place of birth"),
    "first_contact_on": gettext_lazy("Date of first contact"),
    "case_type": gettext_lazy("Case type"),
    "summary": gettext_lazy("Case summary"),
}

# Headers (normalised) that guess a target; Kobo's metadata columns guess nothing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "first_name", "firstname", "given_names", "prenom", "nombre"),
    "family_name": ("family_name", "last_name", "lastname", "surname", "nom", "apellido"),
    "date_of_birth": (
        "date_of_birth",
        "dob",
        "birth_date",
        "birthdate",
        "date_naissance",
        "date_de_naissance",
        "fecha_de_nacimiento",
    ),
    "estimated_age": ("estimated_age", "age", "age_years"),
    "sex": ("sex", "sexe", "sexo"),
    "nationalities": ("nationality", "nationalities", "citizenship", "nationalite"),
    "languages": ("language", "languages", "spoken_languages", "langue"),
    "place_of_birth": ("place_of_birth", "birthplace", "lieu_naissance"),
    "first_contact_on": ("first_contact_on", "first_contact", "date_first_contact", "intake_date"),
    "case_type": ("case_type", "type_of_case", "case_category"),
    "summary": ("summary", "case_summary", "notes", "note"),
}

SEX_WORDS = {"f": Sex.FEMALE, "m": Sex.MALE, "woman": Sex.FEMALE, "man": Sex.MALE}


class FileRefused(ValueError):
    """The file cannot be read as a table (the message says why, for people)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


def normalise_header(header: str) -> str:
    last = str(header).strip().split("/")[-1].split(":")[-1]
    return re.sub(r"[\s\-.]+", "_", last.strip().lower()).strip("_")


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Column header → target field ("" when nothing fits); each target is guessed once."""
    by_word = {word: target for target, words in SYNONYMS.items() for word in words}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = by_word.get(normalise_header(header), "")
        if target in taken:
            target = ""
        if target:
            taken.add(target)
        mapping[header] = target
    return mapping


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL].strip()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def read_csv(content: bytes) -> Table:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(reader)


def read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula is read as the text of the formula, never its result.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise FileRefused(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        sheet = book.worksheets[0]
        return _table(sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _table(source: Iterable[Iterable[Any]]) -> Table:
    iterator = iter(source)
    try:
        headers = [_cell(h) for h in next(iterator)]
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileRefused(_("The first row must name the columns."))
    if len(headers) > MAX_COLUMNS:
        raise FileRefused(_("The file has more than %(n)s columns.") % {"n": MAX_COLUMNS})
    if len(set(headers)) != len(headers):
        raise FileRefused(_("Two columns have the same name. Rename one of them."))
    rows: list[list[str]] = []
    for raw in iterator:
        row = [_cell(v) for v in list(raw)[: len(headers)]]
        if not any(row):
            continue
        row += [""] * (len(headers) - len(row))
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise FileRefused(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
    if not rows:
        raise FileRefused(_("The file has column names but no rows."))
    return Table(headers, rows)


def read_table(file_name: str, content: bytes) -> Table:
    if file_name.lower().endswith(".xlsx") or content[:2] == b"PK":
        return read_xlsx(content)
    if file_name.lower().endswith((".csv", ".txt", ".tsv")):
        return read_csv(content)
    raise FileRefused(_("Upload a .csv or .xlsx file."))


@dataclass
class RowInput:
    person: dict[str, Any] = field(default_factory=dict)
    case_type: str = ""
    summary: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value[:10], fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError


def _codes(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;|]+", value) if part]


def row_to_input(
    headers: list[str], row: list[str], mapping: Mapping[str, str], default_case_type: str
) -> RowInput:
    """The arguments for the services, and each cell that cannot be read (with its column)."""
    out = RowInput(case_type=default_case_type)
    person = out.person
    for header, value in zip(headers, row, strict=False):
        target = mapping.get(header, "")
        if not target or not value:
            continue
        if target in ("given_name", "family_name", "place_of_birth"):
            person[target] = value  # kept as typed: a formula-like cell stays text
        elif target in ("date_of_birth", "first_contact_on"):
            try:
                person[target] = _date(value)
            except ValueError:
                out.errors.append((header, _("Write the date as YYYY-MM-DD or DD/MM/YYYY.")))
        elif target == "estimated_age":
            try:
                person[target] = int(float(value))
            except ValueError:
                out.errors.append((header, _("Write the age as a whole number of years.")))
        elif target == "sex":
            word = value.strip().lower()
            labels = {str(label).lower(): code for code, label in Sex.choices}
            sex = SEX_WORDS.get(word) or labels.get(word) or (word if word in Sex.values else "")
            if sex:
                person["sex"] = sex
            else:
                out.errors.append(
                    (header, _("Write female, male, intersex or unknown (or F or M)."))
                )
        elif target in ("nationalities", "languages"):
            codes = _codes(value)
            person[target] = [c.upper() for c in codes] if target == "nationalities" else codes
        elif target == "case_type":
            word = normalise_header(value)
            labels = {normalise_header(str(label)): code for code, label in CaseType.choices}
            case_type = word if word in CaseType.values else labels.get(word, "")
            if case_type:
                out.case_type = case_type
            else:
                out.errors.append(
                    (
                        header,
                        _("Write one of the case types: %(types)s.")
                        % {"types": ", ".join(CaseType.values)},
                    )
                )
        elif target == "summary":
            out.summary = value
    return out


def column_of(field_name: str, mapping: Mapping[str, str]) -> str:
    """The column a service's field came from (for the report); "" when none did."""
    names = {"nationalities": "nationalities", "languages": "languages"}
    wanted = names.get(field_name, field_name)
    return next((h for h, t in mapping.items() if t == wanted), "")


def service_errors(exc: ValidationError, mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (column_of(name, mapping), " ".join(str(m) for m in ValidationError(errs).messages))
            for name, errs in exc.error_dict.items()
        ]
    return [("", " ".join(exc.messages))]
