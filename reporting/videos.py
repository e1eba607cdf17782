"""Reading an article's short video: MP4 or WebM, told by its content (never its name), size-limited.

Videos are kept as uploaded: re-encoding one needs a video codec library the system does not have.
The container is checked instead, so a renamed script or document is refused.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

VIDEO_MAX_BYTES = 20 * 1024 * 1024
# ISO base media brands of an MP4 video; QuickTime ("qt  ") and others are refused.
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V "}
)
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# The EBML DocType element (0x4282) of 4 bytes saying "webm".
WEBM_DOCTYPE = b"\x42\x82\x84webm"


@dataclass
class VideoData:
    content: ContentFile
    content_type: str
    size: int


def read_video(upload) -> VideoData:
    """Check an uploaded video by size and container signature; return it with its true type."""
    if upload.size is None or upload.size > VIDEO_MAX_BYTES:
        raise ValidationError({"video": _("The video is larger than 20 MB.")})
    raw = upload.read(VIDEO_MAX_BYTES + 1)
    if len(raw) > VIDEO_MAX_BYTES:
        raise ValidationError({"video": _("The video is larger than 20 MB.")})
    if _is_mp4(raw):
        content_type = "video/mp4"
    elif raw.startswith(EBML_MAGIC) and WEBM_DOCTYPE in raw[:64]:
        content_type = "video/webm"
    else:
        raise ValidationError({"video": _("The file is not a video (MP4 or WebM).")})
    return VideoData(ContentFile(raw), content_type, len(raw))


def _is_mp4(raw: bytes) -> bool:
    """An ISO base media file: an `ftyp` box with an MP4 brand first, a `moov` box, boxes end to end."""
    if raw[4:8] != b"ftyp" or len(raw) < 16:
        return False
    ftyp_size = struct.unpack(">I", raw[:4])[0]
    brands = {raw[8:12]} | {raw[at : at + 4] for at in range(16, min(ftyp_size, 64), 4)}
    if not brands & MP4_BRANDS:
        return False
    seen: set[bytes] = set()
    at = 0
    while at < len(raw):
        if at + 8 > len(raw):
            return False
        size, kind = struct.unpack(">I4s", raw[at : at + 8])
        if not all(32 <= byte < 127 for byte in kind):
            return False
        if size == 1:
            if at + 16 > len(raw):
                return False
            size = struct.unpack(">Q", raw[at + 8 : at + 16])[0]
        elif size == 0:
            size = len(raw) - at
        if size < 8 or at + size > len(raw):
            return False
        seen.add(kind)
        at += size
    return b"moov" in seen
