"""Background tasks of monthly reporting: thin wrappers over reporting.reminders."""

from __future__ import annotations

from celery import shared_task

from notifications.outbox import enqueue
from notifications.tasks import RETRY, task_day
from reporting import periods, reminders


@shared_task(name="reporting.daily_reminders", **RETRY)
def daily_reminders(day: str | None = None) -> int:
    """Reminders, overdue notices and summaries due on `day` (ISO, default today in Asia/Shanghai)."""
    today = task_day(day)
    for unit_id, period in reminders.summaries_due(today=today):
        enqueue(monthly_summary, unit_id=unit_id, period=period)
    return reminders.report_due_reminders(today=today) + reminders.report_overdue_notices(today=today)


@shared_task(name="reporting.monthly_summary", **RETRY)
def monthly_summary(unit_id: int, period: str) -> bool:
    return reminders.monthly_summary_store(unit_id=unit_id, period=periods.parse_period(period))
