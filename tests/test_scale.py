"""The pages the benchmark measures cost the same number of queries for a small city and a larger one,
and `seed_scale` builds the city it is asked for."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgs.models import OrgUnit, Role, User
from orgs.views import DUE_LIST_LENGTH
from patrols.models import Establishment, Finding, Patrol, PatrolMember, Visit
from patrols.services.records import patrol_start, patrol_submit, visit_record
from reporting import periods
from reporting.models import MonthlyReport
from tests.factories import CommunityFactory, DistrictFactory, EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def count_queries(fetch, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == status, response.content[:500]
    return len(ctx.captured_queries)


def last_month_day() -> dt.date:
    return periods.previous_period(timezone.localdate()) + dt.timedelta(days=9)


def patrol_with_visits(
    community: OrgUnit, shops: int, inspectors: list[User] | None = None, *, day: dt.date | None = None
) -> Patrol:
    """A patrol of last month in `community` that visited `shops` new establishments, logged and
    submitted on that day (later, last month's report would be locked); one record per day."""
    inspectors = inspectors or UserFactory.create_batch(2, role=Role.INSPECTOR, org_unit=community)
    day = day or last_month_day()
    that_day = dt.datetime.combine(day, dt.time(10), tzinfo=periods.local_zone())
    with mock.patch("django.utils.timezone.now", return_value=that_day):
        patrol, _ = patrol_start(user=inspectors[0], team=inspectors[1:], date=day)
        for shop in EstablishmentFactory.create_batch(shops, community=community, registered_on=day):
            visit_record(user=inspectors[0], patrol=patrol, establishment=shop, result="compliant")
        patrol_submit(user=inspectors[0], patrol=patrol)
    return patrol


def communities_with_records(district: OrgUnit, count: int) -> None:
    for _ in range(count):
        patrol_with_visits(CommunityFactory(parent=district), shops=3)


def test_inspector_home_costs_the_same_for_few_and_many_records(client, community_a, inspector_a, partner_a):
    client.force_login(inspector_a)
    patrol_with_visits(community_a, shops=2, inspectors=[inspector_a, partner_a])
    EstablishmentFactory(community=community_a, last_visited_on=None)  # never visited: overdue
    few = count_queries(lambda: client.get(reverse("home")))
    for n in range(1, 4):
        day = last_month_day() + dt.timedelta(days=n)
        patrol_with_visits(community_a, shops=20, inspectors=[inspector_a, partner_a], day=day)
    EstablishmentFactory.create_batch(12, community=community_a, last_visited_on=None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))
    assert response.content.decode().count('class="title"') == DUE_LIST_LENGTH  # a full list of due shops
    assert len(many.captured_queries) == few
    assert count_queries(lambda: client.get(reverse("home"))) == few


def test_district_dashboard_costs_the_same_for_2_and_8_communities(client, district_a, district_officer_a):
    client.force_login(district_officer_a)
    communities_with_records(district_a, 2)
    few = count_queries(lambda: client.get(reverse("reporting:dashboard")))
    communities_with_records(district_a, 6)
    assert count_queries(lambda: client.get(reverse("reporting:dashboard"))) == few


def test_city_dashboard_costs_the_same_for_1_and_4_districts(client, city, district_a, city_officer):
    client.force_login(city_officer)
    communities_with_records(district_a, 1)
    few = count_queries(lambda: client.get(reverse("reporting:dashboard")))
    for _ in range(3):
        communities_with_records(DistrictFactory(parent=city), 2)
    assert count_queries(lambda: client.get(reverse("reporting:dashboard"))) == few


def test_establishment_api_costs_the_same_for_an_inspector_with_3_and_60_establishments(
    api, community_a, inspector_a
):
    api.force_authenticate(inspector_a)
    EstablishmentFactory.create_batch(3, community=community_a)
    few = count_queries(lambda: api.get("/api/establishments/"))
    EstablishmentFactory.create_batch(57, community=community_a)
    assert count_queries(lambda: api.get("/api/establishments/")) == few


def test_posting_a_visit_costs_the_same_on_a_short_and_a_long_patrol(
    api, community_a, inspector_a, partner_a
):
    api.force_authenticate(inspector_a)
    patrol, _ = patrol_start(user=inspector_a, team=[partner_a])
    shops = EstablishmentFactory.create_batch(2, community=community_a)

    def post(shop: Establishment):
        body = {"client_id": str(uuid.uuid4()), "patrol": str(patrol.client_id), "establishment": shop.pk}
        return lambda: api.post("/api/visits/", {**body, "result": "compliant"}, format="json")

    few = count_queries(post(shops[0]), status=201)
    for shop in EstablishmentFactory.create_batch(30, community=community_a):
        visit_record(user=inspector_a, patrol=patrol, establishment=shop, result="compliant")
    assert count_queries(post(shops[1]), status=201) == few
    assert Visit.objects.filter(patrol=patrol).count() == 32


def seed_scale(**options) -> str:
    out = io.StringIO()
    sizes = {"districts": 1, "communities": 2, "inspectors": 2, "establishments": 6, "days": 70, "visits": 2}
    call_command("seed_scale", force=True, stdout=out, **(sizes | options))
    return out.getvalue()


def test_seed_scale_builds_years_of_history():
    """--years 3 builds three years of daily records up to yesterday (the bench's history)."""
    seed_scale(years=3, communities=1, visits=1)

    dates = Patrol.objects.aggregate(first=Min("date"), last=Max("date"))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert dates["last"] == yesterday
    first_day = yesterday - dt.timedelta(days=3 * 365 - 1)
    assert first_day <= dates["first"] <= first_day + dt.timedelta(days=7)  # a few days are skipped
    assert MonthlyReport.objects.filter(period__lt=dates["first"] + dt.timedelta(days=62)).exists()


def test_seed_scale_builds_a_tiny_city_with_consistent_counts():
    output = seed_scale()
    assert "scale12345" in output
    assert OrgUnit.objects.communities().count() == 2
    assert User.objects.filter(role=Role.INSPECTOR).count() == 4
    assert Establishment.objects.count() == 12
    patrols = Patrol.objects.count()
    # One patrol a day per community, a few days skipped on purpose.
    assert 2 * 70 * 0.9 <= patrols <= 2 * 70
    assert PatrolMember.objects.count() == 2 * patrols
    assert Visit.objects.count() == 2 * patrols
    assert Finding.objects.filter(visit__isnull=True).count() == 0
    # Every establishment visited carries its last visit and next due date.
    visited = Establishment.objects.filter(visits__isnull=False).distinct()
    assert visited.exists()
    for shop in visited:
        last = shop.visits.order_by("-patrol__date").values_list("patrol__date", flat=True).first()
        assert shop.last_visited_on == last
        assert shop.next_visit_due == shop.compute_next_visit_due()
    # A few lately registered establishments per community wait for their first visit,
    # due from two weeks ago to a week from now: the inspectors' home pages list them.
    today = timezone.localdate()
    awaiting = Establishment.objects.open().filter(last_visited_on__isnull=True)
    assert sorted(awaiting.values_list("community__code", flat=True)) == sorted(
        OrgUnit.objects.communities().values_list("code", flat=True)
    )
    for shop in awaiting:
        assert not shop.visits.exists()
        assert today - dt.timedelta(days=17) <= shop.next_visit_due <= today + dt.timedelta(days=7)
    # The month before last is complete and past its deadlines: its reports are frozen.
    assert MonthlyReport.objects.filter(figures__has_key="visits").exists()


def test_seed_scale_refuses_a_database_that_already_holds_a_city():
    seed_scale()
    with pytest.raises(CommandError, match="--flush"):
        seed_scale()


def test_the_bench_posts_visits_in_other_communities_than_those_whose_home_pages_it_measures():
    """Its visits would otherwise clear the due lists that the next run measures."""
    from bench.__main__ import people
    from orgs.management.commands.seed_scale import CITY_CODE

    seed_scale(communities=4)
    who = people(OrgUnit.objects.get(code=CITY_CODE), clients=2)

    def communities(usernames) -> set[str]:
        return set(User.objects.filter(username__in=usernames).values_list("org_unit__code", flat=True))

    home, posting = communities(who["home_inspectors"]), communities(who["posting_inspectors"])
    assert len(home) == len(posting) == 2 and not home & posting
    for state in who["posting_inspectors"].values():
        assert User.objects.get(pk=state["partner"]).org_unit.code in posting
        assert len(state["establishments"]) == 6
