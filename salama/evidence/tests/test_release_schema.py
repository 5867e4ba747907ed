"""No identifying column can appear in a release: the codebook is the whole schema."""

from __future__ import annotations

import re

import pandas as pd
from django.apps import apps

from salama.core.fields import EncryptedField, EncryptedFileField
from salama.evidence import release

# Model fields that identify someone or something: never a published column, by name.
IDENTIFYING = re.compile(
    r"(name|alias|birth|reference|phone|e?mail|address|number|uuid|id|note|details|text)$"
)


def _encrypted_field_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedField | EncryptedFileField):
                names.add(field.name.lower())
    return names


def test_no_published_column_is_an_encrypted_or_identifying_field() -> None:
    encrypted = _encrypted_field_names()
    assert encrypted  # the scan found the encrypted fields
    for column in release.columns():
        lowered = column.lower()
        assert lowered not in encrypted
        assert not IDENTIFYING.search(lowered), column


def test_a_release_has_exactly_the_codebook_columns_whatever_the_raw_rows_carry() -> None:
    raw = pd.DataFrame(
        [
            {
                "year": 2024, "sex": "male", "age": 30, "citizenship": "NG",
                "exploitation_country": "LY", "exploitation_types": "ForcedLabour",
                "methods_of_control": "", "first_name": "Amina", "reference": "NOUR-2024-0001",
                "date_of_birth": "1994-03-02",
            }
        ]
        * 12
    )  # fmt: skip
    result = release.release(raw, 11)
    assert list(result.data.columns) == release.columns()
    text = result.data.to_csv(index=False)
    for secret in ("Amina", "NOUR-2024-0001", "1994-03-02"):
        assert secret not in text


def test_every_codebook_column_is_described_and_has_its_htcds_source() -> None:
    book = release.codebook()
    assert book["missing_code"] == "-99"
    for column in book["columns"]:
        assert column["description"] and column["htcds_field"], column["name"]
    assert {"yearOfRegistration", "ageBroad", "citizenship", "CountryOfExploitation"} <= set(
        release.columns()
    )
