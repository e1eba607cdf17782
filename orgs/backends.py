"""The password backend, reading the session's user in one query on every request."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce


class UserBackend(ModelBackend):
    """Django's ModelBackend; the session's user comes with what every page's header shows.

    That is the org unit every page scopes by, and the unread notification count
    (`unread_notification_count`, read by notifications.context_processors).
    """

    def get_user(self, user_id):
        User = get_user_model()
        sql, params = _unread_count_sql(router.db_for_read(User))
        users = list(
            User._default_manager.select_related("org_unit")
            .annotate(unread_notification_count=RawSQL(sql, params, output_field=IntegerField()))  # nosec B611
            .filter(pk=user_id)
        )
        user = users[0] if users else None
        return user if user is not None and self.user_can_authenticate(user) else None


def _unread_count() -> Coalesce:
    """The user's unread notifications (Notification's own `unread()`), counted in a subquery."""
    from notifications.models import Notification

    unread = (
        Notification.objects.unread()
        .filter(recipient=OuterRef("pk"))
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


@cache
def _unread_count_sql(alias: str) -> tuple[str, tuple]:
    """`_unread_count()` compiled once per process and database, for the user's query to reuse.

    Compiling the subquery on every request cost as much as the rest of the user's query.
    """
    query = get_user_model()._default_manager.annotate(unread=_unread_count()).query
    sql, params = query.get_compiler(connection=connections[alias]).compile(query.annotations["unread"])
    return sql, tuple(params)
