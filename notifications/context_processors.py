"""The unread count for the badge in the page header."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def unread_notifications(request) -> dict:
    """`unread_notifications`: the user's unread count, one query, and only on a page that shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())
    }
