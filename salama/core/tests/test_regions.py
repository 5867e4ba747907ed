"""Countries are placed in the UN M49 geoscheme: region, sub-region, intermediate region."""

from __future__ import annotations

import json

from django.utils.functional import Promise

from salama.core import regions
from salama.core.countries import COUNTRIES


def test_every_iso_country_but_antarctica_has_a_region_and_a_sub_region() -> None:
    for code in COUNTRIES:
        place = regions.placement(code)
        if code == "AQ":
            assert place == regions.Placement("", "", "")
            continue
        assert place.region in regions.codes("regions"), code
        assert place.subregion in regions.codes("subregions"), code
        assert regions.region_of_subregion(place.subregion) == place.region, code


def test_the_data_file_lists_exactly_the_iso_countries() -> None:
    data = json.loads(regions.DATA_FILE.read_text(encoding="utf-8"))
    assert set(data["countries"]) == set(COUNTRIES)


def test_known_countries_sit_in_their_m49_sub_regions() -> None:
    expected = {
        "EG": ("002", "015", ""),  # Northern Africa
        "LY": ("002", "015", ""),
        "NG": ("002", "202", "011"),  # Sub-Saharan Africa, Western Africa
        "ER": ("002", "202", "014"),  # Eastern Africa
        "JO": ("142", "145", ""),  # Western Asia
        "AF": ("142", "034", ""),  # Southern Asia
        "PH": ("142", "035", ""),  # South-eastern Asia
        "KZ": ("142", "143", ""),  # Central Asia
        "UA": ("150", "151", ""),  # Eastern Europe
        "ES": ("150", "039", ""),  # Southern Europe
        "GB": ("150", "154", ""),  # Northern Europe
        "JE": ("150", "154", "830"),  # Channel Islands
        "MX": ("019", "419", "013"),  # Latin America and the Caribbean, Central America
        "HT": ("019", "419", "029"),  # Caribbean
        "US": ("019", "021", ""),  # Northern America
        "FJ": ("009", "054", ""),  # Melanesia
    }
    for code, (region, subregion, intermediate) in expected.items():
        assert regions.placement(code) == regions.Placement(region, subregion, intermediate), code


def test_a_lower_case_or_unknown_country_is_placed_or_unknown() -> None:
    assert regions.subregion_of("jo") == "145"
    assert regions.subregion_of("") == regions.UNKNOWN
    assert regions.subregion_of("-99") == regions.UNKNOWN
    assert regions.region_of_subregion(regions.UNKNOWN) == regions.UNKNOWN


def test_every_region_has_a_translatable_name() -> None:
    for level in ("regions", "subregions", "intermediate_regions"):
        for code in regions.codes(level):
            assert isinstance(regions.NAMES[code], Promise), code
    assert str(regions.name("145")) == "Western Asia"
    assert str(regions.name("015")) == "Northern Africa"
    assert str(regions.name(regions.UNKNOWN)) == "Unknown"


def test_the_names_in_the_data_file_match_the_translatable_names() -> None:
    data = json.loads(regions.DATA_FILE.read_text(encoding="utf-8"))
    assert {c: str(regions.name(c)) for c in data["regions"]} == data["regions"]
    for level in ("subregions", "intermediate_regions"):
        for code, entry in data[level].items():
            assert str(regions.name(code)) == entry["name"], code
