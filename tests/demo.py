"""The demo city as a fixture for the tests that need a whole city: seeded once per module."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, force=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, seeded once for the module (it takes a while) in a transaction rolled back after it.

    Each test runs in a savepoint inside it, as with TestCase.setUpTestData.
    """
    from config.celery import app

    eager, app.conf.CELERY_TASK_ALWAYS_EAGER = app.conf.CELERY_TASK_ALWAYS_EAGER, True
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
                yield seed()
        finally:
            app.conf.CELERY_TASK_ALWAYS_EAGER = eager
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
