"""Language selection (Chinese unless the user picked another language) and the database-error page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ChosenLanguageMiddleware:
    """Like LocaleMiddleware, but ignores the browser's Accept-Language.

    Inspectors' phones are often set to English while the office works in
    Chinese; the page follows the language switch (its cookie) and otherwise
    LANGUAGE_CODE.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation) for what compresses: pages, JSON, scripts.

    An inspector's phone pays for every byte on a slow connection: the visit form is a quarter of
    its size compressed (bench/phone.py). Photos, PDFs and Excel workbooks are compressed already
    and are sent as they are; static files are WhiteNoise's, compressed when collected.
    """

    COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class DatabaseErrorMiddleware:
    """A database failure is answered with a clear 503 that tells the truth, not a bare 500.

    For a write: every write runs in `transaction.atomic`, so by the time the error reaches here
    the whole operation has been rolled back; the page says that nothing was saved and that trying
    again is safe (a phone resending a record is answered by its client_id). For a read (GET, HEAD,
    OPTIONS) nothing was being saved: the page says it could not be loaded.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.exception("database error on %s %s", request.method, request.path, exc_info=exception)
        if request.method in READ_METHODS:
            title = _("Not loaded")
            message = _(
                "The database could not be read; this page could not be loaded. Please try again in a moment."
            )
        else:
            title = _("Not saved")
            message = _("The database could not save this. Nothing was saved; please try again in a moment.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503)
        return render(request, "database_error.html", {"title": title, "message": message}, status=503)
