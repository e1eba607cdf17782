"""In-app notifications. Other channels (e-mail, SMS) come behind the same service."""

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


class Delivery(models.Model):
    """A notice sent, or to be sent, through one outside channel (e-mail, later SMS).

    One row per notice and channel: the claim that keeps a retried task from
    sending the same notice twice.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=254)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.address}"


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
