"""The transactional outbox: background work is stored with the change that asks for it.

`enqueue()` writes a PendingTask row in the caller's transaction and hands it
to the broker once that transaction commits. When the broker cannot be
reached the row simply stays pending: the submission has already succeeded,
and `outbox_flush()` (every minute from beat, and when a worker starts)
sends it when the broker is back. Work with a "not before" time waits in the
outbox, not in the broker, so a worker never holds an hour-long ETA.

Tasks handed over twice (a flush racing a commit hook, a crash between the
publish and the mark) run twice; every task is safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import Task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.celery import registered_task
from notifications.models import PendingTask

log = logging.getLogger(__name__)

# Rows flushed per run; the next run takes the rest.
FLUSH_BATCH = 500
# How long rows handed to the broker are kept, for looking into what happened.
KEEP_SENT = dt.timedelta(days=7)


def enqueue(task: Task, *, countdown: dt.timedelta | None = None, **kwargs) -> PendingTask:
    """Store `task(**kwargs)` to run after the current transaction commits (and after `countdown`)."""
    eta = timezone.now() + countdown if countdown else None
    row = PendingTask.objects.create(task_name=task.name, kwargs=kwargs, eta=eta)
    if eta is None:
        transaction.on_commit(lambda: dispatch(row.pk))
    return row


def _due() -> Q:
    return Q(sent_at__isnull=True) & (Q(eta__isnull=True) | Q(eta__lte=timezone.now()))


def _publish(row: PendingTask) -> bool:
    """Hand one row to the broker; on failure keep it pending with the error. Call inside atomic().

    Any error is caught: this runs after the user's transaction has committed,
    and a broker fault must not turn their saved submission into an error page.
    """
    try:
        registered_task(row.task_name).apply_async(kwargs=row.kwargs, retry=False)
    except Exception as exc:  # whatever the broker raises, the work stays stored
        log.warning(
            "Broker unreachable; task %s (pending #%s) kept for later: %s", row.task_name, row.pk, exc
        )
        PendingTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=str(exc)[:300])
        return False
    PendingTask.objects.filter(pk=row.pk).update(sent_at=timezone.now(), attempts=row.attempts + 1)
    return True


def dispatch(pk: int) -> bool:
    """Hand one pending row to the broker now. Returns whether it went."""
    with transaction.atomic():
        # skip_locked: a flush that holds the row is sending it already.
        row = PendingTask.objects.select_for_update(skip_locked=True).filter(_due(), pk=pk).first()
        return _publish(row) if row is not None else False


def outbox_flush(*, limit: int = FLUSH_BATCH) -> int:
    """Send the pending rows that are due, oldest first; stop at the first broker failure.

    Rows sent more than KEEP_SENT ago are deleted. Returns how many were handed to the broker.
    """
    PendingTask.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    sent = 0
    with transaction.atomic():
        rows = list(
            PendingTask.objects.select_for_update(skip_locked=True).filter(_due()).order_by("pk")[:limit]
        )
        for row in rows:
            if not _publish(row):
                break
            sent += 1
    return sent
