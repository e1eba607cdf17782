"""Sending notifications. Every notice in the product goes through notify().

Also here: a person's choice of channels, and a unit's group robots as its office sets them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.channels import CHANNELS, Channel, active_channels, robot_test_send
from notifications.models import Delivery, GroupRobot, Notification, Reminder, robot_units
from notifications.webhooks import check_url
from orgs.models import NOTICE_CHANNELS, OrgUnit, User, mobile_validator

log = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *, recipients: Iterable[User], title: str, body: str = "", link: str = "", urgent: bool = False
) -> int:
    """Put a notice in each recipient's notification centre and queue it on the outside channels.

    The notices are written in the caller's transaction; the sending is stored
    in the outbox and leaves after the commit. Returns how many were notified.
    """
    from notifications import tasks  # the tasks module imports this one

    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, title=title, body=body, link=link, urgent=urgent)
            for user in {u.pk: u for u in recipients}.values()
        ]
    )
    deliveries = []
    for channel in active_channels():
        # Urgent notices go to every channel a person can be reached on, whatever they chose.
        wanted = [row for row in rows if row.urgent or row.recipient.wants_notices_by(channel.name)]
        deliveries += _deliveries(channel, wanted)
    for delivery in Delivery.objects.bulk_create(deliveries):
        tasks.enqueue_delivery(delivery)
    return len(rows)


def _deliveries(channel: Channel, rows: list[Notification]) -> list[Delivery]:
    """One delivery per notice with an address; for a unit's group (robots) one per unit, on the
    notice of the unit's first recipient, so that the group hears it once."""
    addresses = channel.addresses(row.recipient for row in rows)
    rows = [row for row in rows if addresses.get(row.recipient_id)]
    if channel.per_unit:
        firsts: dict[int | None, Notification] = {}
        for row in rows:
            firsts.setdefault(row.recipient.org_unit_id, row)
        rows = list(firsts.values())
    return [
        Delivery(
            notification=row,
            channel=channel.name,
            address=addresses[row.recipient_id][:254],
            org_unit_id=row.recipient.org_unit_id,
        )
        for row in rows
    ]


def delivery_send(*, delivery_id: int) -> bool:
    """Send one notice on its channel, unless it went already. Returns whether it was sent now.

    The row lock makes a second worker wait and then find it delivered. A
    channel's error is recorded on the row and raised again for the task to
    retry. A worker that dies between the send and the commit sends it again:
    outside channels get at-least-once, the in-app centre exactly-once.
    """
    error: Exception | None = None
    with transaction.atomic():
        delivery = (
            # Only the delivery row: the recipient stays free to edit while a provider answers.
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient")
            .filter(pk=delivery_id, delivered_at__isnull=True)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        try:
            CHANNELS[delivery.channel].send(delivery.notification, delivery.address)
        except Exception as exc:  # any channel's failure: kept on the row, raised below
            error = exc
            delivery.last_error = str(exc)[:300]
        else:
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["delivered_at", "attempts", "last_error"])
    if error is not None:
        log.warning("Sending notice %s by %s failed: %s", delivery.notification_id, delivery.channel, error)
        raise error
    return True


def reminder_send(
    *,
    kind: str,
    unit: OrgUnit,
    subject: str,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    link: str = "",
    urgent: bool = False,
) -> bool:
    """Send a reminder once per kind, unit and subject, however often it is asked for.

    The Reminder row and the notices are written in one transaction: a second
    caller (another worker, a retry, the next beat tick) hits the unique key and
    sends nothing; a caller that fails before the commit leaves no trace, so
    the retry sends it. Returns whether it was sent by this call.
    """
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(kind=kind, org_unit=unit, subject=subject)
            reminder.recipients = notify(
                recipients=recipients, title=title, body=body, link=link, urgent=urgent
            )
            reminder.save(update_fields=["recipients"])
    except IntegrityError:
        return False
    return True


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.for_user(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notice_preferences_save(*, user: User, channels: Iterable[str], mobile: str) -> None:
    """A person's own choice of outside channels, and the mobile number SMS goes to."""
    channels = sorted(set(channels))
    if set(channels) - set(NOTICE_CHANNELS):
        raise ValidationError({"channels": ValidationError(_("Choose among the channels offered."))})
    if mobile:
        try:
            mobile_validator(mobile)
        except ValidationError as exc:
            raise ValidationError({"mobile": exc}) from None
    user.notice_channels, user.mobile = channels, mobile
    user.save(update_fields=["notice_channels", "mobile"])


def _check_manages(user: User, unit: OrgUnit) -> None:
    if not robot_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied


@transaction.atomic
def group_robot_save(
    *,
    user: User,
    unit: OrgUnit,
    kind: str,
    webhook_url: str = "",
    secret: str = "",
    clear_secret: bool = False,
    enabled: bool = True,
) -> GroupRobot:
    """Set a unit's robot of one kind. A blank address or secret keeps the saved one (it is never
    shown back to be typed again); a robot needs an address the channels may post to."""
    _check_manages(user, unit)
    robot = GroupRobot.objects.select_for_update().filter(org_unit=unit, kind=kind).first()
    robot = robot or GroupRobot(org_unit=unit, kind=kind)
    if webhook_url:
        robot.webhook_url = webhook_url.strip()
    if clear_secret:
        robot.secret = ""
    elif secret:
        robot.secret = secret.strip()
    if not robot.webhook_url:
        raise ValidationError({"webhook_url": ValidationError(_("Enter the robot's webhook address."))})
    try:
        check_url(robot.webhook_url, hosts=settings.ROBOT_WEBHOOK_HOSTS)
    except ValidationError as exc:
        raise ValidationError({"webhook_url": exc}) from None
    robot.enabled, robot.updated_by = enabled, user
    robot.full_clean(exclude=["org_unit", "updated_by"])
    try:
        with transaction.atomic():
            robot.save()
    except IntegrityError:  # another office member saved this unit's first robot of the kind meanwhile
        raise ValidationError(_("The robot was saved by someone else just now; try again.")) from None
    log.info("%s robot of unit %s set by user %s", kind, unit.pk, user.pk)
    return robot


def group_robot_remove(*, user: User, robot: GroupRobot) -> None:
    _check_manages(user, robot.org_unit)
    robot.delete()
    log.info("%s robot of unit %s removed by user %s", robot.kind, robot.org_unit_id, user.pk)


def group_robot_test(*, user: User, robot: GroupRobot) -> str:
    """Post a test message now. Returns "" when the robot took it, else the error (secrets stripped)."""
    _check_manages(user, robot.org_unit)
    try:
        robot_test_send(robot)
    except Exception as exc:  # any provider's failure is the answer the office wants to see
        return str(exc)[:300]
    return ""
