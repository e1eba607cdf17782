"""Reads for the reporting pages: district compilations, unit states, rates, dashboards.

Each function takes many units and costs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Func, JSONField, Max
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit, OrgUnitKind
from reporting import catalogue, periods
from reporting.figures import district_own_figures, kept, units_digest
from reporting.models import MonthlyReport, ReportStatus


class UnitState:
    ON_TIME = "on_time"
    LATE = "late"
    RETURNED = "returned"
    WAITING = "waiting"
    MISSING = "missing"

    LABELS = {
        ON_TIME: _("On time"),
        LATE: _("Late"),
        RETURNED: _("Returned"),
        WAITING: _("Not yet submitted"),
        MISSING: _("Missing"),
    }


def unit_state(report: MonthlyReport | None, deadline: dt.datetime, now: dt.datetime) -> str:
    if report is not None and report.is_submitted:
        return UnitState.LATE if report.late else UnitState.ON_TIME
    if report is not None and report.status == ReportStatus.RETURNED:
        return UnitState.RETURNED
    return UnitState.MISSING if now >= deadline else UnitState.WAITING


def owing_units(units: Iterable[OrgUnit], period: dt.date) -> list[OrgUnit]:
    """The units that existed in the month and so owe a report on it."""
    return [unit for unit in units if periods.existed_in(unit.opened_on, unit.closed_on, period)]


@dataclass(frozen=True)
class Received:
    """A community as its district compiles it: its figures if it has submitted (else None)."""

    unit: OrgUnit
    figures: dict | None
    late: bool = False


def compiled_figures(members: Iterable[Received], own: dict, *, rows: bool = True) -> dict:
    """A district's figures from its communities: the totals of the reports it received (§6), how
    many it received, and (with `rows`) each community's state and figures under "rows"; plus the
    district's `own` work (reporting.figures.district_own_figures), which no community reports.

    `members` are read once, in order: without `rows` nothing of a community is kept once added."""
    listed = []
    expected = received = late = 0

    def received_figures() -> Iterator[dict]:
        nonlocal expected, received, late
        for m in members:
            expected += 1
            if rows:
                listed.append(
                    {
                        "unit_id": m.unit.pk,
                        "name": m.unit.name,
                        "code": m.unit.code,
                        "state": UnitState.MISSING
                        if m.figures is None
                        else (UnitState.LATE if m.late else UnitState.ON_TIME),
                        "figures": m.figures,
                    }
                )
            if m.figures is not None:
                received += 1
                late += 1 if m.late else 0
                yield m.figures

    compiled = catalogue.total(received_figures())
    compiled.update(own)
    compiled.update(
        communities_expected=expected,
        communities_received=received,
        communities_late=late,
        communities_missing=expected - received,
    )
    if rows:
        compiled["rows"] = listed
    return compiled


# How many communities (and their reports) a compilation reads from the database at a time.
UNITS_PER_FETCH = 50


def compile_districts(districts: Iterable[OrgUnit], period: dt.date, *, rows: bool = True) -> dict[int, dict]:
    """Per district id: `compiled_figures` of the community reports it has received for `period`.

    Only submitted community reports count (§6: a district report counts the
    reports it received). A few queries for any number of districts. The communities and their
    reports are read in the paths' order a few at a time, so without `rows` (each community's
    figures) what is held does not grow with the communities; without them the totals are also
    kept (`_received_totals`).
    """
    districts = list(districts)
    own = district_own_figures([district.pk for district in districts], period)
    if rows:
        return _compile(districts, period, own, rows=True)
    # The district's own work is counted live; it adds keys no community report has.
    return {pk: {**received, **own[pk]} for pk, received in _received_totals(districts, period).items()}


def _compile(
    districts: list[OrgUnit], period: dt.date, own: dict[int, dict], *, rows: bool
) -> dict[int, dict]:
    in_districts = OrgUnit.objects.filter(parent__in=districts, kind=OrgUnitKind.COMMUNITY)
    communities = in_districts.order_by("path").iterator(chunk_size=UNITS_PER_FETCH)
    reports = (
        MonthlyReport.objects.filter(unit__in=in_districts, period=period)
        .submitted()
        .order_by("unit__path")
        .values_list("unit_id", "figures", "late")
        .iterator(chunk_size=UNITS_PER_FETCH)
    )
    pending = next(reports, None)

    def received(community: OrgUnit) -> Received:
        """The community with its report, if it is the next report (both are in the paths' order)."""
        nonlocal pending
        if pending is None or pending[0] != community.pk:
            return Received(community, None)
        _unit_id, figures, late = pending
        pending = next(reports, None)
        return Received(community, catalogue.normalise(figures), late)

    members = (received(community) for community in communities)
    owing = (m for m in members if periods.existed_in(m.unit.opened_on, m.unit.closed_on, period))
    # A district's communities are next to each other in the order of their paths.
    compiled = {district.pk: compiled_figures([], own[district.pk], rows=rows) for district in districts}
    for district_id, group in groupby(owing, key=lambda member: member.unit.parent_id):
        compiled[district_id] = compiled_figures(group, own[district_id], rows=rows)
    return compiled


# A district's totals of the reports it received are kept under a key naming what they were added
# up from, so a kept total cannot outlive a change to them: it stays until the cache needs the room.
# A speed device the bench (#24) keeps: in the 2,000-community city's busiest hour (1x), the city
# dashboard's p95 is 356 ms adding up the reports on each view (target <= 300 ms) and 160-235 ms
# with them kept; p50 200 ms against 86-109 ms (python -m bench, README "Speed devices").
RECEIVED_TOTALS_SECONDS = 24 * 60 * 60


def _received_totals(districts: list[OrgUnit], period: dt.date) -> dict[int, dict]:
    """Per district id: compiled_figures of the reports it received, without its own work.

    A report's figures are frozen when it is submitted, and any change to the report is saved
    (its `updated_at` moves). So a district's totals are kept under a key made of its owing
    communities and the number and latest change of their submitted reports (two small queries),
    and added up again, decoding every report, only when one of those has changed: a city of
    2,000 communities does not decode them on each view of its dashboard.
    """
    in_districts = OrgUnit.objects.filter(parent__in=districts, kind=OrgUnitKind.COMMUNITY)
    owing = defaultdict(list)
    for pk, district_id, opened_on, closed_on in in_districts.values_list(
        "pk", "parent_id", "opened_on", "closed_on"
    ):
        if periods.existed_in(opened_on, closed_on, period):
            owing[district_id].append(pk)
    changes = {
        district_id: (received, last)
        for district_id, received, last in MonthlyReport.objects.filter(unit__in=in_districts, period=period)
        .submitted()
        .values("unit__parent_id")
        .annotate(received=Count("pk"), last=Max("updated_at"))
        .order_by()
        .values_list("unit__parent_id", "received", "last")
    }
    keys = {}
    for district in districts:
        received, last = changes.get(district.pk, (0, None))
        communities = units_digest(owing[district.pk])
        keys[district.pk] = (
            f"reporting:received:{catalogue.VERSION}:{district.pk}:{period:%Y-%m}:{communities}:{received}:"
            f"{last.isoformat() if last else ''}"
        )
    by_pk = {district.pk: district for district in districts}

    def add_up(todo: list[int]) -> dict[int, dict]:
        return _compile([by_pk[pk] for pk in todo], period, dict.fromkeys(todo, {}), rows=False)

    return kept(list(by_pk), keys, add_up, timeout=RECEIVED_TOTALS_SECONDS)


def compile_district(district: OrgUnit, period: dt.date) -> dict:
    return compile_districts([district], period)[district.pk]


@dataclass
class Rates:
    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def reporting_rate(self) -> int | None:
        return catalogue.percent(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> int | None:
        return catalogue.percent(self.on_time, self.expected)


def submissions(units: Iterable[OrgUnit], months: list[dt.date]) -> dict[tuple[int, dt.date], bool]:
    """Per (unit id, month) of a submitted report on one of `months`: whether it came late.

    Only those three columns: a year of district snapshots is megabytes.
    """
    return {
        (unit_id, period): late
        for unit_id, period, late in MonthlyReport.objects.filter(unit__in=list(units), period__in=months)
        .submitted()
        .order_by()
        .values_list("unit_id", "period", "late")
    }


def reporting_rates(
    units: Iterable[OrgUnit],
    months: list[dt.date],
    *,
    now: dt.datetime,
    submitted: dict[tuple[int, dt.date], bool] | None = None,
) -> dict[int, Rates]:
    """Per unit id: reports owed, submitted and submitted on time over `months`.

    A month is owed only if the unit existed in it and its deadline has passed
    (or the report is already in); so a community opened in June owes nothing
    for May, and this month's report is not counted missing before its day.
    `submitted` is what `submissions()` gives for these units over (at least) these months.
    """
    units = list(units)
    if submitted is None:
        submitted = submissions(units, months)
    result = {}
    for unit in units:
        rates = Rates()
        for month in months:
            if not periods.existed_in(unit.opened_on, unit.closed_on, month):
                continue
            late = submitted.get((unit.pk, month))
            if late is None and now < periods.report_deadline(unit.kind, month):
                continue
            rates.expected += 1
            if late is not None:
                rates.submitted += 1
                rates.on_time += not late
        result[unit.pk] = rates
    return result


class JSONWithoutKey(Func):
    """A JSON object without one of its top-level keys, taken out in the database.

    A district report's snapshot lists every community's figures under "rows"; the pages that
    show the district's own figures need not read and decode them.
    """

    output_field = JSONField()

    def __init__(self, expression: str, key: str) -> None:
        self.key = key
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - %s::text)", (*params, self.key)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_remove({sql}, %s)", (*params, f"$.{self.key}")


def period_reports(units: list[OrgUnit], period: dt.date) -> dict[int, MonthlyReport]:
    """Per unit id: its report on `period`, with its figures' summary (without a district's rows)."""
    return {
        r.unit_id: r
        for r in MonthlyReport.objects.filter(unit__in=units, period=period)
        .order_by()  # into a dict: no join for the units' order
        .defer("figures")
        .annotate(summary=JSONWithoutKey("figures", "rows"))
    }


def on_time_trend(
    units: list[OrgUnit],
    months: list[dt.date],
    *,
    now: dt.datetime,
    submitted: dict[tuple[int, dt.date], bool] | None = None,
) -> list[dict]:
    """Per month: how many of the units owed a report, sent it on time, late, or not at all.

    `submitted` is what `submissions()` gives for these units over (at least) these months.
    """
    if submitted is None:
        submitted = submissions(units, months)
    ids = {unit.pk for unit in units}
    done = defaultdict(lambda: {"on_time": 0, "late": 0})
    for (unit_id, period), late in submitted.items():
        if unit_id in ids:
            done[period]["late" if late else "on_time"] += 1
    trend = []
    for month in months:
        owing = len(owing_units(units, month))
        counts = done[month]
        due = bool(units) and now >= periods.report_deadline(units[0].kind, month)
        missing = owing - counts["on_time"] - counts["late"] if due else 0
        trend.append({"period": month, "owing": owing, **counts, "missing": max(missing, 0)})
    return trend


def own_report_status(user, *, now: dt.datetime) -> dict | None:
    """For the people who write their unit's report: the latest month's report and how it stands."""
    from reporting.models import PREPARERS

    unit = user.org_unit
    if unit is None or user.role not in PREPARERS.get(unit.kind, ()):
        return None
    period = periods.previous_period(now.astimezone(periods.local_zone()).date())
    if not periods.existed_in(unit.opened_on, unit.closed_on, period):
        return None
    report = MonthlyReport.objects.filter(unit=unit, period=period).first()
    state = unit_state(report, periods.report_deadline(unit.kind, period), now)
    return {
        "unit": unit,
        "period": period,
        "state": state,
        "label": UnitState.LABELS[state],
        "due": periods.report_due_date(unit.kind, period),
    }
