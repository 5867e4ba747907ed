"""The dashboard's figures, read from the pre-aggregated counts; shared by the page, the API and
the exports.

One statement reads the cube (``CaseCount``) for the principal's scope and filters, grouped by
measure, key and month; everything else is folded here. A count under k is withheld (``n`` is
None, ``text`` says "fewer than k") unless the scope is exact, and so is any total or average
drawn from it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.policy import Principal
from salama.evidence.access import Scope, dashboard_scope
from salama.evidence.counts import ensure_counted
from salama.evidence.dashboard_models import CaseCount, CountsFreshness


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the figures to (months are first days of months)."""

    start: dt.date | None = None
    end: dt.date | None = None
    country: str = ""
    sex: str = ""
    age_band: str = ""
    organisation_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "country": self.country,
            "sex": self.sex,
            "age_band": self.age_band,
            "organisation_id": self.organisation_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filters:
        def day(value: Any) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        return cls(
            start=day(data.get("start")),
            end=day(data.get("end")),
            country=data.get("country") or "",
            sex=data.get("sex") or "",
            age_band=data.get("age_band") or "",
            organisation_id=data.get("organisation_id"),
        )


@dataclass(frozen=True)
class Value:
    """One figure: the number (None when withheld) and how it reads."""

    n: int | Decimal | None
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    """One dashboard table; the first column labels the rows, the others are figures."""

    key: str
    title: str
    headers: list[str]
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)
    chart: str = "hbar"  # hbar, bar or line
    chart_columns: tuple[int, ...] = (0,)  # which figure columns the chart draws
    note: str = ""
    hxl: list[str] = field(default_factory=list)  # HXL hashtags of the columns, label first

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass
class Dashboard:
    scope: Scope
    filters: Filters
    tables: list[Table]
    refreshed_at: dt.datetime | None

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


class _Fold:
    """The cube rows in a scope, folded by measure and key, and by measure and month."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.by_key: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        self.by_month: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            cell = self.by_key[row["measure"]].setdefault(row["key"], [0, Decimal(0)])
            cell[0] += row["n"] or 0
            cell[1] += Decimal(row["total"] or 0)
            self.by_month[row["measure"]][row["month"]] += row["n"] or 0

    def keys(self, measure: str) -> dict[str, list[Any]]:
        return self.by_key.get(measure, {})


def _queryset(scope: Scope, filters: Filters) -> Any:
    rows = CaseCount.objects.all()
    if scope.organisation_ids is not None:
        rows = rows.filter(organisation_id__in=scope.organisation_ids)
    if filters.start:
        rows = rows.filter(month__gte=filters.start.replace(day=1))
    if filters.end:
        rows = rows.filter(month__lte=filters.end.replace(day=1))
    for name in ("country", "sex", "age_band"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    return rows


def fold(scope: Scope, filters: Filters) -> _Fold:
    rows = (
        _queryset(scope, filters)
        .values("measure", "key", "month")
        .annotate(n=Sum("n"), total=Sum("total"))
        .order_by()
    )
    return _Fold(rows)


class Shower:
    """How figures read for one scope: exact, or withheld under k."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def count(self, n: int) -> Value:
        if not self.scope.exact and n < self.scope.k:
            return Value(None, _("fewer than %(k)s") % {"k": self.scope.k})
        return Value(n, f"{n:,}")

    def derived(self, n: int, value: Decimal | None, places: str = "0.1") -> Value:
        """A total or an average drawn from `n` cases: withheld with them."""
        if value is None:
            return Value(None, "–")
        if not self.scope.exact and n < self.scope.k:
            return Value(None, _("withheld"))
        rounded = value.quantize(Decimal(places), rounding=ROUND_HALF_UP)
        return Value(rounded, f"{rounded:,}")


def _choices_labeller(choices: Any) -> Callable[[str], str]:
    labels = {str(value): str(label) for value, label in choices}
    return lambda code: labels.get(code, code or _("Not recorded"))


def _labellers() -> dict[str, Callable[[str], str]]:
    from salama.cases import htcds_sets
    from salama.cases.choices import CaseType, Stage
    from salama.core.taxonomy import ServiceType
    from salama.referrals.choices import ReferralStatus
    from salama.screening.choices import DecisionStep, Outcome
    from salama.screening.labels import FACTOR_LABELS

    exploitation = dict(htcds_sets.choices(htcds_sets.TYPE_OF_EXPLOITATION))
    return {
        "stage": _choices_labeller(Stage.choices),
        "opened": _choices_labeller(CaseType.choices),
        "screening": _choices_labeller(Outcome.choices),
        "step": _choices_labeller(DecisionStep.choices),
        "referral": _choices_labeller(ReferralStatus.choices),
        "service": _choices_labeller(ServiceType.choices),
        "exploitation": lambda code: str(exploitation.get(code, code)),
        "vulnerability": lambda code: str(FACTOR_LABELS.get(code, code)),
    }


def _order(choices: Any) -> dict[str, int]:
    return {str(value): index for index, (value, _label) in enumerate(choices)}


def _simple(
    key: str,
    title: Any,
    label_header: Any,
    measure: str,
    folded: _Fold,
    show: Shower,
    labeller: Callable[[str], str],
    *,
    order: dict[str, int] | None = None,
    note: Any = "",
    hxl: tuple[str, str] = ("#indicator+code", "#affected+num"),
) -> Table:
    items = folded.keys(measure)
    if order is not None:
        codes = sorted(items, key=lambda c: order.get(c, 999))
    else:
        codes = sorted(items, key=lambda c: -items[c][0])
    table = Table(
        key=key,
        title=str(title),
        headers=[str(label_header), _("Cases")],
        note=str(note),
        hxl=list(hxl),
    )
    for code in codes:
        table.rows.append((labeller(code), [show.count(items[code][0])]))
    return table


def build(principal: Principal | None, filters: Filters | None = None) -> Dashboard:
    """Every table of the dashboard for `principal` under `filters` (PermissionDenied for a
    principal without a dashboard)."""
    filters = filters or Filters()
    scope = dashboard_scope(principal, filters.organisation_id)
    ensure_counted(scope.organisation_ids)
    folded = fold(scope, filters)
    show = Shower(scope)
    label = _labellers()
    from salama.cases.choices import CaseType, Stage

    tables = [
        _simple(
            "stage",
            gettext_lazy("Caseload by stage"),
            gettext_lazy("Stage"),
            "stage",
            folded,
            show,
            label["stage"],
            order=_order(Stage.choices),
            note=gettext_lazy("Cases opened in the period, by the stage they are at now."),
            hxl=("#status+stage", "#affected+cases+num"),
        ),
        _simple(
            "type",
            gettext_lazy("New cases by type"),
            gettext_lazy("Type of case"),
            "opened",
            folded,
            show,
            label["opened"],
            order=_order(CaseType.choices),
            hxl=("#indicator+type", "#affected+cases+num"),
        ),
        _monthly(folded, show),
        _simple(
            "screening",
            gettext_lazy("Screening outcomes"),
            gettext_lazy("Outcome"),
            "screening",
            folded,
            show,
            label["screening"],
            note=gettext_lazy("Finalised screenings, by the month they were finalised."),
            hxl=("#indicator+outcome", "#affected+num"),
        ),
        _identification(folded, show, label["step"]),
        _simple(
            "referrals",
            gettext_lazy("Referral pipeline"),
            gettext_lazy("Status now"),
            "referral",
            folded,
            show,
            label["referral"],
            note=gettext_lazy("Referrals sent in the period, by where they stand now."),
            hxl=("#status+referral", "#activity+referrals+num"),
        ),
        _referral_times(folded, show, label["service"]),
        _overdue(folded, show),
        _assistance(folded, show),
        _simple(
            "vulnerability",
            gettext_lazy("Vulnerability factors found"),
            gettext_lazy("Risk factor"),
            "vulnerability",
            folded,
            show,
            label["vulnerability"],
            note=gettext_lazy(
                "Finalised vulnerability assessments in which the factor is present."
            ),
            hxl=("#indicator+factor", "#affected+num"),
        ),
        _simple(
            "exploitation",
            gettext_lazy("Forms of exploitation"),
            gettext_lazy("Form of exploitation"),
            "exploitation",
            folded,
            show,
            label["exploitation"],
            note=gettext_lazy("A case with several forms counts once under each."),
            hxl=("#indicator+exploitation", "#affected+cases+num"),
        ),
    ]
    freshness = CountsFreshness.objects.all()
    if scope.organisation_ids is not None:
        freshness = freshness.filter(organisation_id__in=scope.organisation_ids)
    oldest = freshness.order_by("refreshed_at").values_list("refreshed_at", flat=True).first()
    return Dashboard(scope=scope, filters=filters, tables=tables, refreshed_at=oldest)


def _monthly(folded: _Fold, show: Shower) -> Table:
    months = folded.by_month.get("opened", {})
    table = Table(
        key="monthly",
        title=_("New cases over time"),
        headers=[_("Month"), _("Cases opened")],
        chart="bar",
        hxl=["#date+month", "#affected+cases+num"],
    )
    for month in sorted(months):
        table.rows.append((date_format(month, "YEAR_MONTH_FORMAT"), [show.count(months[month])]))
    return table


def _identification(folded: _Fold, show: Shower, labeller: Callable[[str], str]) -> Table:
    items = folded.keys("identification")
    table = Table(
        key="identification",
        title=_("Identification outcomes"),
        headers=[_("Decision"), _("Decisions"), _("Positive"), _("Negative")],
        chart="hbar",
        chart_columns=(1, 2),
        note=_("Decisions of the competent authorities in the period (the latest of each)."),
        hxl=[
            "#indicator+step",
            "#affected+num",
            "#affected+positive+num",
            "#affected+negative+num",
        ],
    )
    for step in ("reasonable_grounds", "conclusive_grounds"):
        if step not in items:
            continue
        figures = [show.count(items.get(step, [0])[0])]
        for outcome in ("positive", "negative"):
            figures.append(show.count(items.get(f"{step}:{outcome}", [0])[0]))
        table.rows.append((labeller(step), figures))
    return table


def _referral_times(folded: _Fold, show: Shower, labeller: Callable[[str], str]) -> Table:
    accepted = folded.keys("referral_accept")
    served = folded.keys("referral_service")
    table = Table(
        key="referral_times",
        title=_("Time to acceptance and to service"),
        headers=[
            _("Service"),
            _("Accepted"),
            _("Average days to acceptance"),
            _("Delivered"),
            _("Average days to service"),
        ],
        chart="hbar",
        chart_columns=(1, 3),
        note=_("Days from sending the referral; referrals sent in the period."),
        hxl=[
            "#service+type",
            "#activity+accepted+num",
            "#indicator+days+accepted",
            "#activity+delivered+num",
            "#indicator+days+delivered",
        ],
    )
    for code in sorted(set(accepted) | set(served), key=labeller):
        a_n, a_days = accepted.get(code, [0, Decimal(0)])
        s_n, s_days = served.get(code, [0, Decimal(0)])
        table.rows.append(
            (
                labeller(code),
                [
                    show.count(a_n),
                    show.derived(a_n, a_days / a_n if a_n else None),
                    show.count(s_n),
                    show.derived(s_n, s_days / s_n if s_n else None),
                ],
            )
        )
    return table


def _overdue(folded: _Fold, show: Shower) -> Table:
    items = folded.keys("overdue")
    names = {"task": _("Tasks past their due date"), "referral": _("Referrals past their deadline")}
    table = Table(
        key="overdue",
        title=_("Overdue work"),
        headers=[_("Work"), _("Overdue now")],
        note=_("Open work that fell due in the period and is still not done."),
        hxl=["#activity+type", "#activity+overdue+num"],
    )
    for code in ("task", "referral"):
        table.rows.append((str(names[code]), [show.count(items.get(code, [0])[0])]))
    return table


def _assistance(folded: _Fold, show: Shower) -> Table:
    from salama.assistance.models import Fund

    items = folded.keys("assistance")
    fund_ids = {key.split("|")[0] for key in items if key.split("|")[0]}
    names = dict(
        Fund.objects.filter(pk__in=[int(i) for i in fund_ids if i.isdigit()]).values_list(
            "pk", "name"
        )
    )
    table = Table(
        key="assistance",
        title=_("Assistance paid by fund and currency"),
        headers=[_("Fund"), _("Currency"), _("Payments"), _("Amount paid")],
        chart="hbar",
        chart_columns=(1,),
        note=_("Amounts in different currencies are never added together."),
        hxl=["#org+fund", "#currency", "#activity+payments+num", "#value+paid"],
    )
    for key in sorted(items):
        fund_id, _sep, currency = key.partition("|")
        n, amount = items[key]
        fund = names.get(int(fund_id), "") if fund_id.isdigit() else _("No fund")
        table.rows.append(
            (
                str(fund),
                [Value(None, currency), show.count(n), show.derived(n, amount, "0.01")],
            )
        )
    return table
