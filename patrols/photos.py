"""Reading an uploaded photo: check it is an image, keep when and where it was taken, re-encode it."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from config import bounds

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_SIDE = 2560
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
# Refuse decompression bombs well before Pillow's own limit.
MAX_PIXELS = 50_000_000


@dataclass
class PhotoData:
    content: ContentFile
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def read_photo(upload) -> PhotoData:
    """Validate an upload by its content (never its name or declared type) and re-encode it as JPEG.

    The re-encoded file carries no metadata; the time and place the phone
    recorded are returned for the record instead.
    """
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"image": _("The photo is larger than 10 MB.")})
    raw = upload.read()
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        if image.format not in ACCEPTED_FORMATS:
            raise UnidentifiedImageError
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError({"image": _("The photo has too many pixels.")})
        exif = image.getexif()
        image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"image": _("The file is not a photo (JPEG, PNG or WebP).")}) from None
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    latitude, longitude = _gps(exif)
    return PhotoData(ContentFile(out.getvalue()), _taken_at(exif), latitude, longitude)


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    """When the phone says the photo was taken; None when it says nothing that makes sense.

    A camera with its clock unset writes 0001:01:01 or 9999:12:31; the photo is still evidence,
    kept without a time, rather than refused.
    """
    taken_at = _exif_time(exif)
    return taken_at if bounds.is_plausible_moment(taken_at) else None


def _exif_time(exif: Image.Exif) -> dt.datetime | None:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    text = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not text:
        return None
    try:
        naive = dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    offset = details.get(ExifTags.Base.OffsetTimeOriginal)
    if offset:
        try:
            return dt.datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{offset}", "%Y-%m-%d %H:%M:%S%z")
        except ValueError:
            pass
    # Phones write local time; our inspectors are in the project's time zone.
    return timezone.make_aware(naive)


def _gps(exif: Image.Exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"), "S")
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(value, ref: str, negative: str) -> Decimal:
    degrees, minutes, seconds = (float(part) for part in value)
    decimal = Decimal(str(round(degrees + minutes / 60 + seconds / 3600, 6)))
    return -decimal if str(ref).upper().startswith(negative) else decimal


# A signature drawn with a finger on the phone: a small PNG, nothing else.
SIGNATURE_MAX_BYTES = 200 * 1024
SIGNATURE_MAX_SIDE = 2000
SIGNATURE_MIN_SIDE = 50
# Fewer drawn pixels than this is a tap, not a signature.
SIGNATURE_MIN_INK_PIXELS = 30


def read_signature(raw: bytes) -> ContentFile:
    """Check a drawn signature by its content (a PNG of sensible size with something drawn on it)
    and re-encode it as PNG on a white background, without metadata."""
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise ValidationError({"signature": _("The signature image is larger than 200 KB.")})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        if image.format != "PNG":
            raise UnidentifiedImageError
        width, height = image.size
        if max(width, height) > SIGNATURE_MAX_SIDE or min(width, height) < SIGNATURE_MIN_SIDE:
            raise ValidationError(
                {
                    "signature": _("The signature image must be %(min)d to %(max)d pixels on each side.")
                    % {"min": SIGNATURE_MIN_SIDE, "max": SIGNATURE_MAX_SIDE}
                }
            )
        rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"signature": _("The signature is not a PNG image.")}) from None
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    ink = flat.convert("L").point(lambda value: 255 if value < 128 else 0)
    if sum(ink.histogram()[255:]) < SIGNATURE_MIN_INK_PIXELS:
        raise ValidationError({"signature": _("The signature is empty: sign in the box with a finger.")})
    out = io.BytesIO()
    flat.convert("L").save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue())
