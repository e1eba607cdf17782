"""Outside channels a notice goes through besides the in-app centre.

A channel is a small class: `address(user)` says where the user is reached
(or "" when they cannot be), `send(notification, address)` sends one notice
and raises on failure so the task retries. `addresses(users)` is the same for
many people at once (one query), and `per_unit` says the address is the
unit's group rather than the person: notify() then sends one message per
unit. E-mail and SMS reach a person; the WeCom and DingTalk group robots
reach the unit's work group.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import GroupRobot, Notification, RobotKind
from notifications.webhooks import (
    ChannelError,
    ChannelUnavailable,
    check_url,
    dingtalk_signed_url,
    expect_errcode_zero,
    post_json,
)
from orgs.models import User, mobile_validator

# Longest notice body a robot or an SMS carries; the link leads to the rest.
BODY_MAX_LENGTH = 500
SMS_MAX_LENGTH = 300


class Channel(Protocol):
    name: str
    per_unit: bool

    def address(self, user: User) -> str: ...

    def addresses(self, users: Iterable[User]) -> dict[int, str]: ...

    def send(self, notification: Notification, address: str) -> None: ...


class PersonChannel:
    """A channel that reaches each person at their own address."""

    name = ""
    per_unit = False

    def address(self, user: User) -> str:
        raise NotImplementedError

    def addresses(self, users: Iterable[User]) -> dict[int, str]:
        return {user.pk: address for user in users if (address := self.address(user))}


def link_url(notification: Notification) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{notification.link}" if notification.link else ""


class EmailChannel(PersonChannel):
    """E-mail through Django's configured mail backend (SMTP in production)."""

    name = "email"

    def address(self, user: User) -> str:
        return user.email or ""

    def send(self, notification: Notification, address: str) -> None:
        body = f"{notification.body}\n\n{link_url(notification)}".strip()
        send_mail(
            subject=notification.title,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class HttpSmsProvider:
    """A provider's HTTP API: a JSON POST of {"phone", "message"} with the key as a bearer token.

    A 2xx answer is taken; a JSON answer with a non-zero `errcode` or `code` is a refusal.
    """

    def __init__(self, url: str, api_key: str) -> None:
        self.url, self.api_key = url, api_key

    def send(self, phone: str, text: str) -> None:
        try:
            check_url(self.url)
        except ValidationError:
            raise ChannelUnavailable("SMS_API_URL must be https") from None
        answer = post_json(
            self.url,
            {"phone": phone, "message": text},
            headers={"Authorization": f"Bearer {self.api_key}"},
            secrets=[self.api_key],
        )
        code = answer.get("errcode", answer.get("code", 0))
        if code not in (0, "0", "OK", "ok"):
            raise ChannelError(f"SMS refused: code {str(code)[:20]}")


def sms_provider() -> SmsProvider | None:
    """The configured provider, or None when SMS is not set up."""
    if not settings.SMS_API_URL:
        return None
    return HttpSmsProvider(settings.SMS_API_URL, settings.SMS_API_KEY)


def is_mobile(number: str) -> bool:
    try:
        mobile_validator(number)
    except ValidationError:
        return False
    return True


class SmsChannel(PersonChannel):
    name = "sms"

    def address(self, user: User) -> str:
        if sms_provider() is None or not is_mobile(user.mobile):
            return ""
        return user.mobile

    @translation.override(settings.LANGUAGE_CODE)
    def send(self, notification: Notification, address: str) -> None:
        provider = sms_provider()
        if provider is None:
            raise ChannelUnavailable("SMS is not configured")
        text = f"{_urgent_mark(notification.urgent)}{notification.title}"
        if notification.body:
            text = f"{text}: {notification.body}"
        text = text[: SMS_MAX_LENGTH - 80]
        provider.send(address, f"{text} {link_url(notification)}".strip())


def _urgent_mark(urgent: bool) -> str:
    return f"【{_('Urgent')}】" if urgent else ""


def robot_markdown(*, title: str, body: str = "", link: str = "", urgent: bool = False) -> str:
    lines = [f"**{_urgent_mark(urgent)}{title}**"]
    if body:
        lines.append(body[:BODY_MAX_LENGTH])
    if link:
        lines.append(f"[{_('Open in the app')}]({link})")
    return "\n\n".join(lines)


class RobotChannel:
    """A unit's group robot: a notice to a person is posted to the group of their unit."""

    name = ""
    per_unit = True
    kind: str = ""

    def robots(self, unit_ids: Iterable[int | None]) -> dict[int, GroupRobot]:
        found = GroupRobot.objects.filter(
            kind=self.kind, enabled=True, org_unit_id__in={pk for pk in unit_ids if pk is not None}
        )
        return {robot.org_unit_id: robot for robot in found}

    def address(self, user: User) -> str:
        robot = self.robots([user.org_unit_id]).get(user.org_unit_id)
        return robot.masked_url if robot else ""

    def addresses(self, users: Iterable[User]) -> dict[int, str]:
        users = list(users)
        robots = self.robots(user.org_unit_id for user in users)
        return {user.pk: robots[user.org_unit_id].masked_url for user in users if user.org_unit_id in robots}

    @translation.override(settings.LANGUAGE_CODE)
    def send(self, notification: Notification, address: str) -> None:
        """`address` is the masked webhook, for the record; the robot is the recipient's unit's now."""
        unit_id = notification.recipient.org_unit_id
        robot = self.robots([unit_id]).get(unit_id)
        if robot is None:
            raise ChannelUnavailable("The unit's robot was removed or switched off")
        text = robot_markdown(
            title=notification.title,
            body=notification.body,
            link=link_url(notification),
            urgent=notification.urgent,
        )
        self.post(robot, title=notification.title, text=text)

    def post(self, robot: GroupRobot, *, title: str, text: str) -> None:
        try:
            check_url(robot.webhook_url, hosts=settings.ROBOT_WEBHOOK_HOSTS)
        except ValidationError:
            raise ChannelUnavailable("The robot's address is not allowed") from None
        answer = post_json(self.url(robot), self.payload(title, text), secrets=robot.secrets)
        expect_errcode_zero(answer, secrets=robot.secrets)

    def url(self, robot: GroupRobot) -> str:
        return robot.webhook_url

    def payload(self, title: str, text: str) -> dict:
        raise NotImplementedError


class WeComChannel(RobotChannel):
    """企业微信群机器人: POST {"msgtype": "markdown", ...} to the webhook with its key."""

    name = kind = RobotKind.WECOM.value

    def payload(self, title: str, text: str) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": text}}


class DingTalkChannel(RobotChannel):
    """钉钉群机器人: the same, signed with the robot's secret when it has one."""

    name = kind = RobotKind.DINGTALK.value

    def url(self, robot: GroupRobot) -> str:
        return dingtalk_signed_url(robot.webhook_url, robot.secret) if robot.secret else robot.webhook_url

    def payload(self, title: str, text: str) -> dict:
        return {"msgtype": "markdown", "markdown": {"title": title[:100], "text": text}}


CHANNELS: dict[str, Channel] = {
    channel.name: channel for channel in (EmailChannel(), SmsChannel(), WeComChannel(), DingTalkChannel())
}
ROBOT_CHANNELS: dict[str, RobotChannel] = {
    RobotKind.WECOM: WeComChannel(),
    RobotKind.DINGTALK: DingTalkChannel(),
}


def active_channels() -> list[Channel]:
    """The channels switched on in settings, in their order there."""
    return [CHANNELS[name] for name in settings.NOTIFICATION_CHANNELS]


def robot_test_send(robot: GroupRobot) -> None:
    """Post a test message through the robot now (the office's "send a test message")."""
    title = _("Test message")
    text = robot_markdown(
        title=title, body=_("The group robot of %(unit)s works.") % {"unit": robot.org_unit.name}
    )
    ROBOT_CHANNELS[robot.kind].post(robot, title=title, text=text)
