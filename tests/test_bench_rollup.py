"""The bench's roll-up floor (bench/rollup.py) is an independent SQL count that agrees with the product.

It runs on PostgreSQL only: the floor is one PostgreSQL statement (FILTER, make_interval, jsonb).
"""

from __future__ import annotations

import pytest
from django.db import connection

from bench.rollup import floor_rollup, product_rollup
from tests.test_one_truth import NOW, OCTOBER, month  # noqa: F401 (the fixture, shared)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is a PostgreSQL statement"),
]


def test_the_floor_counts_what_the_product_counts_in_a_month_with_drafts_late_entries_and_a_new_community(
    month,  # noqa: F811 (the fixture imported above)
    city,
):
    on = NOW.date()
    floor = floor_rollup(city, OCTOBER, on)
    product = product_rollup(city, OCTOBER, on)
    assert set(floor) == set(product) and len(product) == 4
    for pk, figures in product.items():
        assert floor[pk] == figures, pk

    # Not an agreement on nothing: the month has counted work and a draft that must not count.
    def city(key: str) -> int:
        return sum(figures[key] for figures in product.values())

    assert city("visits") == 11
    # ... and every kind of work of issue #22 that the month holds: a night and a joint check,
    # rapid tests at visits (the room's are the district's), training hours and a drill.
    assert (
        city("night_checks"),
        city("joint_checks"),
        city("rapid_tests"),
        city("rapid_tests_positive"),
    ) == (
        1,
        1,
        3,
        1,
    )
    assert city("training_hours") > 0 and city("drills") == 1
    assert month["n"].pk in product and product[month["n"].pk]["days"] == 17
