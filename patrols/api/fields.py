"""Serializer fields that only accept related records the requesting user may see."""

from __future__ import annotations

from rest_framework import serializers


class VisibleToUserMixin:
    def __init__(self, *, model, **kwargs) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)


class ScopedSlugField(VisibleToUserMixin, serializers.SlugRelatedField):
    """A related record by a slug (a phone-made client_id), within the user's scope."""


class ScopedPrimaryKeyField(VisibleToUserMixin, serializers.PrimaryKeyRelatedField):
    """A related record by id, within the user's scope."""
