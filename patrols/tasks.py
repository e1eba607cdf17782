"""Background tasks about patrols: thin wrappers over patrols.reminders, taking ids and dates."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from notifications.tasks import RETRY, task_day
from patrols import reminders


@shared_task(name="patrols.daily_reminders", **RETRY)
def daily_reminders(day: str | None = None) -> int:
    """Yesterday's missing patrols and today's rectification deadlines; `day` (ISO) defaults to today."""
    today = task_day(day)
    missing = reminders.missing_patrol_notices(day=today - dt.timedelta(days=1))
    return missing + reminders.rectification_reminders(today=today)


@shared_task(name="patrols.rectification_escalations", **RETRY)
def rectification_escalations(day: str | None = None) -> int:
    """The escalation ladder of overdue rectifications; `day` (ISO) defaults to today."""
    return reminders.rectification_escalations(today=task_day(day))


@shared_task(name="patrols.incident_follow_up_check", **RETRY)
def incident_follow_up_check(incident_id: int) -> bool:
    return reminders.incident_follow_up_check(incident_id=incident_id)
