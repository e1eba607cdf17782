"""List pages and endpoints cost the same number of queries for 5 rows and for 200."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("patrols:establishment_list"),
        reverse("patrols:establishment_list") + "?visit_state=overdue&q=商户",
        reverse("patrols:establishment_export"),
        "/api/establishments/",
        reverse("home"),
    ],
)
def test_establishment_list_costs_the_same_for_5_and_200_rows(
    client, district_officer_a, community_a, community_b, url
):
    client.force_login(district_officer_a)
    EstablishmentFactory.create_batch(5, community=community_a)
    few = count_queries(lambda: client.get(url))
    EstablishmentFactory.create_batch(195, community=community_b)
    many = count_queries(lambda: client.get(url))
    assert few == many
