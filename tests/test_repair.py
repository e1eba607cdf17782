"""Rows stored out of range before the bounds existed: `repair_records` finds them, repairs what the
record itself can tell, and reports the rest; the pages that failed on them answer again.

The CHECK constraints keep such rows out, so each test first lets one in the way an old release
did: on PostgreSQL by dropping the constraint inside the test's transaction, on SQLite by telling
it to ignore CHECK constraints for the connection.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from patrols.models import Incident, Patrol, Photo
from patrols.services import records as services
from tests.security_world import jpeg_upload
from tests.test_incidents import report

pytestmark = pytest.mark.django_db

# What the issue found stored: an incident at 0001-01-01 00:00 in Shanghai's local mean time (a
# timestamp before year 1 in UTC), and a photo taken at 9999-12-31 23:59:59 -12:00 (year 10000).
YEAR_ZERO = {"postgresql": "0001-01-01 00:00:00+08:05:43", "sqlite": "0000-12-31 15:54:17"}
YEAR_10000 = {"postgresql": "9999-12-31 23:59:59-12:00", "sqlite": "10000-01-01 11:59:59"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@contextmanager
def without_check(table: str, constraint: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this transaction's inserts must run before an ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA ignore_check_constraints = OFF")


def poison(table: str, constraint: str, column: str, pk: int, value: str) -> None:
    with without_check(table, constraint), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def test_the_database_refuses_a_time_it_could_not_read_back(inspector_a, district_officer_a):
    incident = report(inspector_a)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE patrols_incident SET occurred_at = %s WHERE id = %s",
            [dt.datetime(1, 1, 2, tzinfo=dt.UTC), incident.pk],
        )


def test_an_unreadable_incident_time_is_repaired_and_the_list_answers_again(
    api, inspector_a, district_officer_a
):
    incident = report(inspector_a)
    poison(
        "patrols_incident",
        "incident_occurred_at_stored_range",
        "occurred_at",
        incident.pk,
        YEAR_ZERO[connection.vendor],
    )
    api.force_authenticate(district_officer_a)
    # The driver cannot read the row: psycopg raises (a 503), SQLite's converter too (a 500).
    api.raise_request_exception = False
    assert api.get("/api/incidents/").status_code >= 500

    listed = StringIO()
    with pytest.raises(CommandError):
        call_command("repair_records", stdout=listed)
    assert f"patrols.Incident.occurred_at #{incident.pk}" in listed.getvalue()
    assert api.get("/api/incidents/").status_code >= 500  # listing changes nothing

    out = StringIO()
    call_command("repair_records", "--fix", stdout=out)
    assert "1 out of range, 1 repaired, 0 left." in out.getvalue()
    repaired = Incident.objects.get(pk=incident.pk)
    assert repaired.occurred_at == repaired.reported_at
    response = api.get("/api/incidents/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [incident.pk]


def test_a_photo_time_from_year_10000_is_dropped_and_the_photo_kept(client, inspector_a, partner_a, shop_a):
    patrol, _created = services.patrol_start(user=inspector_a, team=[partner_a])
    visit, _created = services.visit_record(
        user=inspector_a, patrol=patrol, establishment=shop_a, result="compliant"
    )
    photo, _created = services.photo_add(
        user=inspector_a, visit=visit, upload=jpeg_upload(), client_id=uuid.uuid4()
    )
    poison(
        "patrols_photo", "photo_taken_at_stored_range", "taken_at", photo.pk, YEAR_10000[connection.vendor]
    )

    call_command("repair_records", "--fix", stdout=StringIO())
    assert Photo.objects.get(pk=photo.pk).taken_at is None
    client.force_login(inspector_a)
    assert client.get(f"/patrols/{patrol.pk}/").status_code == 200


def test_a_patrol_day_out_of_range_is_reported_not_guessed(inspector_a, partner_a):
    patrol, _created = services.patrol_start(user=inspector_a, team=[partner_a])
    Patrol.objects.filter(pk=patrol.pk).update(date=dt.date(2150, 1, 1))
    out = StringIO()
    with pytest.raises(CommandError, match="1 stored values are out of range"):
        call_command("repair_records", "--fix", stdout=out)
    assert f"patrols.Patrol.date #{patrol.pk}" in out.getvalue()
    assert "cannot be repaired" in out.getvalue()
    assert Patrol.objects.get(pk=patrol.pk).date == dt.date(2150, 1, 1)


def test_nothing_out_of_range_means_nothing_to_do(inspector_a, district_officer_a):
    report(inspector_a, minutes_ago=10)
    out = StringIO()
    call_command("repair_records", stdout=out)
    assert out.getvalue().strip() == "0 out of range, 0 repaired, 0 left."
    assert Incident.objects.get().occurred_at < timezone.now()
