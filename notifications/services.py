"""Sending notifications. Every notice in the product goes through notify()."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from orgs.models import User


@transaction.atomic
def notify(
    *, recipients: Iterable[User], title: str, body: str = "", link: str = "", urgent: bool = False
) -> int:
    """Put a notice in each recipient's notification centre; returns how many were sent."""
    rows = [
        Notification(recipient=user, title=title, body=body, link=link, urgent=urgent)
        for user in {u.pk: u for u in recipients}.values()
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.for_user(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
