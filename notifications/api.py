"""A user's own notifications and channel settings over the API; another user's are never found (404).

Also the units' group robots, for the offices that set them: the webhook and
the signing secret are written, never read back (the answer has them masked).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import id_list_field
from notifications.models import GroupRobot, Notification, RobotKind, robot_units
from notifications.services import (
    group_robot_remove,
    group_robot_save,
    notice_preferences_save,
    notification_mark_read,
)
from notifications.webhooks import WEBHOOK_MAX_LENGTH
from orgs.models import NOTICE_CHANNELS, mobile_validator


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "urgent", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = id_list_field(required=False, help_text="Leave out to mark all as read.")


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


def validate_mobile(value: str) -> None:
    """A mainland mobile number, or blank (no pattern in the schema: the answer may be blank)."""
    if value:
        mobile_validator(value)


class NoticePreferencesSerializer(serializers.Serializer):
    channels = serializers.ListField(
        source="notice_channels",
        child=serializers.ChoiceField(choices=NOTICE_CHANNELS),
        max_length=len(NOTICE_CHANNELS),
        help_text="Outside channels besides the notification centre; urgent notices go to all regardless.",
    )
    mobile = serializers.CharField(max_length=11, allow_blank=True, validators=[validate_mobile])

    def update(self, user, validated_data):
        notice_preferences_save(
            user=user,
            channels=validated_data.get("notice_channels", user.notice_channels),
            mobile=validated_data.get("mobile", user.mobile),
        )
        return user


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The requesting user's notifications, newest first."""

    serializer_class = NotificationSerializer
    filterset_fields = ["urgent"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        return Notification.objects.for_user(self.request.user)

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read", serializer_class=MarkReadSerializer)
    def mark_read(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked})


class NoticePreferencesView(generics.RetrieveUpdateAPIView):
    """The requesting user's own channels and mobile number; nobody reads or sets another's."""

    serializer_class = NoticePreferencesSerializer
    filter_backends: list = []
    pagination_class = None

    def get_object(self):
        return self.request.user


@extend_schema_field(OpenApiTypes.INT)
class ManagedUnitField(serializers.PrimaryKeyRelatedField):
    """An org unit whose robots the requesting user sets; any other is "does not exist"."""

    def get_queryset(self):
        return robot_units(self.context["request"].user)


class GroupRobotSerializer(serializers.ModelSerializer):
    org_unit = ManagedUnitField()
    kind = serializers.ChoiceField(choices=RobotKind.choices)
    webhook_url = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=WEBHOOK_MAX_LENGTH,
        help_text="Written, never read back; leave out or blank to keep the saved one.",
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="DingTalk's signing secret. Written, never read back; blank keeps the saved one.",
    )
    clear_secret = serializers.BooleanField(write_only=True, required=False, default=False)
    masked_url = serializers.CharField(read_only=True, help_text="The webhook with its key cut short.")
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = GroupRobot
        fields = [
            "id",
            "org_unit",
            "kind",
            "webhook_url",
            "secret",
            "clear_secret",
            "enabled",
            "masked_url",
            "has_secret",
            "updated_at",
        ]
        read_only_fields = ["masked_url", "updated_at"]
        # One robot per unit and kind: group_robot_save() updates the existing one.
        validators: list = []

    def get_has_secret(self, robot: GroupRobot) -> bool:
        return bool(robot.secret)

    def _save(self, unit, kind: str) -> GroupRobot:
        data = self.validated_data
        return group_robot_save(
            user=self.context["request"].user,
            unit=unit,
            kind=kind,
            webhook_url=data.get("webhook_url", ""),
            secret=data.get("secret", ""),
            clear_secret=data.get("clear_secret", False),
            enabled=data.get("enabled", self.instance.enabled if self.instance else True),
        )

    def create(self, validated_data) -> GroupRobot:
        return self._save(validated_data["org_unit"], validated_data["kind"])

    def update(self, instance: GroupRobot, validated_data) -> GroupRobot:
        # A robot stays the robot of its unit and kind; set another with a POST.
        return self._save(instance.org_unit, instance.kind)


class GroupRobotViewSet(viewsets.ModelViewSet):
    """The group robots of the units the user sets (a community's head: the community; a district
    or city office: its own unit; an administrator: any). POST to a unit and kind that has one
    updates it."""

    serializer_class = GroupRobotSerializer
    filterset_fields = ["org_unit", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GroupRobot.objects.none()
        return GroupRobot.objects.managed_by(self.request.user).select_related("org_unit").order_by("pk")

    def perform_destroy(self, instance: GroupRobot) -> None:
        group_robot_remove(user=self.request.user, robot=instance)
