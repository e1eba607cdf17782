"""Settings come from the environment and a bad value stops the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_url

ROOT = Path(__file__).resolve().parent.parent


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DEBUG", "SECRET_KEY"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_env_bool_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be one of"):
        env_bool("DEBUG", default=False)


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "smtp")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be an integer"):
        env_int("EMAIL_PORT", 25)


def test_env_url_rejects_wrong_scheme(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be a URL"):
        env_url("REDIS_URL", ("redis",))


def test_defaults_run_on_sqlite_with_celery_in_process():
    result = start_django()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Asia/Shanghai"
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LANGUAGE_CODE)",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.split() == ["django.db.backends.sqlite3", "True", "zh-hans"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "SECRET_KEY must be at least 50"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must be a URL"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be an integer"),
    ],
)
def test_bad_environment_fails_with_a_clear_message(env, message):
    result = start_django(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_report_due_day_outside_the_month_is_refused(monkeypatch):
    monkeypatch.setenv("COMMUNITY_REPORT_DUE_DAY", "31")
    with pytest.raises(ImproperlyConfigured, match="COMMUNITY_REPORT_DUE_DAY must be between 1 and 28"):
        env_int("COMMUNITY_REPORT_DUE_DAY", 5, minimum=1, maximum=28)


def setting(name: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print(settings.{name})",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "patrol.example.gov.cn"}


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        ({}, "LocMemCache", ""),  # development: one process
        (PRODUCTION, "DatabaseCache", "django_cache"),  # production without Redis: the database's table
        (PRODUCTION | {"REDIS_URL": "redis://r:6379/0"}, "RedisCache", "redis://r:6379/0"),
        (
            PRODUCTION | {"REDIS_URL": "redis://r:6379/0", "CACHE_URL": "redis://c:6379/1"},
            "RedisCache",
            "redis://c:6379/1",
        ),
        ({"CACHE_URL": "redis://c:6379/1"}, "RedisCache", "redis://c:6379/1"),
    ],
)
def test_production_always_shares_its_cache(env, backend, location):
    cache = setting("CACHES['default']", **env)
    assert backend in cache and location in cache


def test_several_processes_with_a_per_process_cache_refuse_to_start():
    result = start_django(WEB_CONCURRENCY="3")
    assert result.returncode != 0
    assert "WEB_CONCURRENCY" in result.stderr and "shared cache" in result.stderr
    assert start_django(WEB_CONCURRENCY="3", CACHE_URL="redis://c:6379/1").returncode == 0
    assert start_django(WEB_CONCURRENCY="3", **PRODUCTION).returncode == 0


def test_gunicorn_refuses_its_default_workers_with_a_per_process_cache():
    unset = {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DEBUG", "WEB_CONCURRENCY"}
    run = subprocess.run(
        [sys.executable, "-c", "import config.gunicorn"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in unset}
        | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0  # its default is 2 × cores + 1 workers
    assert "shared cache" in run.stderr


def test_login_failures_are_counted_where_every_process_reads_them():
    assert setting("AXES_HANDLER") == "axes.handlers.database.AxesDatabaseHandler"
