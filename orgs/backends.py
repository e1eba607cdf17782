"""The password backend, reading the session's user in one query on every request."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL


class UserBackend(ModelBackend):
    """Django's ModelBackend; the session's user comes with what every page's header shows.

    That is the org unit every page scopes by, and the unread notification count
    (`unread_notification_count`, read by notifications.context_processors).
    """

    def get_user(self, user_id):
        users = list(
            get_user_model()
            ._default_manager.select_related("org_unit")
            .annotate(unread_notification_count=_unread_count())
            .filter(pk=user_id)
        )
        user = users[0] if users else None
        return user if user is not None and self.user_can_authenticate(user) else None


def _unread_count() -> RawSQL:
    """The user's unread notifications, counted in a correlated subquery.

    Written out rather than built as a Subquery: this runs on every request, and
    compiling the equivalent Subquery cost as much as the rest of the user's query.
    The SQL holds table and column names from the models' metadata, never input.
    """
    return RawSQL(_unread_count_sql(), (), output_field=IntegerField())  # nosec B611


@cache
def _unread_count_sql() -> str:
    from notifications.models import Notification

    user, notification = get_user_model()._meta, Notification._meta
    recipient = notification.get_field("recipient").column
    read_at = notification.get_field("read_at").column
    return (
        f'SELECT COUNT(*) FROM "{notification.db_table}" AS unread WHERE '  # nosec B608
        f'unread."{recipient}" = "{user.db_table}"."{user.pk.column}" AND unread."{read_at}" IS NULL'
    )
