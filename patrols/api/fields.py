"""Serializer fields that only accept related records the requesting user may see."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class VisibleToUserMixin:
    """`select_related` names the related records the caller reads next, fetched in the same query."""

    def __init__(self, *, model, select_related: tuple[str, ...] = (), **kwargs) -> None:
        self.model = model
        self.select_related = select_related
        super().__init__(**kwargs)

    def get_queryset(self):
        records = self.model.objects.visible_to(self.context["request"].user)
        return records.select_related(*self.select_related) if self.select_related else records


class ScopedSlugField(VisibleToUserMixin, serializers.SlugRelatedField):
    """A related record by a slug (a phone-made client_id), within the user's scope."""


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(VisibleToUserMixin, serializers.PrimaryKeyRelatedField):
    """A related record by id, within the user's scope."""
