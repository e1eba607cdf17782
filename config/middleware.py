"""Language selection: Chinese unless the user picked another language."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


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


class DatabaseErrorMiddleware:
    """A write the database refuses mid-way is answered with a clear 503, not a bare 500.

    Every write runs in `transaction.atomic`, so by the time the error reaches here the whole
    operation has been rolled back: the page says that nothing was saved and that trying again
    is safe (a phone resending a record is answered by its client_id).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.exception("database error on %s %s", request.method, request.path, exc_info=exception)
        message = _("The database could not save this. Nothing was saved; please try again in a moment.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503)
        return render(request, "database_error.html", {"message": message}, status=503)
