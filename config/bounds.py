"""The range of every date, time and id the product accepts, decided here and nowhere else.

Forms, serializers, the Excel import, photo metadata, query parameters and path ids all read
these bounds, so a value outside them is answered with the same clear error wherever it enters,
and nothing outside them is stored.

Two layers:

1. The rules a user meets (`validate_*`): a day from 2000-01-01 to one year ahead; an event (a
   visit, an incident, a patrol day) not in the future and not before its unit opened.
2. What the database itself refuses (`STORED_FROM`/`STORED_BEFORE`, CHECK constraints in the
   migrations): fixed and wider than the rules, so that a row written by any path (a shell, an
   old release) stays readable by every driver. A timestamp before year 1 or after 9999, once
   stored, makes psycopg fail on every page that reads it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, Q
from django.utils import timezone
from django.utils.translation import gettext as _

# The network started long after this; anything earlier is a typing slip or a default of zero.
EARLIEST_DAY = dt.date(2000, 1, 1)
# Planned days (a deadline, a reopened period) may lie at most this far ahead.
YEARS_AHEAD = 1
# A phone's clock may run a little ahead of the server's; an event "in the future" by less is now.
CLOCK_SKEW = dt.timedelta(minutes=10)

# The database's own bounds for dates and times (CHECK constraints): [STORED_FROM, STORED_BEFORE),
# UTC midnight for time columns. Ten years of margin below the rules, so that no time zone and no
# rule change can make an accepted value break the constraint.
STORED_FROM = dt.date(1990, 1, 1)
STORED_BEFORE = dt.date(2100, 1, 1)

# A count of people, households, copies or packs in one record: more is a slip of the keyboard.
COUNT_MAX = 1_000_000

# A position (a visit where it was saved, an establishment where it stands), in WGS 84 degrees,
# with the accuracy the phone reported in metres: beyond that a fix says nothing about the place.
LATITUDE_MAX = 90
LONGITUDE_MAX = 180
ACCURACY_MAX_METRES = 100_000

# Every model's key is a BigAutoField (DEFAULT_AUTO_FIELD and each app's default_auto_field).
ID_MIN = 1
ID_MAX = 2**63 - 1

_MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")


def validate_count(value: int | None) -> None:
    if value is not None and value > COUNT_MAX:
        raise ValidationError(
            _("Enter a number no larger than %(max)d.") % {"max": COUNT_MAX}, code="out_of_range"
        )


def latest_day(today: dt.date | None = None) -> dt.date:
    """One year after today (28 February when today is 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _day_of(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def out_of_range(first: dt.date, last: dt.date) -> ValidationError:
    return ValidationError(
        _("Enter a date from %(first)s to %(last)s.")
        % {"first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}"},
        code="out_of_range",
    )


def _safe_day(value: dt.date | dt.datetime) -> dt.date | None:
    """The local day of a value, or None when it cannot even be placed in the local zone."""
    try:
        return _day_of(value)
    except (OverflowError, ValueError):
        return None


def validate_day(value: dt.date | dt.datetime | None) -> None:
    """A day from EARLIEST_DAY to one year ahead: deadlines, planned and period dates."""
    if value is None:
        return
    last = latest_day()
    day = _safe_day(value)
    if day is None or not EARLIEST_DAY <= day <= last:
        raise out_of_range(EARLIEST_DAY, last)


def validate_past_day(value: dt.date | dt.datetime | None) -> None:
    """A day something happened on: from EARLIEST_DAY to today."""
    if value is None:
        return
    today = timezone.localdate()
    day = _safe_day(value)
    if day is not None and EARLIEST_DAY <= today < day <= latest_day(today):
        raise ValidationError(_("This date is in the future."), code="future")
    if day is None or not EARLIEST_DAY <= day <= today:
        raise out_of_range(EARLIEST_DAY, today)


def validate_past_moment(value: dt.datetime | None) -> None:
    """A time something happened: not before EARLIEST_DAY, not in the future (give or take CLOCK_SKEW)."""
    if value is None:
        return
    day = _safe_day(value)
    if day is None or day < EARLIEST_DAY:
        raise out_of_range(EARLIEST_DAY, timezone.localdate())
    if timezone.is_aware(value) and value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("This time is in the future."), code="future")
    validate_past_day(value)


def validate_since_opening(value: dt.date | dt.datetime | None, unit) -> None:
    """An event of a unit (a community, a district) cannot precede the day the unit opened."""
    opened_on = getattr(unit, "opened_on", None)
    day = _safe_day(value) if value is not None else None
    if opened_on and day is not None and day < opened_on:
        raise ValidationError(
            _("%(unit)s opened on %(opened)s; choose a later date.")
            % {"unit": unit.name, "opened": f"{opened_on:%Y-%m-%d}"},
            code="before_opening",
        )


def _for_field(field: str, validator, *args) -> None:
    try:
        validator(*args)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def check_event(value: dt.date | dt.datetime, *, unit, field: str) -> None:
    """What a service checks of an event of `unit` (a visit, an incident, a patrol day).

    Not in the future, not before EARLIEST_DAY, not before the unit opened; the error names `field`.
    """
    _for_field(field, validate_past_moment if isinstance(value, dt.datetime) else validate_past_day, value)
    _for_field(field, validate_since_opening, value, unit)


def check_day(value: dt.date | dt.datetime | None, *, field: str) -> None:
    """What a service checks of a planned day (a deadline, the end of an exception)."""
    _for_field(field, validate_day, value)


def is_plausible_moment(value: dt.datetime | None) -> bool:
    """For metadata we keep only when it makes sense (a photo's time): the same rule as an event."""
    try:
        validate_past_moment(value)
    except ValidationError:
        return False
    return value is not None


def parse_id(raw: object) -> int | None:
    """An id from a query parameter or a form: a whole number within the keys' range, else None."""
    text = str(raw).strip()
    # ASCII digits only: "²".isdigit() is true, yet no number.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):
        return None
    value = int(text)
    return value if ID_MIN <= value <= ID_MAX else None


def parse_month(text: str) -> dt.date | None:
    """ "2026-10" → 2026-10-01, for a month from EARLIEST_DAY's to one year ahead; None for anything else."""
    match = _MONTH_RE.match(str(text).strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    last = latest_day()
    if not (EARLIEST_DAY.year <= year <= last.year and 1 <= month <= 12):
        return None
    first = dt.date(year, month, 1)
    return first if EARLIEST_DAY <= first <= last.replace(day=1) else None


def parse_year(text: object) -> int | None:
    """A year from EARLIEST_DAY's to next year's; None for anything else."""
    raw = str(text).strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 4:
        return None
    year = int(raw)
    return year if EARLIEST_DAY.year <= year <= latest_day().year else None


def _stored_limits(moment: bool) -> tuple[dt.date, dt.date]:
    if not moment:
        return STORED_FROM, STORED_BEFORE
    return tuple(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) for day in (STORED_FROM, STORED_BEFORE))


def stored_range_q(field: str, *, moment: bool) -> Q:
    """The CHECK a date (or, with `moment`, a time) column holds to in the database.

    A NULL passes, as SQL's CHECK does with an unknown result.
    """
    first, before = _stored_limits(moment)
    return Q(**{f"{field}__gte": first, f"{field}__lt": before}) | Q(**{f"{field}__isnull": True})


def out_of_stored_range_q(field: str, *, moment: bool) -> Q:
    """The rows a repair looks for: the negation of `stored_range_q`."""
    first, before = _stored_limits(moment)
    return Q(**{f"{field}__lt": first}) | Q(**{f"{field}__gte": before})


def stored_range_constraint(field: str, *, moment: bool, name: str) -> CheckConstraint:
    """A CHECK constraint holding a column to the database's bounds (for a model's Meta.constraints)."""
    return CheckConstraint(condition=stored_range_q(field, moment=moment), name=name)


def position_q(prefix: str = "", *, with_accuracy: bool = False) -> Q:
    """The CHECK a stored position holds to: every part within its range, or no position at all.

    `prefix` is the columns' common start ("" for latitude, longitude, accuracy_m).
    """
    names = ["latitude", "longitude"] + (["accuracy_m"] if with_accuracy else [])
    limits = {"latitude": LATITUDE_MAX, "longitude": LONGITUDE_MAX, "accuracy_m": ACCURACY_MAX_METRES}
    none = Q(**{f"{prefix}{name}__isnull": True for name in names})
    within = Q(
        **{
            f"{prefix}{name}__{op}": value
            for name in names
            for op, value in (
                ("gte", 0 if name == "accuracy_m" else -limits[name]),
                ("lte", limits[name]),
            )
        }
    )
    return none | within
