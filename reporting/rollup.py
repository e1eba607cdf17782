"""A unit's month, rolled up: the one selector every output of a month renders (§6).

The rule, the same on the dashboards, the report page, the API, the Excel
workbook, the PDF summary and the assessment:

1. A unit's figures for a month are its report's. A submitted report is shown
   as its frozen snapshot, with its submission time. A unit that has not
   submitted is shown with the figures its report would freeze if submitted
   now, marked provisional (暂定): a community's counted live from the
   records, a district's compiled from the community reports it has received.
2. A district's totals are its own figures: a community that has not
   submitted is listed with its live figures, marked provisional, but is never
   added into the district's totals unless the district's report included it
   (`UnitMonth.included`). So a district's PDF and Excel agree, figure for
   figure, with its report page and with the city's dashboard row for it.
3. The city files no report: its totals are the sum of its districts' figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

from orgs.models import OrgUnit, OrgUnitKind
from reporting import catalogue, periods
from reporting.figures import district_own_figures, live_figures
from reporting.models import MonthlyReport
from reporting.selectors import (
    Rates,
    Received,
    UnitState,
    compile_districts,
    compiled_figures,
    owing_units,
    period_reports,
    reporting_rates,
    submissions,
    unit_state,
)

# The most units whose rows are loaded at once where a listing may be long (the city's
# communities in its workbook): what an export holds does not grow with the city.
UNITS_PER_CHUNK = 50


@dataclass
class UnitMonth:
    """One unit's month as every output shows it."""

    unit: OrgUnit
    period: dt.date
    report: MonthlyReport | None
    state: str | None
    figures: dict
    provisional: bool
    rates: Rates = field(default_factory=Rates)
    # For a community listed under a district: whether the district's figures count it.
    included: bool | None = None

    @property
    def tier(self) -> str:
        return self.unit.kind

    @property
    def state_label(self) -> str:
        return str(UnitState.LABELS[self.state]) if self.state else ""

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.report.submitted_at if self.report is not None and not self.provisional else None

    def cells(self, output: str) -> list[catalogue.Cell]:
        return catalogue.cells(self.figures, output, self.tier)

    @property
    def cells_dashboard(self) -> list[catalogue.Cell]:
        """The figures a row of a dashboard (or of a table of units) shows."""
        return self.cells(catalogue.DASHBOARD)


def unit_months(
    units: list[OrgUnit],
    period: dt.date,
    *,
    now: dt.datetime,
    year_months: list[dt.date],
    submitted: dict[tuple[int, dt.date], bool] | None = None,
    reports: dict[int, MonthlyReport] | None = None,
) -> list[UnitMonth]:
    """One UnitMonth per unit (all communities, or all districts), a fixed number of queries.

    `submitted`, when given, is `submissions()` of the units over the year's months;
    `reports`, when given, is `period_reports()` of the units.
    """
    if not units:
        return []
    kind = units[0].kind
    if reports is None:
        reports = period_reports(units, period)
    unsubmitted = [u for u in units if not (u.pk in reports and reports[u.pk].is_submitted)]
    today = now.astimezone(periods.local_zone()).date()
    if kind == OrgUnitKind.COMMUNITY:
        live = live_figures(unsubmitted, period, on=today)
    else:
        live = compile_districts(unsubmitted, period, rows=False)
    rates = reporting_rates(units, year_months, now=now, submitted=submitted)
    deadline = periods.report_deadline(kind, period)
    result = []
    for unit in units:
        report = reports.get(unit.pk)
        frozen = report is not None and report.is_submitted
        figures = catalogue.normalise(report.summary if frozen else live[unit.pk])
        figures.pop("rows", None)
        result.append(
            UnitMonth(
                unit=unit,
                period=period,
                report=report,
                state=unit_state(report, deadline, now),
                figures=figures,
                provisional=not frozen,
                rates=rates[unit.pk],
            )
        )
    return result


def state_counts(rows: list[UnitMonth]) -> dict[str, int]:
    counts = dict.fromkeys(UnitState.LABELS, 0)
    for row in rows:
        counts[row.state] += 1
    return counts


def included_by(reports: list[MonthlyReport]) -> dict[int, set[int] | None]:
    """Per district id: the communities its report counted if submitted; None where it has not
    submitted (then its provisional figures count the communities that have). One query."""
    frozen = {report.pk: report.unit_id for report in reports if report.is_submitted}
    result: dict[int, set[int] | None] = {report.unit_id: None for report in reports}
    for report_id, figures in MonthlyReport.objects.filter(pk__in=list(frozen)).values_list("pk", "figures"):
        result[frozen[report_id]] = {
            row["unit_id"]
            for row in figures.get("rows", [])
            if row.get("state") in (UnitState.ON_TIME, UnitState.LATE)
        }
    return result


def _mark_included(rows: list[UnitMonth], included: dict[int, set[int] | None]) -> list[UnitMonth]:
    for row in rows:
        counted = included.get(row.unit.parent_id)
        row.included = (not row.provisional) if counted is None else row.unit.pk in counted
    return rows


def _district_own(
    district: OrgUnit,
    period: dt.date,
    rows: list[UnitMonth],
    *,
    now: dt.datetime,
    year_months: list[dt.date],
    submitted: dict[tuple[int, dt.date], bool],
    reports: dict[int, MonthlyReport],
) -> UnitMonth:
    """The district's own month: its frozen report, or what it would freeze now, compiled from the
    community reports it has received (`rows` are all its owing communities)."""
    report = reports.get(district.pk)
    frozen = report is not None and report.is_submitted
    if frozen:
        figures = catalogue.normalise(report.summary)
    else:
        figures = compiled_figures(
            [
                Received(
                    row.unit, None if row.provisional else row.figures, bool(row.report and row.report.late)
                )
                for row in rows
            ],
            district_own_figures([district.pk], period)[district.pk],
        )
    figures.pop("rows", None)
    return UnitMonth(
        unit=district,
        period=period,
        report=report,
        state=unit_state(report, periods.report_deadline(district.kind, period), now),
        figures=figures,
        provisional=not frozen,
        rates=reporting_rates([district], year_months, now=now, submitted=submitted)[district.pk],
    )


@dataclass
class MonthRollup:
    """A unit's month: its own figures (`own`), the units directly below it (`rows`), and for the
    city every community (`detail`, read a chunk at a time)."""

    unit: OrgUnit
    period: dt.date
    own: UnitMonth
    rows: list[UnitMonth]
    now: dt.datetime
    year_months: list[dt.date]
    user: object = None

    @property
    def tier(self) -> str:
        return self.unit.kind

    @property
    def row_kind(self) -> str:
        return self.rows[0].unit.kind if self.rows else OrgUnitKind.COMMUNITY

    @property
    def totals(self) -> dict:
        return self.own.figures

    def _detail_communities(self) -> QuerySet[OrgUnit]:
        communities = OrgUnit.objects.visible_to(self.user).communities().filter(parent__parent=self.unit)
        return communities.select_related("parent").order_by("path")

    @property
    def detail_units(self) -> list[OrgUnit]:
        """The city's communities that existed in the month, each with its district as `parent`."""
        if self.unit.kind != OrgUnitKind.CITY:
            return []
        return owing_units(self._detail_communities(), self.period)

    def detail_chunks(self) -> Iterator[list[UnitMonth]]:
        """`detail_units` a chunk at a time, each marked whether its district's figures count it:
        a chunk is read, counted and dropped before the next, so what is held does not grow with
        the city."""
        if self.unit.kind != OrgUnitKind.CITY:
            return
        included = included_by([row.report for row in self.rows if row.report is not None])
        communities = self._detail_communities().iterator(chunk_size=UNITS_PER_CHUNK)
        while read := list(islice(communities, UNITS_PER_CHUNK)):
            chunk = owing_units(read, self.period)
            # Yielded, not kept: the rows are not held while the next chunk is read.
            yield _mark_included(
                unit_months(chunk, self.period, now=self.now, year_months=self.year_months), included
            )


def month_rollup(
    *,
    user,
    unit: OrgUnit,
    period: dt.date,
    now: dt.datetime | None = None,
    units: list[OrgUnit] | None = None,
    submitted: dict[tuple[int, dt.date], bool] | None = None,
) -> MonthRollup:
    """A unit's month for `user`: only units that existed in it and that the user may see are listed.

    A community is its own single row; a district lists its communities; the city
    its districts (and, apart, every community). What a caller already read may be
    handed in: `units` below, `submitted` (`submissions()` of them and the unit over the year).
    """
    now = now or timezone.now()
    year = periods.year_to_date(period)
    if unit.kind == OrgUnitKind.COMMUNITY:
        own = unit_months([unit], period, now=now, year_months=year, submitted=submitted)[0]
        return MonthRollup(unit, period, own, [own], now, year, user)
    if units is None:
        visible = OrgUnit.objects.visible_to(user).order_by("path")
        below = visible.communities() if unit.kind == OrgUnitKind.DISTRICT else visible.districts()
        units = owing_units(below.filter(parent=unit), period)
    if submitted is None:
        submitted = submissions([*units, unit], year)
    reports = period_reports([*units, unit], period)
    rows = unit_months(units, period, now=now, year_months=year, submitted=submitted, reports=reports)
    if unit.kind == OrgUnitKind.DISTRICT:
        own = _district_own(
            unit, period, rows, now=now, year_months=year, submitted=submitted, reports=reports
        )
        _mark_included(rows, included_by([own.report]) if own.report is not None else {})
        return MonthRollup(unit, period, own, rows, now, year, user)
    for row in rows:
        row.included = True
    own = UnitMonth(
        unit=unit,
        period=period,
        report=None,
        state=None,
        figures=catalogue.total(row.figures for row in rows),
        provisional=any(row.provisional for row in rows),
    )
    return MonthRollup(unit, period, own, rows, now, year, user)
