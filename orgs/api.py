from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from orgs.models import OrgUnit, User
from orgs.security import lockout_message


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


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenLockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for an API token.

    The serializer authenticates with the request, so django-axes counts failed attempts
    here as on the login page; a locked account answers 429 with the lockout message.
    """

    # ObtainAuthToken names REST framework's own parsers; ours refuse deep and oversized bodies.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(responses={200: TokenSerializer, 429: TokenLockedOutSerializer})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if serializer.is_valid():
            token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
            return Response({"token": token.key})
        # Set by django-axes on this request when the failure locked the account, or it was locked.
        if getattr(request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        raise ValidationError(serializer.errors)
