"""HTTP for the outside channels (SMS, WeCom and DingTalk robots): the standard library only.

Every request has a timeout and follows no redirect (a webhook must not be
bounced to an address inside our network). A webhook's key and a signing
secret are kept out of every error this module raises, since errors are
recorded on the delivery row, logged, and shown to the unit's office.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Longest webhook address kept (WeCom's and DingTalk's are about 120 characters).
WEBHOOK_MAX_LENGTH = 500
# Longest answer read from a provider.
ANSWER_MAX_BYTES = 64 * 1024
# Hosts that plain http may reach when NOTIFICATION_ALLOW_LOCAL_HTTP is on (tests, a local stand-in).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
# How many characters of a key a masked address still shows, to tell two robots apart.
SHOWN_TAIL = 4


class ChannelError(OSError):
    """A provider failed or refused a message. An OSError, so the delivery task retries it."""


class ChannelUnavailable(Exception):
    """Nothing to send to any more (the robot was removed, SMS switched off): not retried."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx is raised as an HTTPError


_opener = urllib.request.build_opener(_NoRedirect)


def check_url(url: str, *, hosts: Iterable[str] | None = None) -> None:
    """Refuse an address the channels may not post to: https only (to `hosts` if given), or http to
    this machine when NOTIFICATION_ALLOW_LOCAL_HTTP is on. Raises ValidationError."""
    invalid = ValidationError(_("Enter the https address the robot's settings show."), code="invalid")
    if len(url) > WEBHOOK_MAX_LENGTH or any(ch.isspace() for ch in url):
        raise invalid
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        raise invalid from None
    if parts.username or parts.password or not host:
        raise invalid
    if host in LOCAL_HOSTS and settings.NOTIFICATION_ALLOW_LOCAL_HTTP:
        if parts.scheme in ("http", "https"):
            return
        raise invalid
    if parts.scheme != "https" or port not in (None, 443):
        raise invalid
    if hosts is not None and host not in set(hosts):
        raise ValidationError(
            _("The address must be on %(hosts)s.") % {"hosts": ", ".join(hosts)}, code="host"
        )


def url_secrets(url: str) -> list[str]:
    """The values in an address's query (a robot's key or access token)."""
    try:
        return [value for _name, value in parse_qsl(urlsplit(url).query) if value]
    except ValueError:
        return [url]


def mask_url(url: str) -> str:
    """The address with each query value cut to its last few characters, fit to show and record."""
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query)
    except ValueError:
        return "…"
    masked = "&".join(f"{name}=…{_tail(value)}" for name, value in query)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, masked, ""))[:254]


def _tail(value: str) -> str:
    return value[-SHOWN_TAIL:] if len(value) > 3 * SHOWN_TAIL else ""


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (and its URL-encoded form) replaced by ***."""
    for secret in secrets:
        if secret and len(secret) >= SHOWN_TAIL:
            text = text.replace(secret, "***").replace(quote_plus(secret), "***")
    return text


def dingtalk_signed_url(url: str, secret: str, *, now_ms: int | None = None) -> str:
    """DingTalk's signed request: HMAC-SHA256 of "<timestamp ms>\\n<secret>" keyed with the secret,
    base64, URL-encoded, as `timestamp` and `sign` query parameters."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if urlsplit(url).query else '?'}timestamp={timestamp}&sign={sign}"


def post_json(
    url: str, payload: dict, *, headers: dict[str, str] | None = None, secrets: Iterable[str] = ()
) -> dict:
    """POST `payload` as JSON and return the JSON answer (a dict; {} for none).

    An HTTP error, a timeout or a refused connection raises ChannelError with
    the secrets stripped; the original exception is not chained, since its
    text or its URL could carry them.
    """
    secrets = list(secrets)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with _opener.open(request, timeout=settings.NOTIFICATION_HTTP_TIMEOUT) as response:
            body = response.read(ANSWER_MAX_BYTES)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections, a bad address
        reason = getattr(exc, "reason", exc)
        raise ChannelError(redact(f"{type(reason).__name__}: {reason}", secrets)[:200]) from None
    try:
        answer = json.loads(body) if body.strip() else {}
    except ValueError:
        raise ChannelError("The answer is not JSON") from None
    return answer if isinstance(answer, dict) else {}


def expect_errcode_zero(answer: dict, *, secrets: Iterable[str] = ()) -> None:
    """WeCom and DingTalk answer {"errcode": 0, ...} for a message taken; anything else failed."""
    errcode = answer.get("errcode")
    if errcode != 0:
        errmsg = str(answer.get("errmsg", ""))[:150]
        raise ChannelError(redact(f"errcode {errcode}: {errmsg}", secrets))
