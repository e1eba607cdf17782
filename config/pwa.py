"""The installable web app (SPEC §4, field conditions): manifest, service worker and offline page.

The service worker must be served from the site root to control every page, so it is a view
rather than a static file. Its source is static/sw.js; this module puts the app-shell URLs in
front of it, which in production are the hashed names of collectstatic, so a new deployment
is a new worker.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

NAME = "食品药品安全进社区"
SHORT_NAME = "巡查"
THEME_COLOUR = "#0b7a4b"
BACKGROUND_COLOUR = "#f5f8f6"
START_URL = "/patrols/today/"
ICON_SIZES = (192, 512)
# The visit form's script too: a form kept on the phone is filled in without signal.
SHELL_STATIC = (
    "css/app.css",
    "js/pwa.js",
    "js/offline.js",
    "js/visit-form.js",
    *(f"icons/icon-{s}.png" for s in ICON_SIZES),
)
# Paths whose answers hold one user's data or change the session: the worker never caches them.
NEVER_CACHED = ("/api/", "/admin/", "/accounts/", "/i18n/", "/media/", "/sw.js", "/manifest.webmanifest")


def _service_worker_source() -> str:
    found = finders.find("sw.js")
    if found is None:  # deployments that keep only STATIC_ROOT
        found = staticfiles_storage.path("sw.js")
    with open(found, encoding="utf-8") as f:
        return f.read()


def _service_worker_config() -> dict:
    return {
        "shell": [static(name) for name in SHELL_STATIC] + [reverse("pwa_offline")],
        "offlineUrl": reverse("pwa_offline"),
        "startUrl": START_URL,
        # STATIC_URL itself: the manifest storage of production has no entry for "".
        "staticPrefix": settings.STATIC_URL,
        "neverCache": list(NEVER_CACHED),
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    source = _service_worker_source()
    config = _service_worker_config()
    body = json.dumps(config, sort_keys=True)
    config["version"] = hashlib.sha256((body + source).encode()).hexdigest()[:12]
    script = f"self.PWA_CONFIG = {json.dumps(config)};\n{source}"
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on every visit; let them see a deployment at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {
            "src": static(f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": use,
        }
        for size in ICON_SIZES
        for use in ("any", "maskable")
    ]
    data = {
        "name": NAME,
        "short_name": SHORT_NAME,
        "lang": "zh-CN",
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


# Standalone, without base.html: the worker precaches this page for everyone, so it must not
# carry a user's name or menu.
OFFLINE_PAGE = """{% load static %}<!doctype html>
<html lang="{{ LANGUAGE_CODE }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="theme-color" content="{{ theme_colour }}">
  <title>{{ heading }}</title>
  <link rel="manifest" href="{% url 'pwa_manifest' %}">
  <link rel="stylesheet" href="{% static 'css/app.css' %}">
</head>
<body data-pwa-offline-page>
<header class="topbar"><a class="brand" href="{{ start_url }}">{{ brand }}</a></header>
<main class="page">
  <div class="card">
    <h1>{{ heading }}</h1>
    <p>{{ explanation }}</p>
    <p class="actions"><button type="button" data-pwa-reload>{{ retry }}</button></p>
    <h2>{{ saved_pages }}</h2>
    <ul class="list" id="offline-pages"><li class="meta">{{ no_pages }}</li></ul>
  </div>
</main>
<script src="{% static 'js/pwa.js' %}" data-pwa data-sw="{% url 'pwa_service_worker' %}" data-user=""
  data-logout="{% url 'logout' %}" data-login="{% url 'login' %}"></script>
</body>
</html>
"""


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(OFFLINE_PAGE)
    context = {
        "theme_colour": THEME_COLOUR,
        "start_url": START_URL,
        "brand": _("Food & Drug Safety in the Community"),
        "heading": _("You are offline"),
        "explanation": _(
            "This page has not been saved on this phone. Patrol records and visit forms opened "
            "while online still open; records saved offline are sent when the signal returns."
        ),
        "retry": _("Try again"),
        "saved_pages": _("Pages saved on this phone"),
        "no_pages": _("No pages saved yet."),
    }
    return HttpResponse(template.render(context, request))


urlpatterns = [
    path("sw.js", service_worker, name="pwa_service_worker"),
    path("manifest.webmanifest", manifest, name="pwa_manifest"),
    path("offline/", offline, name="pwa_offline"),
]
