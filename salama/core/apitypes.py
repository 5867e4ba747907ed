"""Constrained types for the API's input schemas.

The limits the models and forms declare, stated once more where the API receives input so that
validation refuses what the database could not hold (or should not hold) with a 422 that names
the field, and so that the OpenAPI document states them (``maxLength``, ``maxItems``, ``enum``,
``minimum``/``maximum``). Use them with ``Field``: ``name: Text = Field(max_length=200)``.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from salama.core.countries import COUNTRIES
from salama.core.languages import LANGUAGES

# The largest value of the databases' integer columns (PositiveIntegerField and the like).
MAX_INT = 2_147_483_647
# LightPage serves at most this many pages.
MAX_PAGE = 10_000
# Money columns: DecimalField(max_digits=14, decimal_places=2).
MAX_AMOUNT = Decimal("999999999999.99")
# Quantities: DecimalField(max_digits=10, decimal_places=2).
MAX_QUANTITY = Decimal("99999999.99")


def _clean_text(value: str) -> str:
    """Refuse what no column should store: NUL characters and lone surrogates (not UTF-8)."""
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("Text must be valid Unicode (it contains a lone surrogate).")) from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("This field may not be blank."))
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**constraints: Any) -> Any:
    """A field that may be left out but, when sent, may not be null (PATCH bodies).

    Left out, it is absent from ``dict(exclude_unset=True)``; sent as null, it answers 422.
    """
    return Field(default=None, json_schema_extra=_drop_default, **constraints)


if TYPE_CHECKING:
    CountryEnum = str
    LanguageEnum = str
else:
    CountryEnum = enum.StrEnum("CountryCode", {code: code for code in sorted(COUNTRIES)})
    LanguageEnum = enum.StrEnum("LanguageCode", {code: code for code in sorted(LANGUAGES)})

# Free text of any length limit: give the limit with Field(max_length=...).
Text = Annotated[str, AfterValidator(_clean_text)]
# Text that must say something: not empty, not only spaces.
# (Constraints stand before the validators: after one, pydantic leaves them out of the document.)
NonBlank = Annotated[
    str, Field(pattern=r"\S"), AfterValidator(_clean_text), AfterValidator(_not_blank)
]
# ISO 3166-1 alpha-2 (salama.core.countries); lower case is accepted and upper-cased.
CountryCode = Annotated[CountryEnum, BeforeValidator(_upper)]
# ISO 639-1 (and a few ISO 639-3, salama.core.languages); upper case is accepted and lowered.
LanguageCode = Annotated[LanguageEnum, BeforeValidator(_lower)]
# The `version` a client read, sent back with a change (optimistic locking).
Version = Annotated[int, Field(ge=1, le=MAX_INT)]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}")]
Age = Annotated[int, Field(ge=0, le=120, description="Years, 0 to 120.")]


def _decimal_schema(maximum: Decimal, integer_digits: int, description: str) -> WithJsonSchema:
    """How a bounded Decimal looks in the document: a number, or a decimal string of that shape."""
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(maximum)},
                {
                    "type": "string",
                    "pattern": rf"^\d{{1,{integer_digits}}}(\.\d{{1,2}})?$",
                    "maxLength": integer_digits + 3,
                },
            ],
            "description": description,
        },
        mode="validation",
    )


Amount = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2),
    _decimal_schema(
        MAX_AMOUNT,
        12,
        "A non-negative amount with at most two decimal places; a decimal string such as "
        '"120.50" keeps it exact.',
    ),
]
Quantity = Annotated[
    Decimal,
    Field(ge=0, le=MAX_QUANTITY, max_digits=10, decimal_places=2),
    _decimal_schema(MAX_QUANTITY, 8, "A non-negative quantity with at most two decimal places."),
]
