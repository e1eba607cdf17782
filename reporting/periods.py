"""Reporting periods and their deadlines (§6), in one place.

A period is a calendar month, written as the date of its first day. A tier's
report on a month is due by a day of the following month (settings.REPORT_DUE_DAYS)
and stays on time until that day ends in the project's time zone
(Asia/Shanghai): a report sent at 23:59:59 on the 5th is on time, one sent at
00:00 on the 6th is late.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo

from django.conf import settings

from config import bounds
from patrols.schedule import add_months


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def period_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_period(today: dt.date) -> dt.date:
    """The month a report written today is about."""
    return add_months(period_of(today), -1)


def parse_period(text: str) -> dt.date | None:
    """ "2026-10" → 2026-10-01; None for anything else or a month outside the bounds."""
    return bounds.parse_month(text)


def period_last_day(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def periods_ending(period: dt.date, count: int) -> list[dt.date]:
    """`count` months up to and including `period`, oldest first."""
    return [add_months(period, -offset) for offset in range(count - 1, -1, -1)]


def year_to_date(period: dt.date) -> list[dt.date]:
    """January up to and including `period`: the months the yearly rates count."""
    return [dt.date(period.year, month, 1) for month in range(1, period.month + 1)]


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant `day` ends in the local time zone: midnight of the next day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=local_zone())


def report_due_date(tier: str, period: dt.date) -> dt.date:
    return add_months(period, 1).replace(day=settings.REPORT_DUE_DAYS[tier])


def report_deadline(tier: str, period: dt.date) -> dt.datetime:
    """The first instant at which a tier's report on `period` is late."""
    return end_of_day(report_due_date(tier, period))


def article_due_date(activity_ended_on: dt.date) -> dt.date:
    return activity_ended_on + dt.timedelta(days=settings.ARTICLE_DUE_DAYS)


def article_deadline(activity_ended_on: dt.date) -> dt.datetime:
    return end_of_day(article_due_date(activity_ended_on))


def is_late(submitted_at: dt.datetime, deadline: dt.datetime) -> bool:
    return submitted_at >= deadline


def existed_in(opened_on: dt.date | None, closed_on: dt.date | None, period: dt.date) -> bool:
    """Whether a unit existed on any day of the month: only such months are owed a report."""
    # Opened before the month began (nearly every unit, for every month asked): no calendar needed.
    if opened_on and opened_on > period and opened_on > period_last_day(period):
        return False
    return not (closed_on and closed_on < period)


def days_existed(opened_on: dt.date | None, closed_on: dt.date | None, period: dt.date) -> int:
    """Days of the month on which the unit existed: the denominator of the patrol-day rate."""
    first, last = period, period_last_day(period)
    if opened_on and opened_on > first:
        first = opened_on
    if closed_on and closed_on < last:
        last = closed_on
    return max((last - first).days + 1, 0)


def month_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as a half-open range of aware datetimes, for timestamp columns."""
    return (
        dt.datetime.combine(period, dt.time.min, tzinfo=local_zone()),
        end_of_day(period_last_day(period)),
    )
