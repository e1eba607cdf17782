"""Background tasks of the year-end assessment: thin wrappers over assessment.reminders."""

from __future__ import annotations

from celery import shared_task

from assessment import reminders
from notifications.tasks import RETRY, task_day


@shared_task(name="assessment.daily_reminders", **RETRY)
def daily_reminders(day: str | None = None) -> int:
    today = task_day(day)
    return reminders.assessment_window_reminders(today=today)
