"""The Excel workbook of a month's roll-up (§6), in the layout the city bureau receives.

The headers and state words are fixed Chinese whatever the interface
language, like the registry workbook (patrols/resources.py): the bureau
compares files from every district side by side. The figure columns are the
catalogue's (reporting.catalogue, output EXCEL) and their headers its labels.

Figures come from the month's roll-up (reporting.rollup.month_rollup), so a
workbook shows exactly what the dashboard, the report page and the PDF show:
a submitted report's frozen figures, the live figures (marked provisional)
for the rest, and as the total the unit's own figures, which count only the
reports it included. The workbook is written in openpyxl's write-only mode,
so rows stream into the file; the city's communities are loaded a chunk at a
time, so the memory an export needs does not grow with the city.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from itertools import chain
from typing import IO

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from config.cells import safe_cell
from orgs.models import OrgUnit, OrgUnitKind
from reporting import catalogue
from reporting.rollup import MonthRollup, UnitMonth, month_rollup
from reporting.selectors import UnitState

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
PROVISIONAL, FROZEN = "暂定", "报送"
NOTE = (
    "说明：已报送单位为报送时冻结的数字；未报送单位为导出时的实时数字（暂定），"
    "不计入上级已报送月报的合计，除非该月报已计入（见“计入合计”）。"
)

INT, PERCENT, TEXT = "int", "percent", "text"


def month_label(period: dt.date) -> str:
    return f"{period.year}年{period.month}月"


def state_word(state: str | None) -> str:
    return BUREAU_STATES.get(state, "") if state else ""


def bureau_labels(figures: list[catalogue.Figure]) -> list[str]:
    """The catalogue's labels in the bureau's Chinese, whatever the interface language."""
    with translation.override("zh-hans"):
        return [str(figure.label) for figure in figures]


def _kind(figure: catalogue.Figure) -> str:
    return PERCENT if figure.kind == catalogue.RATE else INT


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
            elif isinstance(value, dt.datetime):
                cell = self._cell(value, number_format="yyyy-mm-dd hh:mm")
            elif isinstance(value, dt.date):
                cell = self._cell(value, number_format="yyyy-mm-dd")
            else:
                cell = self._cell(value)
            if isinstance(value, str) and "\n" in value:  # a ledger's history: one line per step
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = Font(bold=True)
            cells.append(cell)
        self.sheet.append(cells)

    def _cell(self, value, **style) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=safe_cell(value))  # user text never becomes a formula
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell


def _submitted_at(row: UnitMonth) -> str:
    at = row.submitted_at
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""


def _included_word(row: UnitMonth) -> str:
    return "" if row.included is None else ("是" if row.included else "否")


UNIT_HEADERS = ["单位", "编码", "报送状态", "提交时间", "数据", "计入合计"]
RATE_HEADERS = ["本年报送率", "本年按时率"]


class UnitListing:
    """One row per unit as its chunk arrives, then the unit's own figures as the total row."""

    def __init__(self, writer: SheetWriter, row_tier: str, *, with_district: bool = False) -> None:
        self.writer = writer
        self.figures = catalogue.shown(catalogue.EXCEL, row_tier)
        self.with_district = with_district
        self.labels = (["所属区"] if with_district else []) + UNIT_HEADERS
        self.kinds = [TEXT] * len(self.labels) + [_kind(f) for f in self.figures] + [PERCENT, PERCENT]
        writer.header(self.labels + bureau_labels(self.figures) + RATE_HEADERS)

    def add(self, rows: Iterable[UnitMonth]) -> None:
        for row in rows:
            values = [row.unit.parent.name] if self.with_district else []
            values += [
                row.unit.name,
                row.unit.code,
                state_word(row.state),
                _submitted_at(row),
                PROVISIONAL if row.provisional else FROZEN,
                _included_word(row),
            ]
            values += [row.figures.get(f.key) for f in self.figures]
            values += [row.rates.reporting_rate, row.rates.on_time_rate]
            self.writer.row(values, self.kinds)

    def total(self, own: UnitMonth) -> None:
        """The unit's own figures: its report's (frozen or provisional), or the city's sum."""
        labels = [""] * len(self.labels)
        labels[0] = TOTAL_LABEL
        offset = len(self.labels) - len(UNIT_HEADERS)
        labels[offset + 2] = state_word(own.state)
        labels[offset + 3] = _submitted_at(own)
        labels[offset + 4] = PROVISIONAL if own.provisional else FROZEN
        figures = [own.figures.get(f.key) for f in self.figures]
        self.writer.row(labels + figures + [None, None], self.kinds, bold=True)


class MonthBook:
    """The sheets of a month's workbook, open side by side (write-only sheets each stream to a
    temporary file of their own)."""

    def __init__(self, rollup: MonthRollup) -> None:
        self.rollup = rollup
        self.workbook = Workbook(write_only=True)
        unit, period = rollup.unit, rollup.period
        title = f"{unit.name} {month_label(period)}"
        writer = SheetWriter(self.workbook.create_sheet("汇总"), [16, 12, 9, 17, 7, 9] + [9] * 80)
        writer.title(f"{title} 食品药品安全群防群治工作月报汇总")
        writer.note(NOTE)
        self.summary = UnitListing(writer, rollup.row_kind)
        self.summary_writer = writer
        self.detail: UnitListing | None = None
        if unit.kind == OrgUnitKind.CITY:
            writer = SheetWriter(self.workbook.create_sheet("社区明细"), [12, 16, 12, 9, 17, 7, 9] + [9] * 80)
            writer.title(f"{title} 各社区月报明细")
            writer.note(NOTE)
            self.detail = UnitListing(writer, OrgUnitKind.COMMUNITY, with_district=True)

    def write(self, target: str | IO[bytes]) -> None:
        rollup = self.rollup
        self.summary.add(rollup.rows)
        self.summary.total(rollup.own)
        received = catalogue.shown(catalogue.EXCEL, rollup.tier, group="communities")
        if received:
            self.summary_writer.note(
                "；".join(
                    f"{label} {rollup.own.figures.get(f.key, 0)}"
                    for f, label in zip(received, bureau_labels(received), strict=True)
                )
            )
        if self.detail is not None:
            # One row at a time: a chunk is dropped before the next is read.
            self.detail.add(chain.from_iterable(rollup.detail_chunks()))
        self._categories()
        self.workbook.save(target)

    def _categories(self) -> None:
        figures = catalogue.shown(catalogue.EXCEL, OrgUnitKind.COMMUNITY, group="categories")
        writer = SheetWriter(self.workbook.create_sheet("问题分类"), [16] + [12] * (len(figures) + 1))
        writer.title(f"{self.rollup.unit.name} {month_label(self.rollup.period)} 发现问题分类统计")
        kinds = [TEXT] + [INT] * (len(figures) + 1)
        writer.header(["单位", *bureau_labels(figures), "合计"])
        for name, values, bold in [
            *((row.unit.name, row.figures, False) for row in self.rollup.rows),
            (TOTAL_LABEL, self.rollup.totals, True),
        ]:
            counts = [values.get(f.key) or 0 for f in figures]
            writer.row([name, *counts, sum(counts)], kinds, bold=bold)


def write_month_workbook(
    target: str | IO[bytes], *, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None
) -> None:
    """Write the .xlsx of a unit's month to `target`: 汇总, (for the city) 社区明细, and 问题分类."""
    MonthBook(month_rollup(user=user, unit=unit, period=period, now=now)).write(target)


def month_workbook(*, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None) -> bytes:
    """The .xlsx of a unit's month, as bytes (a few hundred bytes a row once compressed)."""
    stream = io.BytesIO()
    write_month_workbook(stream, user=user, unit=unit, period=period, now=now)
    return stream.getvalue()
