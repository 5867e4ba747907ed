"""Turn an uploaded XLSForm (.xlsx or .xls) into an XForm, with errors a form author can act on.

Conversion is pyxform's, checked by ODK Validate (bundled with pyxform; it runs on Java). Their
messages mention a row at best; here each becomes a :class:`FormProblem` naming the sheet, the
row and the column (with its spreadsheet letter) and saying what to change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

MAX_XLSFORM_BYTES = 5 * 1024 * 1024
FILE_TYPES = {".xlsx": ".xlsx", ".xls": ".xls"}
_ROW = re.compile(r"\[row : (\d+)\]")
_SHEET = re.compile(r"On the '(\w+)' sheet")
_COLUMN = re.compile(r"the '([\w:() ]+)' value")
_NO_LABEL = re.compile(r"The survey element named '([^']+)' has no label or hint")
_CHOICES_MISSING = re.compile(r"There should be a choices sheet")
_UNMATCHED = re.compile(r"Unmatched '(begin_\w+)'")
_LEARN_MORE = re.compile(r"\s*Learn more: \S+")


@dataclass(frozen=True)
class FormProblem:
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # the header, e.g. "name"
    letter: str = ""  # the spreadsheet column, e.g. "B"

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(
                _("column %(letter)s (“%(column)s”)")
                % {"letter": self.letter, "column": self.column}
                if self.letter
                else _("column “%(column)s”") % {"column": self.column}
            )
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
            "text": str(self),
        }


class XLSFormError(ValueError):
    def __init__(self, problems: list[FormProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class ConvertedForm:
    xform: str
    form_id: str
    version: str
    title: str
    languages: list[str]
    questions: list[dict[str, Any]]
    encrypted: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xform.encode("utf-8"), usedforsecurity=False).hexdigest()


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _headers(data: Any, sheet: str) -> list[str]:
    header = getattr(data, f"{sheet}_header", None) or [{}]
    return list(header[0].keys())


def _column(data: Any, sheet: str, column: str) -> tuple[str, str]:
    headers = _headers(data, sheet)
    for index, header in enumerate(headers):
        if header == column or header.split("::")[0] == column:
            return header, _letter(index)
    return column, ""


def _row_of_name(data: Any, name: str) -> int | None:
    for index, row in enumerate(data.survey or []):
        if row.get("name") == name:
            return index + 2  # the header is row 1
    return None


def translate_error(message: str, data: Any) -> FormProblem:
    """One pyxform or ODK Validate message as a problem located in the workbook."""
    text = _LEARN_MORE.sub("", message).strip()
    row_match, sheet_match = _ROW.search(text), _SHEET.search(text)
    sheet = sheet_match.group(1) if sheet_match else ""
    row = int(row_match.group(1)) if row_match else None
    if match := _NO_LABEL.search(text):
        name = match.group(1)
        labels = [h for h in _headers(data, "survey") if h.split("::")[0] in ("label", "hint")]
        hint = (
            _("fill in its label in this row")
            if labels
            else _("add a “label” column (or one per language, e.g. “label::English (en)”)")
        )
        return FormProblem(
            _("the question “%(name)s” has no label; %(hint)s.") % {"name": name, "hint": hint},
            sheet="survey",
            row=_row_of_name(data, name),
            column="label",
            letter=_column(data, "survey", "label")[1] if labels else "",
        )
    if _CHOICES_MISSING.search(text):
        return FormProblem(
            _(
                "a select question names a choice list but the workbook has no “choices” sheet; "
                "add one with the columns list_name, name and label."
            ),
            sheet="choices",
        )
    if match := _UNMATCHED.search(text):
        return FormProblem(
            _("“%(kind)s” has no matching end; add an “end_%(what)s” row after its questions.")
            % {"kind": match.group(1), "what": match.group(1).removeprefix("begin_")},
            sheet=sheet or "survey",
            row=row,
            column="type",
            letter=_column(data, "survey", "type")[1],
        )
    column, letter = "", ""
    if match := _COLUMN.search(text):
        column, letter = _column(data, sheet or "survey", match.group(1))
    body = _ROW.sub("", text)
    body = _SHEET.sub("", body).strip(" ,")
    if "Choice names must be unique" in text:
        body = _(
            "this choice name is already used earlier in the same list; give each choice of a "
            "list a different name (or set allow_choice_duplicates in the settings sheet)."
        )
    return FormProblem(body, sheet=sheet, row=row, column=column, letter=letter)


def _file_type(filename: str) -> str:
    for suffix, kind in FILE_TYPES.items():
        if filename.lower().endswith(suffix):
            return kind
    raise XLSFormError(
        [
            FormProblem(
                _("Upload the XLSForm as an .xlsx or .xls workbook (got “%(name)s”).")
                % {"name": filename}
            )
        ]
    )


def _questions(node: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for child in node.get("children", []):
        path = f"{prefix}/{child['name']}"
        if child.get("children") is not None and child.get("type") in ("group", "repeat"):
            if child["name"] == "meta":
                continue
            found += _questions(child, path)
            continue
        label = child.get("label", "")
        labels = label if isinstance(label, dict) else ({"default": label} if label else {})
        found.append(
            {
                "name": child["name"],
                "path": path,
                "type": child.get("type", ""),
                "labels": labels,
                "choices": [c.get("name") for c in child.get("choices", []) or []],
                "choice_labels": {
                    str(c.get("name")): (
                        c.get("label")
                        if isinstance(c.get("label"), dict)
                        else {"default": c.get("label") or ""}
                    )
                    for c in child.get("choices", []) or []
                },
            }
        )
    return found


def _languages(pyxform: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for question in _questions(pyxform):
        for language in question["labels"]:
            if language != "default" and language not in seen:
                seen.append(language)
    return seen


def convert_xlsform(
    content: bytes, filename: str, *, public_key: str = "", validate: bool | None = None
) -> ConvertedForm:
    """Convert and check an XLSForm; `public_key` makes it an encrypted form (ODK's
    base64RsaPublicKey). Raises XLSFormError with located problems."""
    # pyxform imports pandas and openpyxl (about 1.5 s): load it when a form is converted, not
    # in every process that loads the URLs (workers, commands, the test suite's subprocesses).
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform
    from pyxform.xls2xform import convert

    if len(content) > MAX_XLSFORM_BYTES:
        raise XLSFormError(
            [FormProblem(_("The workbook is larger than 5 MB; remove unused sheets or images."))]
        )
    file_type = _file_type(filename)
    try:
        data = get_xlsform(content, file_type=file_type)
    except (PyXFormError, ValueError, KeyError, OSError) as exc:
        raise XLSFormError(
            [
                FormProblem(
                    _("The file could not be read as an %(kind)s workbook (%(error)s).")
                    % {"kind": file_type, "error": str(exc)[:200]}
                )
            ]
        ) from None
    settings_rows = [dict(row) for row in (data.settings or [{}])] or [{}]
    existing_key = (settings_rows[0].get("public_key") or "").strip()
    if existing_key and existing_key != public_key:
        raise XLSFormError(
            [
                FormProblem(
                    _(
                        "the public_key is not this organisation's; delete the value and tick "
                        "“Encrypt submissions” instead, so Salama can open what devices send."
                    ),
                    sheet="settings",
                    row=2,
                    column="public_key",
                    letter=_column(data, "settings", "public_key")[1],
                )
            ]
        )
    if public_key:
        settings_rows[0]["public_key"] = public_key
        headers = data.settings_header[0] if data.settings_header else {}
        data = dataclasses.replace(
            data,
            settings=settings_rows,
            settings_header=[{**headers, "public_key": None}],
        )
    if validate is None:
        validate = getattr(settings, "SALAMA_FORMS_VALIDATE", True)
    warnings: list[str] = []
    try:
        result = convert(dataclasses.asdict(data), warnings=warnings, validate=validate)
    except PyXFormError as exc:
        problems = [translate_error(line, data) for line in str(exc).split("\n") if line.strip()]
        raise XLSFormError(problems or [FormProblem(str(exc))]) from None
    except Exception as exc:  # noqa: BLE001 - ODK Validate reports through its own exceptions
        raise XLSFormError([translate_error(str(exc), data)]) from None
    pyxform = result._pyxform or {}
    version = str(pyxform.get("version") or "").strip()
    if not version:
        raise XLSFormError(
            [
                FormProblem(
                    _(
                        "give the form a version, e.g. 2026120701, so devices can tell uploads apart."
                    ),
                    sheet="settings",
                    column="version",
                    letter=_column(data, "settings", "version")[1],
                )
            ]
        )
    return ConvertedForm(
        xform=result.xform,
        form_id=str(pyxform.get("id_string") or ""),
        version=version,
        title=str(pyxform.get("title") or pyxform.get("id_string") or ""),
        languages=_languages(pyxform),
        questions=_questions(pyxform),
        encrypted=bool(public_key),
        warnings=[_LEARN_MORE.sub("", w) for w in warnings],
    )
