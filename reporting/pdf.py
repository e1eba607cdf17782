"""The PDF summary of a month (§6), rendered by WeasyPrint in Chinese.

The text is set in Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by
scripts/setup.sh) and WeasyPrint embeds the glyphs it uses, so the file reads
the same on any machine. The summary is a document for the bureau, so it is
always rendered in Simplified Chinese whatever the reader's interface language.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from orgs.models import OrgUnit, OrgUnitKind
from reporting import catalogue, charts, periods
from reporting import figures as report_figures
from reporting.exports import PROVISIONAL, state_word
from reporting.rollup import month_rollup
from reporting.selectors import on_time_trend

TREND_MONTHS = 12


def _trend_charts(rollup, communities: list[OrgUnit], now: dt.datetime) -> list:
    months = periods.periods_ending(rollup.period, TREND_MONTHS)
    labels = [f"{month:%y-%m}" for month in months]
    trend = report_figures.monthly_trend(communities, months)
    result = [
        charts.bar_chart(
            f"{catalogue.BY_KEY['patrol_day_rate'].label}（近12个月）",
            labels,
            [
                charts.Series(
                    str(catalogue.BY_KEY["patrol_day_rate"].label), [row["patrol_day_rate"] for row in trend]
                )
            ],
            max_value=100,
            suffix="%",
        )
    ]
    if rollup.unit.kind != OrgUnitKind.COMMUNITY and rollup.rows:
        timeliness = on_time_trend([row.unit for row in rollup.rows], months, now=now)
        result.append(
            charts.bar_chart(
                "月报报送情况（近12个月）",
                labels,
                [
                    charts.Series("按时", [row["on_time"] for row in timeliness], color="#16a34a"),
                    charts.Series("迟报", [row["late"] for row in timeliness], color="#f59e0b"),
                    charts.Series("未报", [row["missing"] for row in timeliness], color="#dc2626"),
                ],
                stacked=True,
            )
        )
    return result


def month_summary_pdf(*, user, unit: OrgUnit, period: dt.date, now: dt.datetime | None = None) -> bytes:
    """The summary of a unit's month: its own figures (the roll-up's), the units below it, trends."""
    now = now or timezone.now()
    with translation.override("zh-hans"):
        rollup = month_rollup(user=user, unit=unit, period=period, now=now)
        if unit.kind == OrgUnitKind.COMMUNITY:
            communities = [unit]
        elif unit.kind == OrgUnitKind.DISTRICT:
            communities = [row.unit for row in rollup.rows]
        else:
            communities = rollup.detail_units
        own = rollup.own
        row_figures = catalogue.shown(catalogue.DASHBOARD, rollup.row_kind)
        context = {
            "rollup": rollup,
            "unit": unit,
            "period": period,
            "own": own,
            "state": state_word(own.state),
            "provisional_word": PROVISIONAL,
            # Two figures a line: a page, not a ledger.
            "groups": [
                (group, [cells[i : i + 2] for i in range(0, len(cells), 2)])
                for group, cells in catalogue.grouped(own.figures, catalogue.PDF, unit.kind)
            ],
            "row_figures": row_figures,
            "rows": [(row, state_word(row.state), row.cells(catalogue.DASHBOARD)) for row in rollup.rows]
            if unit.kind != OrgUnitKind.COMMUNITY
            else [],
            "charts": _trend_charts(rollup, communities, now),
            "generated": timezone.localtime(now),
        }
        html = render_to_string("reporting/summary_pdf.html", context)
    return HTML(string=html).write_pdf()
