"""The installable app's files, as a phone's browser fetches them (no browser needed)."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from PIL import Image

pytestmark = pytest.mark.e2e


def test_manifest_describes_the_installable_app(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "食品药品安全进社区"
    assert manifest["short_name"] == "巡查"
    assert manifest["start_url"] == "/patrols/today/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b7a4b"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


@pytest.mark.parametrize("size", [192, 512])
def test_manifest_icons_are_pngs_of_their_size(client, size):
    icons = json.loads(client.get("/manifest.webmanifest").content)["icons"]
    icon = next(i for i in icons if i["sizes"] == f"{size}x{size}")
    path = finders.find(icon["src"].removeprefix("/static/"))

    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (size, size))


def test_service_worker_is_javascript_allowed_to_control_the_whole_site(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    config = json.loads(body.split("self.PWA_CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert "/static/css/app.css" in config["shell"] and "/offline/" in config["shell"]
    assert "/api/" in config["neverCache"]
    assert 'addEventListener("fetch"' in body


def test_service_worker_is_served_by_the_static_storage_of_production(client, settings, tmp_path):
    """Production (DEBUG off) names static files from a manifest: the worker's script must not ask
    it for a name it does not hold (it once asked for "" and answered 500 in production only)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")

    response = client.get("/sw.js")

    assert response.status_code == 200
    config = json.loads(response.content.decode().split("self.PWA_CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["staticPrefix"] == "/static/"
    assert all(name.startswith("/static/") and "." in name for name in config["shell"][:-1])
    hashed = [name for name in config["shell"] if name.startswith("/static/css/app.")]
    assert hashed and hashed != ["/static/css/app.css"]  # the manifest's name, with its hash


def test_offline_page_carries_no_user_data(client, django_user_model):
    user = django_user_model.objects.create_user(username="someone", password="pw-for-tests-1")
    client.force_login(user)

    response = client.get("/offline/")

    assert response.status_code == 200
    assert "当前处于离线状态" in response.text or "You are offline" in response.text
    assert "someone" not in response.text


def test_every_page_links_the_manifest_and_the_offline_scripts(client):
    page = client.get("/accounts/login/").text

    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "/static/js/pwa.js" in page and "/static/js/offline.js" in page
