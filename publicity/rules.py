"""When a community's publicity is due (§7, seed 000 三(三)), free of Django.

The bulletin-board column must be updated at least once a calendar month, the
slogans at least once a calendar quarter. An update covers its own period;
the next is due by the end of the following period. A community that has
never updated owes its first update by the end of the period it opened in (or
the current period, when its opening day is not known).
"""

from __future__ import annotations

import calendar
import datetime as dt

# Months in the period each kind of board must be updated in.
PERIOD_MONTHS = {"bulletin": 1, "slogan": 3}
# The national safe-drug-use month and the default food safety publicity week (seed 000).
DRUG_SAFETY_MONTH = 9
FOOD_SAFETY_WEEK = ((6, 13), (6, 20))


def period_start(kind: str, day: dt.date) -> dt.date:
    months = PERIOD_MONTHS[kind]
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def period_end(kind: str, day: dt.date) -> dt.date:
    start = period_start(kind, day)
    last_month = start.month + PERIOD_MONTHS[kind] - 1
    return dt.date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])


def next_due(kind: str, *, last_update: dt.date | None, opened_on: dt.date | None, today: dt.date) -> dt.date:
    if last_update is None:
        return period_end(kind, opened_on or today)
    return period_end(kind, period_end(kind, last_update) + dt.timedelta(days=1))


def board_state(kind: str, *, last_update: dt.date | None, opened_on: dt.date | None, today: dt.date) -> str:
    """ "done" (updated this period), "due" (not yet, the period still runs) or "overdue"."""
    if last_update is not None and last_update >= period_start(kind, today):
        return "done"
    if next_due(kind, last_update=last_update, opened_on=opened_on, today=today) < today:
        return "overdue"
    return "due"
