"""Indicators: SDG 16.2.2 by sex, age band and form, rates from an uploaded population table
(validated row by row), SDG 10.7.1 said to be not computable, and the HXL download."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import principal, verified_client
from salama.cases.models import ExploitationRecord
from salama.evidence import counts, indicators
from salama.evidence.dashboard_models import PopulationFigure
from salama.evidence.tests.factories import open_cases

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def population_csv(*rows: str) -> bytes:
    return ("country,year,sex,age_band,population,source\n" + "\n".join(rows) + "\n").encode()


def rows_of(indicator: indicators.Indicator, key: str) -> list[list]:
    return next(t.rows for t in indicator.tables if t.key == key)


def test_sdg_16_2_2_counts_detected_victims_by_sex_age_band_and_form(caseworker_a, settings):
    settings.SALAMA_EVIDENCE_MIN_CELL = 1
    women = open_cases(caseworker_a, 3, sex="female", age=25)
    open_cases(caseworker_a, 2, sex="male", age=40)
    open_cases(caseworker_a, 1, sex="male", age=40, case_type="stranded_migrant")
    ExploitationRecord.objects.create(case=women[0], types_of_exploitation=["ForcedLabour"])
    counts.refresh(women[0].organisation_id)
    sdg = indicators.sdg_16_2_2(principal(caseworker_a))
    country = women[0].jurisdiction
    assert rows_of(sdg, "total") == [[YEAR, country, "All", 5, "", ""]]
    assert {r[2]: r[3] for r in rows_of(sdg, "sex")} == {"Female": 3, "Male": 2}
    assert {r[2]: r[3] for r in rows_of(sdg, "age")} == {"24-26": 3, "39-47": 2}
    assert {r[2]: r[3] for r in rows_of(sdg, "form")} == {"Forced labour": 1}


def test_a_population_table_gives_the_rate_per_100000(data_officer_a, caseworker_a, settings):
    settings.SALAMA_EVIDENCE_MIN_CELL = 1
    cases = open_cases(caseworker_a, 4, sex="female")
    country = cases[0].jurisdiction
    stored = indicators.upload_population(
        actor=principal(data_officer_a),
        data=population_csv(
            f"{country},{YEAR},,,2000000,UN WPP", f"{country},{YEAR},female,,1000000,"
        ),
    )
    assert stored == 2
    sdg = indicators.sdg_16_2_2(principal(data_officer_a))
    assert rows_of(sdg, "total")[0][4:] == [2000000, Decimal("0.20")]
    assert rows_of(sdg, "sex")[0][4:] == [1000000, Decimal("0.40")]


def test_a_rate_is_withheld_with_its_small_count(data_officer_a, caseworker_a, settings):
    settings.SALAMA_EVIDENCE_MIN_CELL = 11
    cases = open_cases(caseworker_a, 2)
    indicators.upload_population(
        actor=principal(data_officer_a),
        data=population_csv(f"{cases[0].jurisdiction},{YEAR},,,1000,"),
    )
    row = rows_of(indicators.sdg_16_2_2(principal(data_officer_a)), "total")[0]
    assert row[3] == "fewer than 11" and row[5] == "withheld"


def test_a_population_file_with_errors_names_each_row_and_stores_nothing(data_officer_a):
    data = population_csv(
        "JO,2025,,,100,", "XX,2025,,,100,", "JO,1800,woman,99-100,-4,", "JO,2025,,,5,"
    )
    with pytest.raises(ValidationError) as caught:
        indicators.upload_population(actor=principal(data_officer_a), data=data)
    messages = caught.value.messages
    assert messages[0].startswith("Row 3: “XX” is not an ISO 3166 country code")
    assert "Row 4:" in messages[1] and "year" in messages[1] and "sex" in messages[1]
    assert "age band" in messages[1] and "population" in messages[1]
    assert messages[2] == "Row 5: this country, year, sex and age band is given twice."
    assert not PopulationFigure.objects.exists()


def test_a_population_file_without_the_columns_says_which_are_missing(data_officer_a):
    with pytest.raises(ValidationError, match="missing: sex, age_band"):
        indicators.upload_population(
            actor=principal(data_officer_a), data=b"country,year,population\nJO,2025,1\n"
        )


def test_a_caseworker_cannot_upload_a_population_table(caseworker_a):
    with pytest.raises(PermissionDenied):
        indicators.upload_population(actor=principal(caseworker_a), data=population_csv())


def test_the_population_upload_page_reports_row_errors(data_officer_a):
    client = verified_client(data_officer_a)
    upload = SimpleUploadedFile("pop.csv", population_csv("XX,2025,,,100,"), "text/csv")
    response = client.post(reverse("evidence:population"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Nothing was stored" in page and "Row 2:" in page


def test_sdg_10_7_1_says_it_cannot_be_computed_rather_than_inventing_it(data_officer_a):
    page = verified_client(data_officer_a).get(reverse("evidence:indicators")).content.decode()
    assert "SDG 10.7.1" in page and "Not computable" in page
    assert "Objective 10: prevent, combat and eradicate trafficking in persons" in page


def test_the_indicator_downloads_as_hxl(caseworker_a, tmp_path, settings):
    import hxl

    settings.SALAMA_EVIDENCE_MIN_CELL = 1
    open_cases(caseworker_a, 2)
    response = verified_client(caseworker_a).get(
        reverse("evidence:indicators-csv"), {"format": "hxl"}
    )
    path = tmp_path / "sdg.csv"
    path.write_bytes(response.content)
    data = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    totals = [row for row in data if row.get("#meta+table") == "total"]
    assert totals[0].get("#affected+victims") == "2"
    assert totals[0].get("#indicator+code") == "16.2.2"
