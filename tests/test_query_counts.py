"""List pages and endpoints cost the same number of queries for 5 rows and for 200."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patrols.models import Category, ChecklistTemplate, Finding, Patrol, Visit
from patrols.services import records
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


# The API's two busiest requests, pinned. The API client is authenticated directly, so
# the counts are the endpoints' own, without the session's and the user's lookups.


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("", 2),  # the count and the page
        ("?q=商户&visit_state=overdue&ordering=-next_visit_due", 2),
        ("?community={community}", 3),  # and the community asked for, within the user's area
    ],
)
def test_establishment_api_page_costs_the_same_for_10_and_60_establishments(
    api, district_officer_a, community_b, django_assert_num_queries, query, queries
):
    api.force_authenticate(district_officer_a)
    url = "/api/establishments/" + query.format(community=community_b.pk)
    EstablishmentFactory.create_batch(10, community=community_b, last_visited_on=None)
    with django_assert_num_queries(queries):
        few = api.get(url)
    EstablishmentFactory.create_batch(50, community=community_b, last_visited_on=None)
    with django_assert_num_queries(queries):
        many = api.get(url)
    assert (few.json()["count"], many.json()["count"]) == (10, 60)
    assert len(many.json()["results"]) == 50


@pytest.fixture
def twelve_checks(district_a):
    """District A's own checklist for food retail, longer than the city's."""
    items = [f"检查项{n}" for n in range(1, 13)]
    ChecklistTemplate.objects.create(district=district_a, category=Category.FOOD_RETAIL, items=items)
    return items


def post_visit(api, patrol: Patrol, shop, checks: list[str], **extra):
    body = {
        "client_id": str(uuid.uuid4()),
        "patrol": str(patrol.client_id),
        "establishment": shop.pk,
        "result": "compliant",
        "checklist": [{"item": item, "ok": True} for item in checks],
        **extra,
    }
    return api.post("/api/visits/", body, format="json")


# Within the test's transaction: a savepoint and its release, the patrol and the establishment
# asked for, the checklist, the visit, the establishment's next due date, and a history row each;
# then the answer reads the visit's findings and photos back.
VISIT_QUERIES = 11


def test_recording_a_visit_costs_the_same_for_3_and_12_checklist_items(
    api, inspector_a, partner_a, community_a, twelve_checks, django_assert_num_queries
):
    patrol, _created = records.patrol_start(user=inspector_a, team=[partner_a])
    short, long = EstablishmentFactory.create_batch(2, community=community_a, last_visited_on=None)
    api.force_authenticate(inspector_a)
    with django_assert_num_queries(VISIT_QUERIES):
        assert post_visit(api, patrol, short, twelve_checks[:3]).status_code == 201
    with django_assert_num_queries(VISIT_QUERIES):
        assert post_visit(api, patrol, long, twelve_checks).status_code == 201
    assert [len(v.checklist) for v in Visit.objects.order_by("pk")] == [3, 12]


def test_recording_a_visit_costs_the_same_for_1_and_3_findings(
    api, inspector_a, partner_a, community_a, twelve_checks, django_assert_num_queries
):
    patrol, _created = records.patrol_start(user=inspector_a, team=[partner_a])
    one, three = EstablishmentFactory.create_batch(2, community=community_a, last_visited_on=None)
    risk = {"kind": "safety_risk", "category": "storage", "description": "冷藏柜温度偏高"}
    api.force_authenticate(inspector_a)
    # The findings and their history rows, the district's rectification rules and the risks'
    # "opened" steps, whatever their number.
    with django_assert_num_queries(VISIT_QUERIES + 4):
        first = post_visit(api, patrol, one, twelve_checks, result="issues", finding_items=[risk])
    with django_assert_num_queries(VISIT_QUERIES + 4):
        second = post_visit(api, patrol, three, twelve_checks, result="issues", finding_items=[risk] * 3)
    assert (first.status_code, second.status_code) == (201, 201)
    assert len(second.json()["findings_recorded"]) == 3
    assert Finding.objects.count() == Finding.history.count() == 4
