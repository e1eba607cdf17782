"""Fuzzing the API from its own schema (schemathesis): as each role with API access (an inspector, a
community head, a district officer, a city officer) in a town of records, no generated request may
cause a server error or a response that breaks the schema, and the server log holds no traceback.

Bounded for CI (both databases, each role), derandomized so a failure repeats, no example database
written into the working tree. The inspector and the district officer, between them the writers of
nearly every record, get schemathesis's coverage phase as well: every boundary value and every
missing or malformed field of each operation (a few thousand requests each). The community head and
the city officer, whose writes are a subset of theirs, get the schema's examples and a few generated
requests per operation: their tests are about what they may reach, not about parsing again what the
writers' tests already sent.
"""

from __future__ import annotations

import json
import logging
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
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.security_world import World, build_world

# Generated requests per operation and role, beyond the schema's examples and the coverage phase.
# Each request costs the whole stack (a token, the response checked against the schema).
EXAMPLES_PER_OPERATION = {"officer_a": 3, "head_a": 3, "city_officer": 3}
DEFAULT_EXAMPLES = 1
# The roles whose tests run the coverage phase (see the module's docstring).
COVERAGE_ROLES = {"inspector_a", "officer_a"}
WITHOUT_COVERAGE = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})


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


_SCHEMA_TEXT: list[str] = []


def _api_schema(wsgi_app: WSGIHandler, config: SchemathesisConfig | None = None):
    """The API's own schema, served by the application once and reused for every operation's test.

    The schema does not depend on the records; generating it for each of the few hundred tests
    cost as much as the requests themselves.
    """
    if not _SCHEMA_TEXT:
        # Asked of the application under test, as the requests will be. Django's test client would
        # connect close_old_connections again (wsgi_app took it off), and the next request would
        # close the test's PostgreSQL connection in the middle of its transaction.
        _SCHEMA_TEXT.append(json.dumps(schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app).raw_schema))
    loaded = schemathesis.openapi.from_dict(json.loads(_SCHEMA_TEXT[0]), config=config)
    loaded.app = wsgi_app
    loaded.location = "/api/schema/"
    # Token logins are left out: random credentials would only lock random accounts.
    return loaded.exclude(path="/api/auth/token/")


@pytest.fixture
def api_schema(world, wsgi_app):
    return _api_schema(wsgi_app)


@pytest.fixture
def api_schema_without_coverage(world, wsgi_app):
    return _api_schema(wsgi_app, WITHOUT_COVERAGE)


class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Django logs a request it refuses as suspicious (too many fields, a bad host) to
        # django.security.*, with the exception, and answers 400: that is the refusal, not a failure.
        if record.name.startswith("django.security."):
            return
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture
def server_log() -> Iterator[_Tracebacks]:
    """What the server logged with a traceback (or as an error) while the test ran."""
    handler = _Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


schema = schemathesis.pytest.from_fixture("api_schema")
schema_without_coverage = schemathesis.pytest.from_fixture("api_schema_without_coverage")


def fuzz_as(username: str):
    """The fuzz test as one user: each role with API access gets its own test."""

    @(schema if username in COVERAGE_ROLES else schema_without_coverage).parametrize()
    @settings(
        max_examples=EXAMPLES_PER_OPERATION.get(username, DEFAULT_EXAMPLES),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def test(case, world, server_log):
        # A token per case: a generated logout or revocation (/api/auth/tokens/) ends only its own.
        # It is deleted after its case: knox reads every token of the user on each request, and
        # thousands of spent ones made each request slower than the last.
        instance, token = AuthToken.objects.create(user=world.users[username])
        try:
            case.call_and_validate(
                # Uncompressed: the WSGI transport does not undo gzip (compression has its own test).
                headers={"Authorization": f"Token {token}", "Accept-Encoding": "identity"},
                checks=[not_a_server_error, response_schema_conformance],
            )
        finally:
            AuthToken.objects.filter(pk=instance.pk).delete()
        logged = [server_log.format(record) for record in server_log.records]
        assert not logged, logged

    return test


test_api_as_an_inspector = fuzz_as("inspector_a")
test_api_as_a_community_head = fuzz_as("head_a")
test_api_as_a_district_officer = fuzz_as("officer_a")
test_api_as_a_city_officer = fuzz_as("city_officer")
