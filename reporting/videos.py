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
# A short video of the activity (seed 000 asks for 文字、图片、视频), not a recording of it.
VIDEO_MAX_SECONDS = 3 * 60
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
    """Check an uploaded video by size, container signature and, where the container says it, duration.

    A container that does not state its duration (a WebM recorded live) is kept: its size is bounded.
    """
    if upload.size is None or upload.size > VIDEO_MAX_BYTES:
        raise ValidationError({"video": _("The video is larger than 20 MB.")})
    raw = upload.read(VIDEO_MAX_BYTES + 1)
    if len(raw) > VIDEO_MAX_BYTES:
        raise ValidationError({"video": _("The video is larger than 20 MB.")})
    try:
        if raw[4:8] == b"ftyp":
            content_type, seconds = "video/mp4", _mp4_seconds(raw)
        elif raw.startswith(EBML_MAGIC) and WEBM_DOCTYPE in raw[:64]:
            content_type, seconds = "video/webm", _webm_seconds(raw)
        else:
            raise ValueError("no video signature")
    except (ValueError, IndexError, KeyError, struct.error):
        raise ValidationError({"video": _("The file is not a video (MP4 or WebM).")}) from None
    if seconds is not None and seconds > VIDEO_MAX_SECONDS:
        raise ValidationError(
            {
                "video": _("The video is longer than %(minutes)d minutes.")
                % {"minutes": VIDEO_MAX_SECONDS // 60}
            }
        )
    return VideoData(ContentFile(raw), content_type, len(raw))


def _boxes(raw: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    """The ISO boxes laid end to end in raw[start:end], each type with where its payload lies.

    Raises ValueError when the boxes do not tile the range exactly: a file that is not MP4.
    """
    found: dict[bytes, tuple[int, int]] = {}
    at = start
    while at < end:
        size, kind = struct.unpack(">I4s", raw[at : at + 8])
        header = 8
        if not all(32 <= byte < 127 for byte in kind):
            raise ValueError("not a box type")
        if size == 1:
            size, header = struct.unpack(">Q", raw[at + 8 : at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise ValueError("box out of bounds")
        found.setdefault(kind, (at + header, at + size))
        at += size
    return found


def _mp4_seconds(raw: bytes) -> float | None:
    """An MP4's length from its movie header; ValueError unless it has an MP4 `ftyp` brand and a `moov`."""
    top = _boxes(raw, 0, len(raw))
    first, last = top[b"ftyp"]
    brands = {raw[first : first + 4]} | {raw[at : at + 4] for at in range(first + 8, last, 4)}
    if not brands & MP4_BRANDS or b"moov" not in top:
        raise ValueError("not an MP4 video")
    mvhd = _boxes(raw, *top[b"moov"]).get(b"mvhd")
    if mvhd is None:
        return None
    at = mvhd[0]
    if raw[at] == 1:
        timescale, duration = struct.unpack(">IQ", raw[at + 20 : at + 32])
    else:
        timescale, duration = struct.unpack(">II", raw[at + 12 : at + 20])
    return duration / timescale if timescale else None


# The EBML elements on the way to a WebM's duration.
SEGMENT, INFO, CLUSTER = 0x18538067, 0x1549A966, 0x1F43B675
TIMECODE_SCALE, DURATION = 0x2AD7B1, 0x4489


def _vint(raw: bytes, at: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at `at`: its value, where the next one starts, whether all ones."""
    first = raw[at]
    length = 9 - first.bit_length() if first else 0
    if not 1 <= length <= 8:
        raise ValueError("bad EBML number")
    value = int.from_bytes(raw[at : at + length], "big")
    data_bits = 7 * length
    unknown = value & ((1 << data_bits) - 1) == (1 << data_bits) - 1
    return (value if keep_marker else value & ((1 << data_bits) - 1)), at + length, unknown


def _elements(raw: bytes, start: int, end: int):
    """The EBML elements in raw[start:end] as (id, payload start, payload end); unknown sizes run to `end`."""
    at = start
    while at < end:
        element, at, _unknown = _vint(raw, at, keep_marker=True)
        size, at, unknown = _vint(raw, at, keep_marker=False)
        stop = end if unknown else at + size
        if stop > end:
            stop = end
        yield element, at, stop
        at = stop


def _webm_seconds(raw: bytes) -> float | None:
    """A WebM's length from its Segment Info, or None when it states none before the first cluster."""
    for element, start, end in _elements(raw, 0, len(raw)):
        if element != SEGMENT:
            continue
        for child, child_start, child_end in _elements(raw, start, end):
            if child == CLUSTER:
                return None
            if child == INFO:
                scale, duration = 1_000_000, None
                for field, first, last in _elements(raw, child_start, child_end):
                    if field == TIMECODE_SCALE:
                        scale = int.from_bytes(raw[first:last], "big")
                    elif field == DURATION and last - first in (4, 8):
                        duration = struct.unpack(">f" if last - first == 4 else ">d", raw[first:last])[0]
                return duration * scale / 1e9 if duration is not None else None
        return None
    return None
