"""Run the day's reminder jobs in this process: for the embedded set-up without a beat, or cron."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config.celery import registered_task
from notifications.outbox import outbox_flush


class Command(BaseCommand):
    help = "Send the reminders due on a day (default today) and flush the outbox. Safe to run twice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD, in the local time zone (default: today)")

    def handle(self, *args, date: str | None = None, **options) -> None:
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
        for name in settings.DAILY_TASKS:
            sent = registered_task(name).apply(kwargs={"day": day.isoformat()}).get()
            self.stdout.write(f"{name}: {sent} sent")
        self.stdout.write(f"outbox: {outbox_flush()} handed over")
