"""File downloads: one way to name an attachment for every export in the product."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def attachment(content: bytes, content_type: str, name: str, ascii_name: str) -> HttpResponse:
    """A download named `name` for browsers that read filename*, `ascii_name` for the rest.

    RFC 6266/5987: the Chinese name is percent-encoded UTF-8; old clients get the ASCII one.
    """
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
