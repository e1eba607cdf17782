"""Finding and repairing stored dates and times outside the database's bounds (config.bounds).

A timestamp before year 1 or after 9999 (an incident "at 0001-01-01" read in Shanghai's local mean
time, a photo "taken at 9999-12-31 -12:00") cannot be read back by psycopg: every page listing its
row fails. The CHECK constraints of the migrations keep new ones out; this module finds the old
ones, reading only their keys and their values as text, and sets each to the best value the record
itself gives, or reports it for a person to decide.

Used by the migrations that add the constraints (with the historical models) and by
`manage.py repair_records` (with the current ones): one repair, two doors.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import CharField
from django.db.models.functions import Cast

from config import bounds

# The value a repair chooses for one row, given the models (`apps.get_model`) and the row's key;
# None clears a column that may be empty; UNREPAIRABLE leaves the row for a person.
UNREPAIRABLE = object()


@dataclass(frozen=True)
class Column:
    model: str
    field: str
    moment: bool
    how: str
    repair: Callable[[object, int], object] | None = None


@dataclass(frozen=True)
class Found:
    column: Column
    pk: int
    original: str
    new_value: object

    @property
    def repaired(self) -> bool:
        return self.new_value is not UNREPAIRABLE

    def __str__(self) -> str:
        outcome = (
            f"-> {self.new_value} ({self.column.how})"
            if self.repaired
            else f"cannot be repaired: {self.column.how}"
        )
        return f"{self.column.model}.{self.column.field} #{self.pk}: {self.original!r} {outcome}"


def _in_range(value: dt.date | dt.datetime | None, *, moment: bool) -> bool:
    if value is None:
        return False
    if moment:
        value = value.astimezone(dt.UTC).date()
    return bounds.STORED_FROM <= value < bounds.STORED_BEFORE


def _noon_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _clear(apps, pk: int) -> None:
    return None


def _visit_time(apps, pk: int):
    day = (
        apps.get_model("patrols", "Visit").objects.filter(pk=pk).values_list("patrol__date", flat=True).get()
    )
    return _noon_of(day) if _in_range(day, moment=False) else UNREPAIRABLE


def _incident_time(other: str) -> Callable[[object, int], object]:
    def repair(apps, pk: int):
        incidents = apps.get_model("patrols", "Incident").objects.filter(pk=pk)
        if incidents.filter(bounds.out_of_stored_range_q(other, moment=True)).exists():
            return UNREPAIRABLE
        return incidents.values_list(other, flat=True).get()

    return repair


def _follow_up_time(apps, pk: int):
    reports = apps.get_model("patrols", "IncidentReport").objects.filter(pk=pk)
    if reports.filter(bounds.out_of_stored_range_q("incident__reported_at", moment=True)).exists():
        return UNREPAIRABLE
    return reports.values_list("incident__reported_at", flat=True).get()


def _registration_day(apps, pk: int):
    created = (
        apps.get_model("patrols", "Establishment").objects.values_list("created_at", flat=True).get(pk=pk)
    )
    return created.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


COLUMNS = [
    Column("patrols.Photo", "taken_at", True, "the photo is kept without its time", _clear),
    Column("patrols.Visit", "visited_at", True, "noon of its patrol record's day", _visit_time),
    Column(
        "patrols.Incident",
        "occurred_at",
        True,
        "the time it was reported (it happened no later); check it with the reporter",
        _incident_time("reported_at"),
    ),
    Column("patrols.Incident", "reported_at", True, "the time it happened", _incident_time("occurred_at")),
    Column("patrols.IncidentReport", "reported_at", True, "its incident's report time", _follow_up_time),
    Column(
        "reporting.MonthlyReport",
        "reopened_until",
        True,
        "the exception is withdrawn; the level above may grant it again",
        _clear,
    ),
    Column("patrols.Establishment", "registered_on", False, "the day it was entered", _registration_day),
    Column("patrols.Establishment", "food_graded_on", False, "left for the district to correct"),
    Column("patrols.Patrol", "date", False, "left for the community to correct: it decides the day counted"),
]


def records_repair(*, apps, fix: bool, app_labels: tuple[str, ...] | None = None) -> list[Found]:
    """Every stored value outside the bounds, with what it was set to (or why not).

    1. Find the rows by their keys, comparing in the database: the values are never read as dates.
    2. Read each value as text, for the report.
    3. With `fix`, set what can be set (an update, bypassing `save()`: an incident cannot otherwise
       be changed, and its unreadable time is no record of anything).
    """
    found: list[Found] = []
    for column in COLUMNS:
        app_label, model_name = column.model.split(".")
        if app_labels is not None and app_label not in app_labels:
            continue
        model = apps.get_model(app_label, model_name)
        rows = (
            model._base_manager.filter(bounds.out_of_stored_range_q(column.field, moment=column.moment))
            .annotate(original=Cast(column.field, CharField()))
            .values_list("pk", "original")
            .order_by("pk")
        )
        for pk, original in rows:
            new_value = column.repair(apps, pk) if column.repair else UNREPAIRABLE
            if fix and new_value is not UNREPAIRABLE:
                model._base_manager.filter(pk=pk).update(**{column.field: new_value})
            found.append(Found(column, pk, original, new_value))
    return found


def repair_before_constraints(*app_labels: str) -> Callable[[object, object], None]:
    """A migration step: repair what can be, and stop, naming the rest, before the CHECKs are added."""

    def step(apps, schema_editor) -> None:
        found = records_repair(apps=apps, fix=True, app_labels=app_labels)
        moments = [f for f in found if f.column.moment]
        left = [f for f in moments if not f.repaired]
        for item in moments:
            print(f"\n  repaired {item}" if item.repaired else f"\n  {item}")
        if left:
            raise RuntimeError(
                "Stored times out of range that cannot be repaired; correct them by hand, then migrate again."
            )

    return step
