"""Fuzzing the API from its own schema (schemathesis): as a logged-in district officer with a town of
records, no generated request may cause a server error or a response that breaks the schema.

Bounded for CI: a few examples per operation, derandomized so a failure repeats, no example
database written into the working tree.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.security_world import World, build_world

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def world(db, settings_media) -> World:
    return build_world()


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The project's WSGI application, sharing the test's database connection and transaction.

    A WSGI handler closes the connection after each request (close_old_connections); Django's
    test client switches that off, and so does this fixture.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, wsgi_app):
    # Token logins are left out: random credentials would only lock random accounts.
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app).exclude(path="/api/auth/token/")


@pytest.fixture
def officer(world):
    return world.users["officer_a"]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, officer):
    # A token per case: a generated logout or revocation (/api/auth/tokens/) ends only its own.
    _instance, token = AuthToken.objects.create(user=officer)
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
