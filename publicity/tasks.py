"""Background tasks of publicity: thin wrappers over publicity.reminders."""

from __future__ import annotations

from celery import shared_task

from notifications.tasks import RETRY, task_day
from publicity import reminders


@shared_task(name="publicity.daily_reminders", **RETRY)
def daily_reminders(day: str | None = None) -> int:
    today = task_day(day)
    return reminders.publicity_reminders(today=today)
