"""The load balancer's health check: answers without a database, a session or a login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    # Deliberately touches nothing: it says the process serves requests, and is
    # the floor the benchmark measures every page against.
    return HttpResponse("ok", content_type="text/plain")
