"""A backup with pg_dump and a restore with pg_restore bring back every record (README, "Backup and restore").

The commands are the documented ones, run against the test database: dump it, restore the
dump into a fresh database, compare every table's rows and a few records field by field.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from tests.security_world import World, build_world

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump/pg_restore need PostgreSQL; CI always runs on PostgreSQL (DATABASE_URL)",
)


def _libpq_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db["HOST"] or "localhost"),
            "PGPORT": str(db["PORT"] or 5432),
            "PGUSER": str(db["USER"] or ""),
            "PGPASSWORD": str(db["PASSWORD"] or ""),
        }
    )
    return env


def _conninfo(name: str) -> str:
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=name,
    )


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


@pytest.fixture
def restored_name() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [row[0] for row in rows]


def _counts(conn) -> dict[str, int]:
    return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in _tables(conn)}


SAMPLES = {
    "patrols_patrol": "SELECT client_id, community_id, date, status, archived_at FROM patrols_patrol",
    "patrols_visit": "SELECT client_id, establishment_id, result, findings FROM patrols_visit",
    "patrols_photo": "SELECT client_id, image, taken_at FROM patrols_photo",
    "patrols_lead": "SELECT id, description, status FROM patrols_lead",
    "reporting_monthlyreport": "SELECT id, period, status, figures::text FROM reporting_monthlyreport",
    "orgs_user": "SELECT username, password, role, org_unit_id FROM orgs_user",
}


def _sample(conn, sql: str) -> list[tuple]:
    return sorted(conn.execute(sql).fetchall(), key=repr)


# Committed rows (pg_dump reads from its own connection); the data migrations' rows come back after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dump_restored_into_a_fresh_database_brings_back_every_record(world, restored_name, tmp_path):
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "patrols.dump"
    env = _libpq_env()
    # The commands of README.md, "Backup and restore".
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-d", source, "-f", str(dump)], env=env, check=True)
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", restored_name, str(dump)],
        env=env,
        check=True,
    )
    with psycopg.connect(_conninfo(source)) as before, psycopg.connect(_conninfo(restored_name)) as after:
        counts = _counts(before)
        assert counts["patrols_patrol"] == 3 and counts["patrols_photo"] == 1 and counts["orgs_user"] == 9
        assert _counts(after) == counts
        for table, sql in SAMPLES.items():
            assert _sample(after, sql) == _sample(before, sql), table
        # The restored database carries the migrations' record too, so `migrate` finds nothing to do.
        assert _sample(after, "SELECT app, name FROM django_migrations") == _sample(
            before, "SELECT app, name FROM django_migrations"
        )
