"""Sending notifications. Every notice in the product goes through notify()."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.channels import CHANNELS, active_channels
from notifications.models import Delivery, Notification, Reminder
from orgs.models import OrgUnit, User

log = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *, recipients: Iterable[User], title: str, body: str = "", link: str = "", urgent: bool = False
) -> int:
    """Put a notice in each recipient's notification centre and queue it on the outside channels.

    The notices are written in the caller's transaction; the sending is stored
    in the outbox and leaves after the commit. Returns how many were notified.
    """
    from notifications import tasks  # the tasks module imports this one

    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, title=title, body=body, link=link, urgent=urgent)
            for user in {u.pk: u for u in recipients}.values()
        ]
    )
    deliveries = []
    for channel in active_channels():
        for row in rows:
            address = channel.address(row.recipient)
            if address:
                deliveries.append(Delivery(notification=row, channel=channel.name, address=address))
    for delivery in Delivery.objects.bulk_create(deliveries):
        tasks.enqueue_delivery(delivery)
    return len(rows)


def delivery_send(*, delivery_id: int) -> bool:
    """Send one notice on its channel, unless it went already. Returns whether it was sent now.

    The row lock makes a second worker wait and then find it delivered. A
    channel's error is recorded on the row and raised again for the task to
    retry. A worker that dies between the send and the commit sends it again:
    outside channels get at-least-once, the in-app centre exactly-once.
    """
    error: Exception | None = None
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification")
            .filter(pk=delivery_id, delivered_at__isnull=True)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        try:
            CHANNELS[delivery.channel].send(delivery.notification, delivery.address)
        except Exception as exc:  # any channel's failure: kept on the row, raised below
            error = exc
            delivery.last_error = str(exc)[:300]
        else:
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["delivered_at", "attempts", "last_error"])
    if error is not None:
        log.warning("Sending notice %s by %s failed: %s", delivery.notification_id, delivery.channel, error)
        raise error
    return True


def reminder_send(
    *,
    kind: str,
    unit: OrgUnit,
    subject: str,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    link: str = "",
    urgent: bool = False,
) -> bool:
    """Send a reminder once per kind, unit and subject, however often it is asked for.

    The Reminder row and the notices are written in one transaction: a second
    caller (another worker, a retry, the next beat tick) hits the unique key and
    sends nothing; a caller that fails before the commit leaves no trace, so
    the retry sends it. Returns whether it was sent by this call.
    """
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(kind=kind, org_unit=unit, subject=subject)
            reminder.recipients = notify(
                recipients=recipients, title=title, body=body, link=link, urgent=urgent
            )
            reminder.save(update_fields=["recipients"])
    except IntegrityError:
        return False
    return True


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.for_user(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
