"""The Excel workbook of a month's roll-up (§6), in the layout the city bureau receives.

The headers and state words are fixed Chinese whatever the interface
language, like the registry workbook (patrols/resources.py): the bureau
compares files from every district side by side.

Figures come from `selectors.dashboard_rows`, so a workbook shows exactly
what the dashboard shows: a submitted report's frozen figures, the live
figures (marked provisional) for the rest. The workbook is written in
openpyxl's write-only mode, so rows stream into the file and a city-wide
export never holds every cell as an object; and the rows themselves are
loaded a chunk of units at a time (`write_month_workbook`), so the memory an
export needs does not grow with the city. `month_rollup`, every row at
once, is for the PDF summary, which lays out a page and not a city.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.db.models import Count
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from config.cells import safe_cell
from orgs.models import OrgUnit, OrgUnitKind
from patrols.models import FindingCategory
from reporting import figures as report_figures
from reporting import periods
from reporting.models import MonthlyReport
from reporting.selectors import DashboardRow, UnitState, dashboard_rows, owing_units, unit_state

# The kinds of unit a month can be exported for.
EXPORTED_KINDS = (OrgUnitKind.CITY, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNITY)

# The bureau's words for a unit's reporting state.
BUREAU_STATES = {
    UnitState.ON_TIME: "按时",
    UnitState.LATE: "迟报",
    UnitState.RETURNED: "已退回",
    UnitState.WAITING: "待报",
    UnitState.MISSING: "未报",
}
TOTAL_LABEL = "合计"
NOTE = "说明：已报送单位为报送时冻结的数字；未报送单位为导出时的实时数字（暂定）。"

INT, PERCENT, TEXT = "int", "percent", "text"

# The most units whose rows an export loads at once: what it holds does not grow with the
# city, and each chunk costs the same few queries.
UNITS_PER_CHUNK = 50


def month_label(period: dt.date) -> str:
    return f"{period.year}年{period.month}月"


def state_word(state: str | None) -> str:
    return BUREAU_STATES.get(state, "") if state else ""


def category_labels() -> dict[str, str]:
    """Finding categories in the bureau's Chinese, in their fixed order."""
    with translation.override("zh-hans"):
        return {choice.value: str(choice.label) for choice in FindingCategory}


# What is exported


@dataclass
class MonthRollup:
    """One unit's month as exported: its own report, the units below it, their totals."""

    unit: OrgUnit
    period: dt.date
    report: MonthlyReport | None
    state: str | None
    rows: list[DashboardRow]
    totals: dict
    # The city only: every community, each with its district as `unit.parent`.
    community_rows: list[DashboardRow] = field(default_factory=list)


def month_rollup(*, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None) -> MonthRollup:
    """The rows of a month's export, a fixed number of queries for any number of units.

    A community is its own single row; a district lists its communities; the
    city lists its districts (their compiled or frozen figures) and, apart,
    every community. Only units that existed in the month and that the user
    may see are listed.
    """
    now = now or timezone.now()
    year = periods.year_to_date(period)
    visible = OrgUnit.objects.visible_to(user).order_by("path")
    if unit.kind == OrgUnitKind.COMMUNITY:
        rows = dashboard_rows([unit], period, now=now, year_months=year)
        return MonthRollup(unit, period, rows[0].report, rows[0].state, rows, dict(rows[0].figures))
    if unit.kind == OrgUnitKind.DISTRICT:
        communities = owing_units(visible.communities().filter(parent=unit), period)
        rows = dashboard_rows(communities, period, now=now, year_months=year)
        report = MonthlyReport.objects.filter(unit=unit, period=period).first()
        state = unit_state(report, periods.report_deadline(unit.kind, period), now)
        return MonthRollup(unit, period, report, state, rows, _totals(rows))
    districts = owing_units(visible.districts().filter(parent=unit), period)
    communities = owing_units(
        visible.communities().filter(parent__parent=unit).select_related("parent"), period
    )
    rows = dashboard_rows(districts, period, now=now, year_months=year)
    community_rows = dashboard_rows(communities, period, now=now, year_months=year)
    return MonthRollup(unit, period, None, None, rows, _totals(rows), community_rows)


def _totals(rows: Iterable[DashboardRow]) -> dict:
    return report_figures.total(row.figures for row in rows)


# Columns


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], int | str | None]
    kind: str = INT


def _figure(key: str) -> Callable[[dict], int | None]:
    # .get: a snapshot frozen before a figure existed simply lacks it.
    return lambda figures: figures.get(key, 0)


def _rate(key: str) -> Callable[[dict], int | None]:
    return lambda figures: figures.get(key)


def _risk(risk: str, key: str) -> Callable[[dict], int]:
    return lambda figures: figures.get("by_risk", {}).get(risk, {}).get(key, 0)


def _risk_rate(risk: str) -> Callable[[dict], int | None]:
    due, covered = _risk(risk, "due"), _risk(risk, "covered")
    return lambda figures: report_figures.percent(covered(figures), due(figures))


def _risk_columns() -> list[Column]:
    columns = []
    for risk in report_figures.RISK_CLASSES:
        columns += [
            Column(f"{risk}类应巡", _risk(risk, "due")),
            Column(f"{risk}类已巡", _risk(risk, "covered")),
            Column(f"{risk}类覆盖率", _risk_rate(risk), PERCENT),
        ]
    return columns


FIGURE_COLUMNS = [
    Column("巡查天数", _figure("patrol_days")),
    Column("当月天数", _figure("days")),
    Column("巡查天数率", _rate("patrol_day_rate"), PERCENT),
    Column("巡查记录", _figure("patrols")),
    Column("检查户次", _figure("visits")),
    Column("有问题户次", _figure("visits_with_issues")),
    *_risk_columns(),
    Column("应巡合计", _figure("due")),
    Column("已巡合计", _figure("covered")),
    Column("覆盖率", _rate("coverage_rate"), PERCENT),
    Column("发现问题", _figure("findings")),
    Column("已整改", _figure("rectified")),
    Column("未整改", _figure("open")),
    Column("移交区所", _figure("reported")),
    Column("未销号隐患", _figure("open_risks")),
    Column("逾期隐患", _figure("overdue_risks")),
    Column("上报线索", _figure("leads_reported")),
    Column("立案线索", _figure("leads_filed")),
    Column("突发事件", _figure("incidents")),
    Column("迟报事件", _figure("incidents_late")),
    Column("宣传栏更新", _figure("bulletin_updates")),
    Column("标语更新", _figure("slogan_updates")),
    Column("宣传活动", _figure("activities")),
    Column("活动参与人次", _figure("activity_attendance")),
    Column("宣传册入户", _figure("brochure_households")),
    Column("回收过期药品(盒)", _figure("medicine_packs")),
    Column("培训会议", _figure("trainings")),
    Column("培训人次", _figure("training_attendance")),
]


def _received(key: str) -> Callable[[dict], int | None]:
    return lambda figures: figures.get("communities", {}).get(key)


# A district's figures count the community reports it received; these say how many.
DISTRICT_COLUMNS = [
    Column("应报社区", _received("expected")),
    Column("已报社区", _received("received")),
    Column("迟报社区", _received("late")),
]
UNIT_HEADERS = ["单位", "编码", "报送状态", "提交时间", "数据"]
RATE_HEADERS = ["本年报送率", "本年按时率"]


def _figure_columns(row_kind: str) -> list[Column]:
    return FIGURE_COLUMNS + (DISTRICT_COLUMNS if row_kind == OrgUnitKind.DISTRICT else [])


# Writing


class SheetWriter:
    """Appends styled rows to a write-only sheet: bold headers, percentages as Excel percentages."""

    def __init__(self, sheet: WriteOnlyWorksheet, widths: list[int]) -> None:
        self.sheet = sheet
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    def title(self, text: str) -> None:
        self.sheet.append([self._cell(text, font=Font(bold=True, size=14))])

    def note(self, text: str) -> None:
        self.sheet.append([self._cell(text, font=Font(italic=True, color="666666"))])

    def header(self, headers: list[str]) -> None:
        bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.sheet.append([self._cell(h, font=bold, alignment=wrap) for h in headers])

    def row(self, values: list, kinds: list[str], *, bold: bool = False) -> None:
        cells = []
        for value, kind in zip(values, kinds, strict=True):
            if kind == PERCENT and value is not None:
                cell = self._cell(value / 100, number_format="0%")
            else:
                cell = self._cell(value)
            if bold:
                cell.font = Font(bold=True)
            cells.append(cell)
        self.sheet.append(cells)

    def _cell(self, value, **style) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=safe_cell(value))  # user text never becomes a formula
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell


def _submitted_at(row: DashboardRow) -> str:
    report = row.report
    if report is None or not report.is_submitted or report.submitted_at is None:
        return ""
    return f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}"


def _unit_values(row: DashboardRow) -> list:
    return [
        row.unit.name,
        row.unit.code,
        state_word(row.state),
        _submitted_at(row),
        "暂定" if row.provisional else "报送",
    ]


class UnitListing:
    """The summary and detail layout: a header, one row per unit as its chunk arrives, a total row.

    Only running sums are kept between chunks: however many units the sheet
    lists, it holds one chunk's rows at a time.
    """

    def __init__(self, writer: SheetWriter, row_kind: str, *, with_district: bool = False) -> None:
        self.writer = writer
        self.columns = _figure_columns(row_kind)
        self.with_district = with_district
        self.labels = (["所属区"] if with_district else []) + UNIT_HEADERS
        self.kinds = [TEXT] * len(self.labels) + [c.kind for c in self.columns] + [PERCENT, PERCENT]
        self.totals = report_figures.total([])
        self.listed = self.submitted = 0
        writer.header(self.labels + [c.header for c in self.columns] + RATE_HEADERS)

    def add(self, rows: list[DashboardRow]) -> None:
        for row in rows:
            values = [row.unit.parent.name] if self.with_district else []
            values += _unit_values(row) + [c.value(row.figures) for c in self.columns]
            values += [row.rates.reporting_rate, row.rates.on_time_rate]
            self.writer.row(values, self.kinds)
        # The totals so far count as one more unit: the sums, and the rates from them, come out the same.
        self.totals = report_figures.total([self.totals, *(row.figures for row in rows)])
        self.listed += len(rows)
        self.submitted += sum(1 for row in rows if not row.provisional)

    def close(self) -> None:
        labels = [TOTAL_LABEL] + [""] * (len(self.labels) - 1)
        labels[self.labels.index("报送状态")] = f"已报 {self.submitted}/{self.listed}"
        self.writer.row(
            labels + [c.value(self.totals) for c in self.columns] + [None, None], self.kinds, bold=True
        )


class CategoryListing:
    """The findings of each summary unit by category, and their total."""

    def __init__(self, writer: SheetWriter) -> None:
        self.writer = writer
        labels = category_labels()
        self.categories = list(labels)
        self.kinds = [TEXT] + [INT] * (len(labels) + 1)
        writer.header(["单位", *labels.values(), "合计"])

    def add(self, rows: list[DashboardRow]) -> None:
        for row in rows:
            self._row(row.unit.name, row.figures)

    def close(self, totals: dict) -> None:
        self._row(TOTAL_LABEL, totals, bold=True)

    def _row(self, name: str, figures: dict, *, bold: bool = False) -> None:
        counts = [figures.get("by_category", {}).get(category, 0) for category in self.categories]
        self.writer.row([name, *counts, sum(counts)], self.kinds, bold=bold)


class MonthBook:
    """The sheets of a month's workbook, open side by side and filled a chunk of units at a time.

    Write-only sheets each stream to a temporary file of their own, so a chunk
    can add its rows to the summary, the detail and the categories in turn.
    """

    def __init__(self, unit: OrgUnit, period: dt.date, *, summary_kind: str) -> None:
        self.workbook = Workbook(write_only=True)
        title = f"{unit.name} {month_label(period)}"
        writer = SheetWriter(self.workbook.create_sheet("汇总"), [16, 12, 9, 17, 7] + [9] * 40)
        writer.title(f"{title} 食品药品安全群防群治工作月报汇总")
        writer.note(NOTE)
        self.summary = UnitListing(writer, summary_kind)
        self.detail: UnitListing | None = None
        if unit.kind == OrgUnitKind.CITY:
            writer = SheetWriter(self.workbook.create_sheet("社区明细"), [12, 16, 12, 9, 17, 7] + [9] * 40)
            writer.title(f"{title} 各社区月报明细")
            writer.note(NOTE)
            self.detail = UnitListing(writer, OrgUnitKind.COMMUNITY, with_district=True)
        writer = SheetWriter(self.workbook.create_sheet("问题分类"), [16] + [12] * (len(FindingCategory) + 1))
        writer.title(f"{title} 发现问题分类统计")
        self.categories = CategoryListing(writer)

    def add(self, rows: list[DashboardRow]) -> None:
        """Rows of the units the month is summed over: the summary and the categories."""
        self.summary.add(rows)
        self.categories.add(rows)

    def add_detail(self, rows: list[DashboardRow]) -> None:
        self.detail.add(rows)

    def save(self, target: str | IO[bytes]) -> None:
        self.summary.close()
        if self.detail is not None:
            self.detail.close()
        self.categories.close(self.summary.totals)
        self.workbook.save(target)


def _batches(units: list[OrgUnit]) -> Iterator[list[OrgUnit]]:
    for start in range(0, len(units), UNITS_PER_CHUNK):
        yield units[start : start + UNITS_PER_CHUNK]


def _district_groups(districts: Iterable[OrgUnit]) -> Iterator[list[OrgUnit]]:
    """Neighbouring districts, together while their communities fit in a chunk (a larger one alone).

    Each district carries `community_count`, all its communities, owing or not: an upper bound.
    """
    group: list[OrgUnit] = []
    size = 0
    for district in districts:
        if group and size + district.community_count > UNITS_PER_CHUNK:
            yield group
            group, size = [], 0
        group.append(district)
        size += district.community_count
    if group:
        yield group


def write_month_workbook(
    target: str | IO[bytes], *, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None
) -> None:
    """Write the .xlsx of a unit's month to `target`: 汇总, (for the city) 社区明细, and 问题分类.

    The units and their order are month_rollup's, but the rows are loaded a
    chunk at a time, written, and let go, the totals kept as running sums:

    1. A community is its own single row.
    2. A district's communities come at most UNITS_PER_CHUNK at a time.
    3. The city goes through its districts a group at a time: the group's own
       rows (a district's figures hold its communities' too), then their
       communities, again at most UNITS_PER_CHUNK at a time.

    Each chunk costs the fixed queries of `dashboard_rows`.
    """
    now = now or timezone.now()
    year = periods.year_to_date(period)
    visible = OrgUnit.objects.visible_to(user).order_by("path")

    def rows_of(units: list[OrgUnit]) -> list[DashboardRow]:
        return dashboard_rows(units, period, now=now, year_months=year)

    if unit.kind == OrgUnitKind.COMMUNITY:
        book = MonthBook(unit, period, summary_kind=OrgUnitKind.COMMUNITY)
        book.add(rows_of([unit]))
    elif unit.kind == OrgUnitKind.DISTRICT:
        book = MonthBook(unit, period, summary_kind=OrgUnitKind.COMMUNITY)
        for batch in _batches(owing_units(visible.communities().filter(parent=unit), period)):
            book.add(rows_of(batch))
    else:
        # Every district, owing or not, for the detail: a community may outlive its district.
        districts = list(visible.districts().filter(parent=unit).annotate(community_count=Count("children")))
        summary_kind = OrgUnitKind.DISTRICT if owing_units(districts, period) else OrgUnitKind.COMMUNITY
        book = MonthBook(unit, period, summary_kind=summary_kind)
        for group in _district_groups(districts):
            book.add(rows_of(owing_units(group, period)))
            communities = visible.communities().filter(parent__in=group).select_related("parent")
            for batch in _batches(owing_units(communities, period)):
                book.add_detail(rows_of(batch))
    book.save(target)


def month_workbook(*, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None) -> bytes:
    """The .xlsx of a unit's month, as bytes (a few hundred bytes a row once compressed)."""
    stream = io.BytesIO()
    write_month_workbook(stream, user=user, unit=unit, period=period, now=now)
    return stream.getvalue()
