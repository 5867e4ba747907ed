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
