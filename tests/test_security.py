"""Production settings, security headers, login lockout and the security log."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from orgs import security


def lockout_message() -> str:
    """The lockout message as the (Chinese) pages and API show it."""
    with translation.override("zh-hans"):
        return security.lockout_message()


ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-for-tests-1"
WRONG = "Wrong-Secret-42!"

# The environment README.md lists for production behind a TLS proxy.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "patrol.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://patrol.example.cn",
    "BEHIND_TLS_PROXY": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_deploy_check_is_clean_with_production_settings():
    # Only what production has: not the test run's database, nor what the browser tests set.
    left_out = {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in left_out}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    # Scripts only from our own files (and two exact inline handlers by hash), never any inline script.
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    # Over plain HTTP no HSTS header is sent (browsers would ignore it anyway).
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_tls_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_api_docs_run_under_the_policy(client):
    """The Swagger page loads its script from a URL, not inline, so the policy does not block it."""
    page = client.get(reverse("api_docs"))
    assert page.status_code == 200
    assert b"<script>" not in page.content
    script = client.get(reverse("api_docs"), {"script": ""})
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def _fail_logins(client, username: str, times: int) -> None:
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": WRONG})


def test_repeated_failed_logins_lock_the_account(client, inspector_a, settings):
    _fail_logins(client, "inspector_a", settings.AXES_FAILURE_LIMIT - 1)
    # One short of the limit the right password still works.
    assert client.post(reverse("login"), {"username": "inspector_a", "password": PASSWORD}).status_code == 302
    client.logout()
    _fail_logins(client, "inspector_a", settings.AXES_FAILURE_LIMIT)
    page = client.post(reverse("login"), {"username": "inspector_a", "password": PASSWORD})
    assert page.status_code == 429
    assert lockout_message() in page.text
    assert str(settings.AXES_COOLOFF_TIME.seconds // 60) in lockout_message()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, inspector_a, inspector_b, settings):
    _fail_logins(client, "inspector_a", settings.AXES_FAILURE_LIMIT)
    page = client.post(reverse("login"), {"username": "inspector_b", "password": PASSWORD})
    assert page.status_code == 302
    assert client.session["_auth_user_id"] == str(inspector_b.pk)


def test_lockout_ends_after_the_cool_off(client, inspector_a, settings):
    import datetime as dt

    from axes.models import AccessAttempt

    _fail_logins(client, "inspector_a", settings.AXES_FAILURE_LIMIT)
    assert client.post(reverse("login"), {"username": "inspector_a", "password": PASSWORD}).status_code == 429
    # The cool-off passes: the failures are now older than it.
    long_ago = settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    for attempt in AccessAttempt.objects.filter(username="inspector_a"):
        attempt.attempt_time -= long_ago
        attempt.save(update_fields=["attempt_time"])
    assert client.post(reverse("login"), {"username": "inspector_a", "password": PASSWORD}).status_code == 302


def test_the_api_token_endpoint_is_locked_too(api, inspector_a, settings):
    url = reverse("api_token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert api.post(url, {"username": "inspector_a", "password": WRONG}).status_code in (400, 429)
    response = api.post(url, {"username": "inspector_a", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json() == {"detail": lockout_message()}
    assert "token" not in response.json()


def test_a_lock_from_the_api_holds_on_the_login_page(api, client, inspector_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(reverse("api_token"), {"username": "inspector_a", "password": WRONG}, format="json")
    assert client.post(reverse("login"), {"username": "inspector_a", "password": PASSWORD}).status_code == 429


def _security_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "security"]


def test_logins_are_logged_without_the_password(client, inspector_a, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.post(reverse("login"), {"username": "inspector_a", "password": WRONG})
    client.post(reverse("login"), {"username": "inspector_a", "password": PASSWORD})
    lines = _security_lines(caplog)
    assert any(line.startswith("login failed user=inspector_a ip=127.0.0.1") for line in lines), lines
    assert any(line.startswith("login ok user=inspector_a") for line in lines), lines
    everything = "\n".join(record.getMessage() for record in caplog.records)
    assert WRONG not in everything and PASSWORD not in everything


def test_token_logins_are_logged_without_password_or_token(api, inspector_a, caplog, settings):
    caplog.set_level(logging.INFO)
    api.post(reverse("api_token"), {"username": "inspector_a", "password": WRONG})
    token = api.post(reverse("api_token"), {"username": "inspector_a", "password": PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/patrols/").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(reverse("api_token"), {"username": "inspector_a", "password": WRONG})
    lines = _security_lines(caplog)
    assert any(line.startswith("login failed user=inspector_a") for line in lines), lines
    assert any(line.startswith("login locked out user=inspector_a") for line in lines), lines
    everything = "\n".join(record.getMessage() for record in caplog.records)
    assert WRONG not in everything and PASSWORD not in everything and token not in everything


def test_refused_requests_are_logged(client, inspector_b, shop_a, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.force_login(inspector_b)
    assert client.get(reverse("patrols:establishment_detail", args=[shop_a.pk])).status_code == 404
    assert client.get(reverse("patrols:patrol_overview")).status_code == 403
    lines = _security_lines(caplog)
    assert f"access 404 GET /establishments/{shop_a.pk}/ user=inspector_b ip=127.0.0.1" in lines
    assert "access 403 GET /patrols/overview/ user=inspector_b ip=127.0.0.1" in lines


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [("", "10.0.0.9"), ("203.0.113.7", "203.0.113.7"), ("1.2.3.4, 203.0.113.7", "203.0.113.7")],
)
def test_the_address_behind_the_proxy_is_the_one_the_proxy_saw(rf, settings, forwarded, expected):
    from orgs.security import client_ip

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
