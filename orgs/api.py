from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.models import OrgUnit, User
from orgs.security import lockout_message
from orgs.tokens import api_token_create, api_token_revoke, api_tokens_of, api_tokens_revoke_all


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
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only once.")
    token_key = serializers.CharField(help_text="The token's first characters, to list and revoke it.")
    expiry = serializers.DateTimeField()


class TokenLockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenObtainView(APIView):
    """Exchange a username and password for an API token that expires (django-rest-knox).

    The serializer authenticates with the request, so django-axes counts failed attempts
    here as on the login page; a locked account answers 429 with the lockout message.
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer, responses={200: TokenSerializer, 429: TokenLockedOutSerializer}
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if serializer.is_valid():
            instance, token = api_token_create(user=serializer.validated_data["user"])
            return Response({"token": token, "token_key": instance.token_key, "expiry": instance.expiry})
        # Set by django-axes on this request when the failure locked the account, or it was locked.
        if getattr(request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        raise ValidationError(serializer.errors)


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, obj: AuthToken) -> bool:
        return obj.digest == getattr(self.context["request"].auth, "digest", None)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The requesting user's own API tokens that still work: list them, revoke one (DELETE), or
    log out (POST logout/: the token in use, or with a session every token and the session)."""

    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    lookup_value_regex = "[0-9a-f]{1,25}"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return api_tokens_of(self.request.user)

    def perform_destroy(self, instance: AuthToken) -> None:
        api_token_revoke(user=self.request.user, token_key=instance.token_key)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"])
    def logout(self, request):
        if isinstance(request.auth, AuthToken):
            api_token_revoke(user=request.user, token_key=request.auth.token_key)
        else:
            api_tokens_revoke_all(user=request.user)
            logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="logout-all")
    def logout_all(self, request):
        api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
