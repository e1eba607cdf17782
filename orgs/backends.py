"""The password backend, reading the user and their org unit in one query on every request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """Django's ModelBackend; the session's user comes with the org unit that every page scopes by."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("org_unit")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
