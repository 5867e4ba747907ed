"""Regions of the world: the UN M49 geoscheme (United Nations Statistics Division, "Standard
country or area codes for statistical use", geographic regions).

The grouping of each ISO 3166 alpha-2 country into a region (Africa, Americas, Asia, Europe,
Oceania), a sub-region (e.g. Northern Africa, Western Asia) and, where M49 has one, an
intermediate region (e.g. Western Africa, Caribbean) is data: ``data/m49.json``, keyed by the M49
numeric codes. Only the names live here, marked for translation, so a figure grouped by region
reads in the language of the request. Kosovo (XK) has no M49 code and is placed with Serbia;
Antarctica (AQ) belongs to no region.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATA_FILE = Path(__file__).resolve().parent / "data" / "m49.json"
UNKNOWN = "-99"

# fmt: off
NAMES: dict[str, StrOrPromise] = {
    # regions
    "002": _("Africa"), "009": _("Oceania"), "019": _("Americas"), "142": _("Asia"),
    "150": _("Europe"),
    # sub-regions
    "015": _("Northern Africa"), "202": _("Sub-Saharan Africa"),
    "419": _("Latin America and the Caribbean"), "021": _("Northern America"),
    "143": _("Central Asia"), "030": _("Eastern Asia"), "035": _("South-eastern Asia"),
    "034": _("Southern Asia"), "145": _("Western Asia"), "151": _("Eastern Europe"),
    "154": _("Northern Europe"), "039": _("Southern Europe"), "155": _("Western Europe"),
    "053": _("Australia and New Zealand"), "054": _("Melanesia"), "057": _("Micronesia"),
    "061": _("Polynesia"),
    # intermediate regions
    "014": _("Eastern Africa"), "017": _("Middle Africa"), "018": _("Southern Africa"),
    "011": _("Western Africa"), "029": _("Caribbean"), "013": _("Central America"),
    "005": _("South America"), "830": _("Channel Islands"),
}
# fmt: on


@dataclass(frozen=True)
class Placement:
    """Where a country sits in M49: codes, empty where it has none (Antarctica)."""

    region: str
    subregion: str
    intermediate: str


@cache
def _data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def placement(country: str) -> Placement:
    """The M49 region, sub-region and intermediate region of an ISO alpha-2 code ("" if none)."""
    found = _data()["countries"].get((country or "").strip().upper())
    if not found:
        return Placement("", "", "")
    return Placement(found["region"], found["subregion"], found["intermediate"])


def subregion_of(country: str) -> str:
    """The M49 sub-region code of a country, or "-99" when unknown or in no region."""
    return placement(country).subregion or UNKNOWN


def region_of_subregion(subregion: str) -> str:
    """The M49 region code a sub-region belongs to ("-99" for an unknown one)."""
    found = _data()["subregions"].get(subregion)
    return str(found["region"]) if found else UNKNOWN


def name(code: str) -> StrOrPromise:
    """The translated name of an M49 region code; "Unknown" for -99 or a code not in M49."""
    return NAMES.get(code, _("Unknown"))


def codes(level: str) -> list[str]:
    """Every code of one level: "regions", "subregions" or "intermediate_regions"."""
    return sorted(_data()[level])
