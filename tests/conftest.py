"""Named people of every tier, as the product's own users would be.

District A has communities A and B; district C has community C.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from orgs.models import Role
from tests.demo import demo_city  # noqa: F401  (the demo city, for the modules that need a whole city)
from tests.factories import CityFactory, CommunityFactory, DistrictFactory, EstablishmentFactory, UserFactory


@pytest.fixture
def city(db):
    return CityFactory()


@pytest.fixture
def district_a(city):
    return DistrictFactory(parent=city, code="330101", name="东城区")


@pytest.fixture
def district_c(city):
    return DistrictFactory(parent=city, code="330102", name="西湖区")


@pytest.fixture
def community_a(district_a):
    return CommunityFactory(parent=district_a, code="330101001", name="翠苑社区")


@pytest.fixture
def community_b(district_a):
    return CommunityFactory(parent=district_a, code="330101002", name="文新社区")


@pytest.fixture
def community_c(district_c):
    return CommunityFactory(parent=district_c, code="330102001", name="北山社区")


@pytest.fixture
def inspector_a(community_a):
    return UserFactory(username="inspector_a", role=Role.INSPECTOR, org_unit=community_a)


@pytest.fixture
def inspector_b(community_b):
    return UserFactory(username="inspector_b", role=Role.INSPECTOR, org_unit=community_b)


@pytest.fixture
def partner_a(community_a):
    """The second inspector of community A's patrol team."""
    return UserFactory(username="partner_a", role=Role.INSPECTOR, org_unit=community_a)


@pytest.fixture
def head_a(community_a):
    return UserFactory(username="head_a", role=Role.COMMUNITY_HEAD, org_unit=community_a, certificate_no="")


@pytest.fixture
def leader_a(community_a):
    return UserFactory(
        username="leader_a", role=Role.SUPERVISING_LEADER, org_unit=community_a, certificate_no=""
    )


@pytest.fixture
def info_officer_a(community_a):
    return UserFactory(username="info_a", role=Role.INFO_OFFICER, org_unit=community_a, certificate_no="")


@pytest.fixture
def volunteer_a(community_a):
    return UserFactory(username="volunteer_a", role=Role.VOLUNTEER, org_unit=community_a, certificate_no="")


@pytest.fixture
def district_officer_a(district_a):
    return UserFactory(
        username="officer_a", role=Role.DISTRICT_OFFICER, org_unit=district_a, certificate_no=""
    )


@pytest.fixture
def district_officer_c(district_c):
    return UserFactory(
        username="officer_c", role=Role.DISTRICT_OFFICER, org_unit=district_c, certificate_no=""
    )


@pytest.fixture
def city_officer(city):
    return UserFactory(username="city_officer", role=Role.CITY_OFFICER, org_unit=city, certificate_no="")


@pytest.fixture
def shop_a(community_a):
    return EstablishmentFactory(community=community_a, name="张记面馆")


@pytest.fixture
def shop_b(community_b):
    return EstablishmentFactory(community=community_b, name="百姓大药房")


@pytest.fixture
def shop_c(community_c):
    return EstablishmentFactory(community=community_c, name="阳光幼儿园食堂")


@pytest.fixture
def api():
    return APIClient()


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return f"database: {engine}, celery eager: {settings.CELERY_TASK_ALWAYS_EAGER}"


@pytest.fixture
def clock():
    """The wall clock, set by the test: `clock.set(aware_datetime)`; real time until then.

    Deadlines are about the time of day in Asia/Shanghai, so tests put the
    clock where they need it instead of depending on when they run.
    """
    import datetime as dt
    from unittest import mock

    class Clock:
        now: dt.datetime | None = None

        def set(self, moment: dt.datetime) -> None:
            self.now = moment

    the_clock = Clock()
    with mock.patch(
        "django.utils.timezone.now", side_effect=lambda: the_clock.now or dt.datetime.now(dt.UTC)
    ):
        yield the_clock


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Tasks run in the test's own process, except in tests marked `worker` that drive a real one."""
    from config.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    # The settings came in under the CELERY_ namespace, and that is the key Celery reads.
    eager = app.conf.CELERY_TASK_ALWAYS_EAGER
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = eager


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the dashboards keep closed months' trend values there."""
    from django.core.cache import cache

    cache.clear()
    yield
