"""The bench's busiest hour (bench/hour.py) sends what a real morning sends, and the product takes it.

A tiny scale city is served by the test server; the bench gives every person a session, starts
each community's record, and sends a short step of every kind of request: none may fail, each
goes out as a person of the right role, and every visit posted is stored once.
"""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from bench import hour
from orgs.models import OrgUnit, OrgUnitKind
from patrols.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scale_city(transactional_db) -> OrgUnit:
    sizes = {"districts": 2, "communities": 2, "inspectors": 3, "establishments": 20, "days": 3, "visits": 1}
    call_command("seed_scale", force=True, stdout=open("/dev/null", "w"), **sizes)  # noqa: SIM115
    return OrgUnit.objects.get(kind=OrgUnitKind.CITY)


def test_a_step_of_the_hour_is_every_kind_of_request_of_the_right_people_and_none_fails(
    live_server, scale_city
):
    random.seed(24)
    load = hour.prepare(scale_city, live_server.url, lambda message: None, threads=1)
    assert {role: len(people) for role, people in load.users.items()} == {
        "inspector": 12,
        "head": 4,
        "district": 2,
        "city": 1,
    }
    assert len(load.communities) == 4
    before = Visit.objects.count()

    step = hour.run_step(load, factor=1, seconds=4, threads=1, minimum=3)

    for name, kind in step["kinds"].items():
        assert kind["requests"] > 0, name
        assert kind["errors"] == 0, (name, kind.get("first_error"))
        assert kind["p50_ms"] <= kind["p95_ms"] <= kind["p99_ms"]
    assert Visit.objects.count() - before == step["kinds"]["visit_post"]["requests"]
    # Posted visits took their shops off the list the next ones are drawn from.
    visited = set(
        Visit.objects.filter(patrol__date=Visit.objects.latest("pk").patrol.date).values_list(
            "establishment_id", flat=True
        )
    )
    left = {shop for community in load.communities.values() for shop, _ in community.shops}
    assert visited and not visited & left


def test_the_model_sizes_the_hour_from_the_people_of_each_role(live_server, scale_city):
    load = hour.prepare(scale_city, live_server.url, lambda message: None, threads=1)
    table = {row["kind"]: row for row in hour.model_table(load)}

    # 12 inspectors × 5 visits a morning, 40 % of them in the busiest hour.
    assert table["visit_post"]["per_hour_1x"] == round(12 * 5 * 0.4)
    assert table["city_dashboard"]["people"] == 1
    rates = hour.rates(load, factor=10, minimum=0)
    assert rates["visit_post"]["modelled_per_s"] == pytest.approx(10 * 12 * 5 * 0.4 / 3600)
