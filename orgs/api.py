from __future__ import annotations

from rest_framework import serializers, viewsets

from orgs.models import OrgUnit, User


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "kind", "name", "code", "parent", "address", "phone", "opened_on", "closed_on"]


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Org units the user may see: their own and those below it."""

    serializer_class = OrgUnitSerializer
    filterset_fields = ["kind", "parent"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return OrgUnit.objects.visible_to(self.request.user).order_by("path")


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "org_unit", "certificate_no", "is_active"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People in the user's org unit and below (read-only)."""

    serializer_class = UserSerializer
    filterset_fields = ["role", "org_unit", "is_active"]
    ordering_fields = ["username", "full_name"]

    def get_queryset(self):
        return User.objects.visible_to(self.request.user).order_by("username")
