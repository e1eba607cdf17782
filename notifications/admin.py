from django.contrib import admin

from notifications.models import Delivery, GroupRobot, Notification, PendingTask, Reminder


class LookOnlyAdmin(admin.ModelAdmin):
    """Written by the system; the admin only looks."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(LookOnlyAdmin):
    list_display = ["title", "recipient", "urgent", "created_at", "read_at"]
    list_filter = ["urgent", "created_at"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    list_select_related = ["recipient"]


@admin.register(Delivery)
class DeliveryAdmin(LookOnlyAdmin):
    list_display = [
        "notification",
        "channel",
        "org_unit",
        "address",
        "delivered_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["channel", ("delivered_at", admin.EmptyFieldListFilter)]
    list_select_related = ["notification", "org_unit"]


@admin.register(Reminder)
class ReminderAdmin(LookOnlyAdmin):
    list_display = ["kind", "org_unit", "subject", "recipients", "sent_at"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["org_unit__name", "subject"]
    list_select_related = ["org_unit"]


@admin.register(PendingTask)
class PendingTaskAdmin(LookOnlyAdmin):
    """The outbox: a row without "handed to the broker at" is waiting for the broker or its time."""

    list_display = ["task_name", "created_at", "eta", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]


@admin.register(GroupRobot)
class GroupRobotAdmin(LookOnlyAdmin):
    """Set on the unit's robots page (notifications:unit_robots); the admin never shows the webhook
    or the secret in full."""

    list_display = ["org_unit", "kind", "masked_url", "enabled", "updated_at", "updated_by"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["org_unit", "updated_by"]
    fields = ["org_unit", "kind", "masked_url", "enabled", "updated_at", "updated_by"]
    readonly_fields = fields
    search_fields = ["org_unit__name"]
