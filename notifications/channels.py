"""Outside channels a notice goes through besides the in-app centre.

A channel is a small class: `address(user)` says where the user is reached
(or "" when they cannot be), `send(notification, address)` sends one notice
and raises on failure so the task retries. SMS is one more class and one more
name in NOTIFICATION_CHANNELS.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from notifications.models import Notification
from orgs.models import User


class Channel(Protocol):
    name: str

    def address(self, user: User) -> str: ...

    def send(self, notification: Notification, address: str) -> None: ...


class EmailChannel:
    """E-mail through Django's configured mail backend (SMTP in production)."""

    name = "email"

    def address(self, user: User) -> str:
        return user.email or ""

    def send(self, notification: Notification, address: str) -> None:
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.link}".strip()
        send_mail(
            subject=notification.title,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )


CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (EmailChannel(),)}


def active_channels() -> list[Channel]:
    """The channels switched on in settings, in their order there."""
    return [CHANNELS[name] for name in settings.NOTIFICATION_CHANNELS]
