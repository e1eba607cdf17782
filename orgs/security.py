"""Login protection and the security log.

- `LockoutBackend` puts django-axes' lockout check in front of the password check.
- The `security` logger records logins, failed logins, lockouts and refused requests
  with the username and the address, never a password or a token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger("security")

# Answers worth a line in the security log: refused, or hidden from the user (a record
# outside their area answers 404).
LOGGED_STATUSES = {401: logging.WARNING, 403: logging.WARNING, 404: logging.INFO, 429: logging.WARNING}


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, which needs the request to know who is knocking.

    Every login people make (the login page, the admin, the API token endpoint) passes the
    request. Code that authenticates without one (Django's test client `login()`) is not a
    login attempt from outside, so it is let through to the password check instead of
    failing as axes would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """The caller's address: behind our TLS proxy, the one the proxy saw, else the socket's."""
    meta = request.META
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            # The proxy appends the address it saw; anything before it the client could forge.
            return forwarded[-1]
    return meta.get("REMOTE_ADDR", "")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins for this account. It is locked for %(minutes)d minutes; "
        "try again later or ask your administrator."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE): 429 with the message in Chinese."""
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message()},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs) -> None:
    log.info("login ok user=%s id=%s ip=%s", user.get_username(), user.pk, _ip(request))


@receiver(user_login_failed)
def log_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the username is logged.
    log.warning("login failed user=%s ip=%s", credentials.get("username", ""), _ip(request))


@receiver(user_locked_out)
def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log.warning("login locked out user=%s ip=%s", username or "", ip_address or _ip(request))


def _ip(request) -> str:
    return client_ip(request) if request is not None else ""


class AccessDeniedLogMiddleware:
    """Logs every refused request (401, 403, 429) and every 404 of a logged-in user.

    Only the method, the path (without the query string) and who asked are written.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        level = LOGGED_STATUSES.get(response.status_code)
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        if level is not None and (authenticated or response.status_code != 404):
            log.log(
                level,
                "access %s %s %s user=%s ip=%s",
                response.status_code,
                request.method,
                request.path,
                user.get_username() if authenticated else "-",
                client_ip(request),
            )
        return response
