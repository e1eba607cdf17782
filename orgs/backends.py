"""The password backend, reading the session's user in one query on every request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


class UserBackend(ModelBackend):
    """Django's ModelBackend; the session's user comes with what every page's header shows.

    That is the org unit every page scopes by, and the unread notification count
    (`unread_notification_count`, read by notifications.context_processors).
    """

    def get_user(self, user_id):
        from notifications.models import Notification

        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(count=Count("pk"))
            .values("count")
        )
        users = (
            get_user_model()
            ._default_manager.select_related("org_unit")
            .annotate(unread_notification_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
