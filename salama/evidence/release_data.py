"""Read an organisation's cases into the raw rows that salama.evidence.release generalises.

Only values kept in clear for statistics are read — the registration year, the person's sex, age
at registration and first citizenship, the HTCDS codes of the exploitation record and the country
of its first exploitation stage. Nothing is decrypted; names, dates of birth, references and free
text never enter the rows. Cases whose person was erased by retention are left out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.apps import apps

from salama.evidence.release import RAW_COLUMNS

EXPLOITATION_STAGE = "Exploitation"


def raw_case_rows(organisation_id: int | None = None) -> pd.DataFrame:
    """One raw row per case (of one organisation, or of all when ``organisation_id`` is None)."""
    case_model = apps.get_model("cases", "Case")
    event_model = apps.get_model("cases", "TraffickingEvent")
    cases = case_model.objects.filter(retention_erased_at__isnull=True)
    if organisation_id is not None:
        cases = cases.filter(organisation_id=organisation_id)
    values = cases.values_list(
        "id",
        "opened_at",
        "person__sex",
        "person__age_at_registration",
        "person__citizenships",
        "exploitation__types_of_exploitation",
        "exploitation__methods_of_control",
        "exploitation__duration_months",
    )
    countries: dict[Any, str] = {}
    events = (
        event_model.objects.filter(event_type=EXPLOITATION_STAGE, record__case__in=cases)
        .order_by("record__case_id", "position")
        .values_list("record__case_id", "country")
    )
    for case_id, country in events:
        countries.setdefault(case_id, country)
    rows = [
        {
            "year": opened.year,
            "sex": sex or "",
            "age": age,
            "citizenship": (citizenships or [""])[0],
            "exploitation_country": countries.get(case_id, ""),
            "exploitation_types": ";".join(types or []),
            "methods_of_control": ";".join(controls or []),
            "duration_months": months,
        }
        for case_id, opened, sex, age, citizenships, types, controls, months in values
    ]
    return pd.DataFrame(rows, columns=[*RAW_COLUMNS, "duration_months"])


def factor_rows(organisation_id: int | None = None) -> pd.DataFrame:
    """One row per case for the factor analysis: country (the case's jurisdiction, which
    salama.evidence.factors places in its UN M49 sub-region and region), the outcome
    flags, and per ILO indicator (``ilo:<code>``) and DoMV factor (``domv:<code>``) 1 when
    present, 0 when absent, missing when unknown or not asked (any screening of the case)."""
    case_model = apps.get_model("cases", "Case")
    answer_model = apps.get_model("screening", "IndicatorAnswer")
    factor_model = apps.get_model("screening", "FactorAnswer")
    cases = case_model.objects.filter(retention_erased_at__isnull=True)
    if organisation_id is not None:
        cases = cases.filter(organisation_id=organisation_id)
    rows: dict[Any, dict[str, Any]] = {}
    for case_id, jurisdiction, types in cases.values_list(
        "id", "jurisdiction", "exploitation__types_of_exploitation"
    ):
        known = bool(types)
        rows[case_id] = {
            "country": jurisdiction or "-99",
            "isSexualExploitation": (1 if "SexualExploitation" in types else 0) if known else None,
            "isForcedLabour": (1 if "ForcedLabour" in types else 0) if known else None,
        }
    answers = answer_model.objects.filter(
        screening__case__in=cases, value__in=("present", "absent")
    ).values_list("screening__case_id", "indicator", "value")
    for case_id, indicator, value in answers:
        column = f"ilo:{indicator}"
        flag = 1 if value == "present" else 0
        rows[case_id][column] = max(flag, rows[case_id].get(column) or 0)
    found = factor_model.objects.filter(
        assessment__case__in=cases, present__in=("yes", "no")
    ).values_list("assessment__case_id", "factor", "present")
    for case_id, factor, present in found:
        column = f"domv:{factor}"
        flag = 1 if present == "yes" else 0
        rows[case_id][column] = max(flag, rows[case_id].get(column) or 0)
    return pd.DataFrame(list(rows.values()))
