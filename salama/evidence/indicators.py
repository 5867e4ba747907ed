"""Indicators for policy: SDG 16.2.2 from the caseload, SDG 10.7.1 where its data exist, each
tagged with the Global Compact for Migration objectives it serves.

SDG 16.2.2 is "the number of victims of human trafficking per 100,000 population, by sex, age
and form of exploitation" (custodian UNODC). Here a *detected victim* is a trafficking case
(case type "trafficking") opened in the year, counted in the country of its jurisdiction, by the
person's sex and age band at registration; the forms of exploitation come from the case's
exploitation record (a case with two forms counts under each). The rate per 100,000 appears
only where a data officer has uploaded the population of that country, year, sex and age band
(``PopulationFigure``). The same withholding of small counts applies as on the dashboard, and a
rate is withheld with its count.

SDG 10.7.1 ("recruitment cost borne by employee as a proportion of monthly income earned in
country of destination", custodians ILO and World Bank) needs the recruitment cost and the
monthly earnings of each person; Salama's exploitation record holds neither, so the indicator is
reported as not computable rather than estimated.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core import audit
from salama.core.countries import COUNTRIES
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.evidence import figures
from salama.evidence.access import dashboard_scope
from salama.evidence.counts import ensure_counted
from salama.evidence.dashboard_models import PopulationFigure
from salama.people.choices import AGE_BANDS, Sex

GCM_OBJECTIVES = {
    1: gettext_lazy("Objective 1: collect and utilize accurate and disaggregated data"),
    6: gettext_lazy("Objective 6: facilitate fair and ethical recruitment"),
    10: gettext_lazy("Objective 10: prevent, combat and eradicate trafficking in persons"),
}

MAX_POPULATION_ROWS = 5000
MAX_POPULATION_BYTES = 1024 * 1024


@dataclass
class IndicatorTable:
    key: str
    title: str
    rows: list[list[Any]] = field(default_factory=list)  # year, country, group, victims, pop, rate


@dataclass
class Indicator:
    code: str
    title: str
    definition: str
    custodian: str
    objectives: list[str]
    computable: bool
    reason: str = ""
    tables: list[IndicatorTable] = field(default_factory=list)


HEADERS = ("Year", "Country", "Group", "Victims", "Population", "Rate per 100,000")
HXL = (
    "#date+year",
    "#country+code",
    "#group",
    "#affected+victims+num",
    "#population+num",
    "#indicator+rate+per100k",
)


def _population(scope: figures.Scope) -> dict[tuple[str, int, str, str], int]:
    rows = PopulationFigure.objects.all()
    if scope.organisation_ids is not None:
        rows = rows.filter(organisation_id__in=scope.organisation_ids)
    table: dict[tuple[str, int, str, str], int] = {}
    for country, year, sex, band, population in rows.values_list(
        "country", "year", "sex", "age_band", "population"
    ):
        table[(country, year, sex, band)] = max(
            population, table.get((country, year, sex, band), 0)
        )
    return table


def _rate(show: figures.Shower, victims: int, population: int | None) -> tuple[Any, Any]:
    if not population:
        return "", ""
    count = show.count(victims)
    if count.n is None:
        return population, _("withheld")
    rate = (Decimal(victims) * 100000 / Decimal(population)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return population, rate


def sdg_16_2_2(principal: Principal | None, filters: figures.Filters | None = None) -> Indicator:
    filters = filters or figures.Filters()
    scope = dashboard_scope(principal, filters.organisation_id)
    ensure_counted(scope.organisation_ids)
    show = figures.Shower(scope)
    cube = figures._queryset(scope, filters)
    victims = cube.filter(measure="opened", key="trafficking")
    by: dict[str, dict[tuple[int, str, str], int]] = defaultdict(lambda: defaultdict(int))
    for year_month, country, sex, band, n in (
        victims.values_list("month", "country", "sex", "age_band").annotate(n=Sum("n")).order_by()
    ):
        by["total"][(year_month.year, country, "")] += n
        by["sex"][(year_month.year, country, sex)] += n
        by["age"][(year_month.year, country, band)] += n
    forms = cube.filter(measure="exploitation").values_list("month", "country", "key")
    for year_month, country, key, n in forms.annotate(n=Sum("n")).order_by():
        by["form"][(year_month.year, country, key)] += n
    population = _population(scope)
    labels = figures._labellers()
    sexes = dict(Sex.choices)

    def table(key: str, title: str, group: Any, pop_key: Any) -> IndicatorTable:
        out = IndicatorTable(key=key, title=title)
        for (year, country, code), n in sorted(by[key].items()):
            pop, rate = _rate(show, n, population.get(pop_key(country, year, code)))
            count = show.count(n)
            out.rows.append(
                [
                    year,
                    country,
                    group(code),
                    count.n if count.n is not None else count.text,
                    pop,
                    rate,
                ]
            )
        return out

    tables = [
        table(
            "total", _("All detected victims"), lambda c: _("All"), lambda c, y, k: (c, y, "", "")
        ),
        table(
            "sex",
            _("By sex"),
            lambda c: str(sexes.get(c, c or _("Not recorded"))),
            lambda c, y, k: (c, y, k, ""),
        ),
        table(
            "age",
            _("By age band"),
            lambda c: c or _("Not recorded"),
            lambda c, y, k: (c, y, "", k),
        ),
        table(
            "form",
            _("By form of exploitation"),
            labels["exploitation"],
            lambda c, y, k: (c, y, "", ""),
        ),
    ]
    return Indicator(
        code="16.2.2",
        title=_("SDG 16.2.2: victims of human trafficking per 100,000 population"),
        definition=_(
            "Detected victims: trafficking cases opened in the year, by the country of the "
            "case, the person's sex and age band at registration and the forms of exploitation "
            "recorded. Custodian: UNODC. The rate needs a population table (below)."
        ),
        custodian="UNODC",
        objectives=[str(GCM_OBJECTIVES[1]), str(GCM_OBJECTIVES[10])],
        computable=True,
        tables=tables,
    )


def sdg_10_7_1() -> Indicator:
    return Indicator(
        code="10.7.1",
        title=_(
            "SDG 10.7.1: recruitment cost borne by employee as a proportion of monthly income "
            "earned in country of destination"
        ),
        definition=_("Custodians: ILO and World Bank."),
        custodian="ILO, World Bank",
        objectives=[str(GCM_OBJECTIVES[1]), str(GCM_OBJECTIVES[6])],
        computable=False,
        reason=_(
            "Not computable from Salama's records: the exploitation record holds the methods "
            "of recruitment but neither the recruitment cost a person paid nor their monthly "
            "earnings, and these are not estimated."
        ),
    )


def indicator_sheet(indicator: Indicator) -> tuple[list[str], list[list[Any]], list[str]]:
    headers = ["Indicator", "Table", *HEADERS]
    rows = [[indicator.code, t.key, *row] for t in indicator.tables for row in t.rows]
    return headers, rows, ["#indicator+code", "#meta+table", *HXL]


# The population table -------------------------------------------------------------------------

_BANDS = {label for _low, _high, label in AGE_BANDS}
_REQUIRED = ("country", "year", "sex", "age_band", "population")


def parse_population(data: bytes) -> list[dict[str, Any]]:
    """The rows of a population CSV, or a ValidationError listing each row's problem."""
    if len(data) > MAX_POPULATION_BYTES:
        raise ValidationError(_("The file is larger than 1 MB; split it by country."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise ValidationError(
            _("The first line must name the columns; missing: %(cols)s.")
            % {"cols": ", ".join(missing)}
        )
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, int, str, str]] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        problems = []
        country = row["country"].upper()
        if country not in COUNTRIES:
            problems.append(_("“%(v)s” is not an ISO 3166 country code") % {"v": row["country"]})
        try:
            year = int(row["year"])
            if not 1950 <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(
                _("the year “%(v)s” is not a year from 1950 to 2100") % {"v": row["year"]}
            )
            year = 0
        sex = row["sex"].lower()
        if sex not in {"", Sex.FEMALE, Sex.MALE, Sex.INTERSEX}:
            problems.append(_("the sex must be female, male, intersex or empty (all)"))
        band = row["age_band"]
        if band not in _BANDS | {""}:
            problems.append(
                _("the age band must be one of %(bands)s or empty (all ages)")
                % {"bands": ", ".join(label for _l, _h, label in AGE_BANDS)}
            )
        try:
            population = int(row["population"].replace(",", "").replace(" ", ""))
            if population <= 0:
                raise ValueError
        except ValueError:
            problems.append(_("the population must be a whole number above 0"))
            population = 0
        key = (country, year, sex, band)
        if not problems and key in seen:
            problems.append(_("this country, year, sex and age band is given twice"))
        seen.add(key)
        if problems:
            errors.append(_("Row %(n)s: %(p)s.") % {"n": number, "p": "; ".join(problems)})
        else:
            rows.append(
                {
                    "country": country,
                    "year": year,
                    "sex": sex,
                    "age_band": band,
                    "population": population,
                    "source": row.get("source", "")[:200],
                }
            )
        if number > MAX_POPULATION_ROWS + 1:
            errors.append(_("More than %(n)s rows: split the file.") % {"n": MAX_POPULATION_ROWS})
            break
    if errors:
        raise ValidationError(errors[:50])
    if not rows:
        raise ValidationError(_("The file has no rows under its header."))
    return rows


@transaction.atomic
def upload_population(*, actor: Principal, data: bytes) -> int:
    """Replace the organisation's population figures of the countries and years in the file
    with the file's rows; all or nothing. Returns how many rows were stored."""
    if not has_perm(actor, Perm.STATS_VIEW) or actor.organisation is None:
        raise PermissionDenied
    rows = parse_population(data)
    org = actor.organisation
    for country, year in {(r["country"], r["year"]) for r in rows}:
        PopulationFigure.objects.filter(organisation=org, country=country, year=year).delete()
    PopulationFigure.objects.bulk_create(
        PopulationFigure(organisation=org, uploaded_by=actor.user, **row) for row in rows
    )
    audit.record(
        "evidence.population_upload",
        actor=actor.user,
        object_type="evidence.populationfigure",
        organisation=org,
        changes={
            "rows": (None, len(rows)),
            "countries": (None, sorted({r["country"] for r in rows})),
        },
    )
    return len(rows)


@transaction.atomic
def export_indicator(
    *, actor: Principal, fmt: str, filters: figures.Filters | None = None
) -> tuple[bytes, str]:
    """SDG 16.2.2's tables as CSV (``hxl``: with a row of HXL hashtags), with the actor's
    withholding of small counts; audited. Returns the body and the file name."""
    from salama.evidence import exports

    dashboard_scope(actor, (filters or figures.Filters()).organisation_id)
    fmt = "hxl" if fmt == "hxl" else "csv"
    headers, rows, hxl = indicator_sheet(sdg_16_2_2(actor, filters))
    body = exports.write(exports.Sheet("SDG 16.2.2", headers, rows, hxl), fmt)
    audit.record(
        "evidence.export_table",
        actor=actor.user,
        object_type="evidence.indicator",
        object_id="16.2.2",
        organisation=actor.organisation,
        changes={"format": (None, fmt)},
    )
    return body, f"sdg-16-2-2.{'hxl.csv' if fmt == 'hxl' else 'csv'}"
