"""Visit-frequency rules for establishments (§3), free of Django: the due-for-a-visit rule, once.

Risk classes follow 分类监管 (seed 004): A is checked monthly, B quarterly,
C half-yearly. A community may tighten an establishment's interval, and a
black-listed establishment is patrolled at least twice a month (seed 000 篇三).

Each establishment keeps its next due date (Establishment.next_visit_due), computed
here whenever it is visited or saved; the registry, the home pages, the coverage
figure and the bench read it or this rule. When the intervals below change,
`manage.py recompute_visit_due` recomputes every establishment's next due date.
"""

from __future__ import annotations

import calendar
import datetime as dt

RISK_INTERVAL_MONTHS = {"A": 1, "B": 3, "C": 6}
BLACK_LIST_INTERVAL_DAYS = 15
# An establishment counts as "due" this many days before its deadline.
DUE_SOON_DAYS = 7


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def interval_months(risk_class: str, tightened_months: int | None) -> int:
    months = RISK_INTERVAL_MONTHS[risk_class]
    if tightened_months:
        months = min(months, tightened_months)
    return months


def visits_matter_from(period_first: dt.date) -> dt.date:
    """The first day whose visits still matter to who is due in the month starting `period_first`.

    Every interval is at most the longest risk class's, so a visit (or a registration) before this
    day makes the establishment due before the month starts, whenever exactly it was: a month's
    coverage reads visits from this day on, not the whole history.
    """
    return add_months(period_first, -max(RISK_INTERVAL_MONTHS.values()))


def next_visit_due(
    *,
    last_visited: dt.date | None,
    registered: dt.date,
    risk_class: str,
    tightened_months: int | None = None,
    black_listed: bool = False,
) -> dt.date:
    """The date by which the next visit must have happened.

    A never-visited establishment gets its first interval from the day it was
    registered.
    """
    start = last_visited or registered
    due = add_months(start, interval_months(risk_class, tightened_months))
    if black_listed:
        due = min(due, start + dt.timedelta(days=BLACK_LIST_INTERVAL_DAYS))
    return due


def due_soon_horizon(today: dt.date) -> dt.date:
    """The last next-due date that counts as "due" today: every list, figure and filter uses it."""
    return today + dt.timedelta(days=DUE_SOON_DAYS)


def visit_state(due: dt.date | None, today: dt.date) -> str:
    """ "overdue", "due" (within DUE_SOON_DAYS) or "ok"; "" when no visits are needed."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due <= due_soon_horizon(today):
        return "due"
    return "ok"
