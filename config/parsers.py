"""Request body parsers that refuse what no client of ours sends, before any serializer sees it.

A JSON body nested a few thousand levels deep makes Python's decoder overflow its stack (a server
error on every JSON endpoint, the anonymous token login included); a body of many megabytes is
read whole into memory by REST framework's own parsers, which do not apply Django's
DATA_UPLOAD_MAX_MEMORY_SIZE. Both are answered with a 400 here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Our deepest request (a visit with its findings and checklist rows) is four levels deep.
MAX_JSON_DEPTH = 20


def _read_bounded(stream) -> bytes:
    """The body, or a 400 when it is larger than Django's limit for a request held in memory."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise ParseError(_("The request is too large (at most %(mb).1f MB).") % {"mb": limit / 1024 / 1024})
    return body


def _deeper_than(data: object, limit: int) -> bool:
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children: Iterable = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        body = _read_bounded(stream)
        too_deep = ParseError(
            _("The request is nested too deeply (at most %(n)d levels).") % {"n": MAX_JSON_DEPTH}
        )
        try:
            data = json.loads(body.decode(encoding), parse_constant=self._refuse_constant)
        except RecursionError:
            raise too_deep from None
        except ValueError as error:
            raise ParseError(_("The request is not valid JSON: %(error)s") % {"error": error}) from None
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data

    @staticmethod
    def _refuse_constant(name: str):
        # NaN and Infinity are not JSON; REST framework refuses them too (STRICT_JSON).
        raise ValueError(f"{name} is not allowed")


class BoundedFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return QueryDict(_read_bounded(stream), encoding=encoding)
