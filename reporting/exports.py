"""The Excel workbook of a month's roll-up (§6), in the layout the city bureau receives.

The headers and state words are fixed Chinese whatever the interface
language, like the registry workbook (patrols/resources.py): the bureau
compares files from every district side by side.

Figures come from `selectors.dashboard_rows`, so a workbook shows exactly
what the dashboard shows: a submitted report's frozen figures, the live
figures (marked provisional) for the rest. The workbook is written in
openpyxl's write-only mode, so rows stream into the file and a city-wide
export never holds every cell as an object.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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
        cell = WriteOnlyCell(self.sheet, value=value)
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


def _write_units(writer: SheetWriter, rows: list[DashboardRow], *, with_district: bool = False) -> None:
    """A header, one row per unit, and the total row: the layout of the summary and detail sheets."""
    columns = _figure_columns(rows[0].unit.kind if rows else OrgUnitKind.COMMUNITY)
    lead = ["所属区"] if with_district else []
    labels = lead + UNIT_HEADERS
    kinds = [TEXT] * len(labels) + [c.kind for c in columns] + [PERCENT, PERCENT]
    writer.header(labels + [c.header for c in columns] + RATE_HEADERS)
    for row in rows:
        values = [row.unit.parent.name] if with_district else []
        values += _unit_values(row) + [c.value(row.figures) for c in columns]
        values += [row.rates.reporting_rate, row.rates.on_time_rate]
        writer.row(values, kinds)
    totals = _totals(rows)
    submitted = sum(1 for row in rows if not row.provisional)
    total_labels = [TOTAL_LABEL] + [""] * (len(labels) - 1)
    total_labels[len(lead) + 2] = f"已报 {submitted}/{len(rows)}"
    writer.row(total_labels + [c.value(totals) for c in columns] + [None, None], kinds, bold=True)


def _write_summary(workbook: Workbook, rollup: MonthRollup) -> None:
    writer = SheetWriter(workbook.create_sheet("汇总"), [16, 12, 9, 17, 7] + [9] * 40)
    writer.title(f"{rollup.unit.name} {month_label(rollup.period)} 食品药品安全群防群治工作月报汇总")
    writer.note(NOTE)
    _write_units(writer, rollup.rows)


def _write_communities(workbook: Workbook, rollup: MonthRollup) -> None:
    writer = SheetWriter(workbook.create_sheet("社区明细"), [12, 16, 12, 9, 17, 7] + [9] * 40)
    writer.title(f"{rollup.unit.name} {month_label(rollup.period)} 各社区月报明细")
    writer.note(NOTE)
    _write_units(writer, rollup.community_rows, with_district=True)


def _write_categories(workbook: Workbook, rollup: MonthRollup) -> None:
    labels = category_labels()
    writer = SheetWriter(workbook.create_sheet("问题分类"), [16] + [12] * (len(labels) + 1))
    writer.title(f"{rollup.unit.name} {month_label(rollup.period)} 发现问题分类统计")
    writer.header(["单位", *labels.values(), "合计"])
    kinds = [TEXT] + [INT] * (len(labels) + 1)
    for name, figures in [(row.unit.name, row.figures) for row in rollup.rows] + [
        (TOTAL_LABEL, rollup.totals)
    ]:
        counts = [figures.get("by_category", {}).get(category, 0) for category in labels]
        writer.row([name, *counts, sum(counts)], kinds, bold=name == TOTAL_LABEL)


def month_workbook(*, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None) -> bytes:
    """The .xlsx of a unit's month: 汇总, (for the city) 社区明细, and 问题分类."""
    rollup = month_rollup(user=user, unit=unit, period=period, now=now)
    workbook = Workbook(write_only=True)
    _write_summary(workbook, rollup)
    if unit.kind == OrgUnitKind.CITY:
        _write_communities(workbook, rollup)
    _write_categories(workbook, rollup)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
