"""The unread count for the badge in the page header."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def unread_notifications(request) -> dict:
    """`unread_notifications`: the user's unread count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The session's user is read with the count (orgs.backends.UserBackend); any other user costs a query.
    known = getattr(user, "unread_notification_count", None)
    if known is not None:
        return {"unread_notifications": known}
    return {
        "unread_notifications": SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())
    }
