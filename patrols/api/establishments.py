from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.utils import timezone
from rest_framework import permissions, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from orgs.models import OrgUnit
from patrols.api.serializing import LeanModelSerializer
from patrols.filters import EstablishmentFilter, FilterBackend
from patrols.models import Establishment
from patrols.registry_cache import cached_page
from patrols.services.establishments import establishment_save


class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """An org unit chosen among those the requesting user may see."""

    def __init__(self, *, kind: str, **kwargs) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context["request"]
        return OrgUnit.objects.visible_to(request.user).filter(kind=self.kind)


class EstablishmentSerializer(LeanModelSerializer):
    community = ScopedUnitField(kind="community")
    grid = ScopedUnitField(kind="grid", required=False, allow_null=True)
    visit_state = serializers.SerializerMethodField()

    class Meta:
        model = Establishment
        fields = [
            "id",
            "name",
            "address",
            "licence_no",
            "legal_representative",
            "phone",
            "community",
            "grid",
            "category",
            "status",
            "risk_class",
            "tightened_interval_months",
            "watch_list",
            "food_grade",
            "food_graded_on",
            "model_status",
            "registered_on",
            "last_visited_on",
            "next_visit_due",
            "visit_state",
            "updated_at",
        ]
        read_only_fields = ["next_visit_due", "updated_at"]
        # The model's own constraint check (in the service) reports duplicates.
        validators: list = []

    def get_visit_state(self, obj: Establishment) -> str:
        return obj.visit_state(self.today)

    @cached_property
    def today(self) -> dt.date:
        """One day for a whole page: rows are not judged against different dates around midnight."""
        return timezone.localdate()


class CanEditRegistry(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or request.user.can_edit_registry


class EstablishmentViewSet(viewsets.ModelViewSet):
    """The establishment registry within the user's area. Establishments are
    closed (status "closed"), never deleted."""

    serializer_class = EstablishmentSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditRegistry]
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = EstablishmentFilter
    ordering_fields = ["name", "next_visit_due", "updated_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def list(self, request, *args, **kwargs):
        """A page of the registry, kept until the registry changes (patrols.registry_cache)."""
        data = cached_page(
            request,
            shape=",".join(self.serializer_class.Meta.fields),
            today=timezone.localdate(),
            build=lambda: super(EstablishmentViewSet, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    def get_queryset(self):
        establishments = Establishment.objects.visible_to(self.request.user)
        if self.action == "list":
            return establishments  # a row shows its community's id only
        return establishments.select_related("community")  # which Establishment.clean() reads

    def perform_create(self, serializer) -> None:
        serializer.instance = establishment_save(
            establishment=Establishment(**serializer.validated_data), user=self.request.user
        )

    def perform_update(self, serializer) -> None:
        establishment = serializer.instance
        for attr, value in serializer.validated_data.items():
            setattr(establishment, attr, value)
        establishment_save(establishment=establishment, user=self.request.user)


routes = [("establishments", EstablishmentViewSet, "establishment")]
