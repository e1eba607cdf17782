"""API tokens (django-rest-knox, orgs/tokens.py): they expire, their owner lists and revokes them, and
logging out revokes them; the web and field app keep working with the session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def obtain(username: str) -> dict:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def refused(response) -> bool:
    """No way in: knox answers a revoked or expired token as unauthenticated (403 after the session class)."""
    return response.status_code in (401, 403)


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_expires_after_the_configured_days(inspector_a, shop_a):
    body = obtain("inspector_a")
    expiry = dt.datetime.fromisoformat(body["expiry"])
    days = settings.REST_KNOX["TOKEN_TTL"].days
    assert abs(expiry - (timezone.now() + dt.timedelta(days=days))) < dt.timedelta(minutes=1)
    api = with_token(body["token"])
    assert api.get("/api/establishments/").status_code == 200
    AuthToken.objects.filter(token_key=body["token_key"]).update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    assert refused(api.get("/api/establishments/"))
    assert not AuthToken.objects.exists()  # knox removes an expired token when it is tried


def test_the_owner_lists_and_revokes_own_tokens_only(inspector_a, inspector_b):
    first, second = obtain("inspector_a"), obtain("inspector_a")
    other = obtain("inspector_b")
    api = with_token(first["token"])
    listed = api.get("/api/auth/tokens/").json()
    assert {row["token_key"]: row["current"] for row in listed} == {
        first["token_key"]: True,
        second["token_key"]: False,
    }
    assert "token" not in listed[0] and "digest" not in listed[0]  # the secret is shown once, at creation
    assert api.delete(f"/api/auth/tokens/{other['token_key']}/").status_code == 404
    assert with_token(other["token"]).get("/api/org-units/").status_code == 200
    assert api.delete(f"/api/auth/tokens/{second['token_key']}/").status_code == 204
    assert refused(with_token(second["token"]).get("/api/org-units/"))
    assert api.get("/api/org-units/").status_code == 200


def test_api_logout_revokes_the_token_in_use_and_logout_all_every_one(inspector_a):
    first, second, third = obtain("inspector_a"), obtain("inspector_a"), obtain("inspector_a")
    assert with_token(first["token"]).post("/api/auth/tokens/logout/").status_code == 204
    assert refused(with_token(first["token"]).get("/api/org-units/"))
    assert with_token(second["token"]).get("/api/org-units/").status_code == 200
    assert with_token(second["token"]).post("/api/auth/tokens/logout-all/").status_code == 204
    assert refused(with_token(third["token"]).get("/api/org-units/"))
    assert not AuthToken.objects.filter(user=inspector_a).exists()


def test_logging_out_of_the_web_app_revokes_the_api_tokens(client, inspector_a):
    token = obtain("inspector_a")["token"]
    assert client.login(username="inspector_a", password=PASSWORD)
    assert client.get("/api/establishments/").status_code == 200  # the field app: session, no token
    client.post(reverse("logout"))
    assert refused(with_token(token).get("/api/org-units/"))
    assert refused(client.get("/api/establishments/"))


def test_a_user_holds_a_bounded_number_of_tokens(inspector_a):
    for _ in range(settings.API_TOKENS_PER_USER):
        obtain("inspector_a")
    response = APIClient().post("/api/auth/token/", {"username": "inspector_a", "password": PASSWORD})
    assert response.status_code == 400
    assert "撤销" in str(response.json())
    assert AuthToken.objects.filter(user=inspector_a).count() == settings.API_TOKENS_PER_USER


def test_a_wrong_password_gets_no_token(inspector_a):
    response = APIClient().post("/api/auth/token/", {"username": "inspector_a", "password": "wrong"})
    assert response.status_code == 400
    assert not AuthToken.objects.exists()
