"""In-app notifications, their deliveries on outside channels, and the units' group robots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> QuerySet[Notification]:
        return self.filter(recipient=user)

    def unread(self) -> QuerySet[Notification]:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


CHANNEL_LABELS = {
    "email": _("E-mail"),
    "sms": _("SMS"),
    "wecom": _("WeCom group"),
    "dingtalk": _("DingTalk group"),
}


class DeliveryQuerySet(models.QuerySet):
    def of_unit(self, unit) -> QuerySet[Delivery]:
        return self.filter(org_unit=unit)

    def failing(self) -> QuerySet[Delivery]:
        return self.filter(delivered_at__isnull=True).exclude(last_error="")


class Delivery(models.Model):
    """A notice sent, or to be sent, through one outside channel (e-mail, SMS, a group robot).

    One row per notice and channel: the claim that keeps a retried task from
    sending the same notice twice. A group robot gets one row per unit: the
    notice of the unit's first recipient stands for all of them, so a group
    hears a notice once however many of its members it went to. The address
    of a robot is its webhook masked; the send looks the webhook up.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=254)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # The unit whose group got it (robots), or the recipient's unit: what the unit's office sees.
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("org unit"),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.shown_address}"

    @property
    def shown_address(self) -> str:
        """The address as the office sees it: a mobile number with its middle hidden."""
        if self.channel == "sms" and len(self.address) == 11:
            return f"{self.address[:3]}****{self.address[-4:]}"
        return self.address

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))


class ReminderKind(models.TextChoices):
    REPORT_DUE = "report_due", _("Monthly report due")
    REPORT_OVERDUE = "report_overdue", _("Monthly report overdue")
    MISSING_PATROL = "missing_patrol", _("No patrol on a day")
    INCIDENT_NO_FOLLOW_UP = "incident_no_follow_up", _("Incident without a follow-up")
    RECTIFICATION_DUE = "rectification_due", _("Rectification due")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification overdue")
    PUBLICITY_DUE = "publicity_due", _("Publicity due")
    PUBLICITY_OVERDUE = "publicity_overdue", _("Publicity overdue")
    ASSESSMENT_WINDOW = "assessment_window", _("Assessment window")
    MONTHLY_SUMMARY = "monthly_summary", _("Monthly summary")


class Reminder(models.Model):
    """That a reminder of one kind went to one unit about one deadline.

    The unique key is the whole point: however many workers, retries or beat
    ticks ask for the same reminder, the database lets exactly one through.
    `subject` names the deadline or the record ("2026-10/day-2", "finding-42").
    """

    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("org unit")
    )
    subject = models.CharField(_("about"), max_length=60)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "org_unit", "subject"], name="one_reminder_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"


class PendingTask(models.Model):
    """A background task written in the same transaction as the change that asks for it.

    It is handed to the broker after the commit; if the broker is down the row
    stays here and the outbox flush sends it when the broker is back, so a
    user's submission never waits on Redis and its work is never lost.
    """

    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict)
    eta = models.DateTimeField(_("not before"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="pending_task_unsent"
            )
        ]

    def __str__(self) -> str:
        return self.task_name


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


def robot_units(user) -> QuerySet:
    """The org units whose group robots the user sets: a community's head their community, the
    district office its district, the city office the city, an administrator any unit."""
    from orgs.models import OrgUnit, Role

    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return OrgUnit.objects.visible_to(user)
    if user.role in ROBOT_MANAGER_ROLES and user.org_unit_id is not None:
        return OrgUnit.objects.filter(pk=user.org_unit_id)
    return OrgUnit.objects.none()


# The office of each tier: who sets their own unit's robots.
ROBOT_MANAGER_ROLES = frozenset({"community_head", "district_officer", "city_officer"})


class GroupRobotQuerySet(models.QuerySet):
    def managed_by(self, user) -> QuerySet[GroupRobot]:
        return self.filter(org_unit__in=robot_units(user))


class GroupRobot(models.Model):
    """A unit's WeCom or DingTalk group robot: notices to the unit's people are posted to its group.

    The webhook carries the robot's key and, with the DingTalk signing secret,
    is as good as a password to the group: it is never shown back in full,
    never in the API's answers, and stripped from recorded errors.
    """

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="group_robots", verbose_name=_("org unit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RobotKind.choices)
    webhook_url = models.CharField(_("webhook address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    objects = GroupRobotQuerySet.as_manager()

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["org_unit__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "kind"], name="one_robot_per_unit_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.masked_url}"

    @property
    def masked_url(self) -> str:
        from notifications.webhooks import mask_url

        return mask_url(self.webhook_url)

    @property
    def secrets(self) -> list[str]:
        """What must never be shown or recorded: the webhook's key and the signing secret."""
        from notifications.webhooks import url_secrets

        return [*url_secrets(self.webhook_url), self.secret]
