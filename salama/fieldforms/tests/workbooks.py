"""Small XLSForm workbooks built in memory for the tests."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

DEMO_FORM = Path(__file__).resolve().parent.parent / "data" / "first_contact.xlsx"
EN, AR = "label::English (en)", "label::Arabic (ar)"


def workbook(
    survey: list[list[str]],
    choices: list[list[str]] | None = None,
    settings: list[list[str]] | None = None,
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        extra = book.create_sheet("choices")
        for row in choices:
            extra.append(row)
    sheet = book.create_sheet("settings")
    for row in settings or [["form_id", "version", "form_title"], ["intake", "1", "Intake"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def simple_form(version: str = "1", form_id: str = "intake") -> bytes:
    return workbook(
        [
            ["type", "name", EN, AR],
            ["text", "given_name", "Given name", "الاسم"],
            ["select_one sex", "sex", "Sex", "الجنس"],
            ["image", "photo", "Photo", "صورة"],
        ],
        [
            ["list_name", "name", EN, AR],
            ["sex", "female", "Female", "أنثى"],
            ["sex", "male", "Male", "ذكر"],
        ],
        [["form_id", "version", "form_title"], [form_id, version, "Intake"]],
    )
