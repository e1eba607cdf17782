"""File downloads: one way to name an attachment for every export in the product."""

from __future__ import annotations

from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def attachment(
    content: bytes | IO[bytes], content_type: str, name: str, ascii_name: str
) -> HttpResponse | FileResponse:
    """A download named `name` for browsers that read filename*, `ascii_name` for the rest.

    `content` is the bytes, or an open file that is streamed in blocks and closed when sent.
    RFC 6266/5987: the Chinese name is percent-encoded UTF-8; old clients get the ASCII one.
    """
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
