"""Background tasks of the notification centre: thin wrappers over services, taking ids."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from notifications import outbox, services
from notifications.models import Delivery
from notifications.webhooks import ChannelError

# What a task retries on: the database, the mail server or a provider (SMS, a group robot: HTTP
# errors, timeouts, a refusal) being away for a while. ChannelError is an OSError; named for the reader.
TRANSIENT_ERRORS = (DatabaseError, OSError, ChannelError)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="notifications.deliver", **RETRY)
def deliver(delivery_id: int) -> bool:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(name="notifications.outbox_flush", **RETRY)
def flush_outbox() -> int:
    return outbox.outbox_flush()


def task_day(day: str | None) -> dt.date:
    """The day a daily task acts for: the ISO date it was given, or today in TIME_ZONE."""
    return dt.date.fromisoformat(day) if day else timezone.localdate()


def enqueue_delivery(delivery: Delivery) -> None:
    outbox.enqueue(deliver, delivery_id=delivery.pk)
