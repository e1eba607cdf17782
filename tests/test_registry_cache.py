"""The registry API keeps a page until the registry changes, per user and per day (patrols.registry_cache)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from patrols.models import Establishment
from patrols.registry_cache import AREA_GENERATION_KEY, GENERATION_KEY, registry_changed
from patrols.services import records
from tests.factories import EstablishmentFactory
from tests.test_import import workbook
from tests.test_query_counts import post_visit

pytestmark = pytest.mark.django_db

URL = "/api/establishments/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_a_page_asked_for_again_is_answered_without_reading_the_database(
    api, district_officer_a, shop_a, shop_b, django_assert_num_queries
):
    api.force_authenticate(district_officer_a)
    first = api.get(URL)
    with django_assert_num_queries(0):
        again = api.get(URL)
    assert again.json() == first.json()
    assert names(again) == ["张记面馆", "百姓大药房"]
    # Another page, filter or ordering is another entry.
    assert names(api.get(URL + "?q=面馆")) == ["张记面馆"]
    assert [row["name"] for row in api.get(URL + "?ordering=-name").json()["results"]] == [
        "百姓大药房",
        "张记面馆",
    ]


def test_an_edit_through_the_api_shows_on_the_next_page(api, inspector_a, shop_a):
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    response = api.patch(f"{URL}{shop_a.pk}/", {"name": "张记面馆（新店）"}, format="json")
    assert response.status_code == 200, response.content
    assert names(api.get(URL)) == ["张记面馆（新店）"]


def test_a_recorded_visit_shows_its_date_on_the_next_page(api, inspector_a, partner_a, shop_a):
    api.force_authenticate(inspector_a)
    before = api.get(URL).json()["results"][0]
    patrol, _created = records.patrol_start(user=inspector_a, team=[partner_a])
    assert post_visit(api, patrol, shop_a, []).status_code == 201
    after = api.get(URL).json()["results"][0]
    shop_a.refresh_from_db()
    assert before["last_visited_on"] != after["last_visited_on"] == shop_a.last_visited_on.isoformat()
    assert after["next_visit_due"] == shop_a.next_visit_due.isoformat() != before["next_visit_due"]


def test_an_imported_workbook_shows_on_the_next_page(client, api, inspector_a, shop_a):
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    client.force_login(inspector_a)
    upload = workbook([["百姓大药房", "文三路2号", "YP2002", "330101001", "药品零售", "B", "", None]])
    assert client.post("/establishments/import/", {"file": upload}).status_code == 302
    assert names(api.get(URL)) == ["张记面馆", "百姓大药房"]


def test_a_user_of_another_community_never_gets_anothers_page(api, inspector_a, inspector_b, shop_a, shop_b):
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    api.force_authenticate(inspector_b)
    assert names(api.get(URL)) == ["百姓大药房"]
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]


def test_a_user_moved_to_another_community_sees_its_establishments(
    api, inspector_a, community_b, shop_a, shop_b
):
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    inspector_a.org_unit = community_b
    inspector_a.save()
    assert names(api.get(URL)) == ["百姓大药房"]


def test_visit_states_are_judged_again_the_next_day(api, inspector_a, shop_a, clock):
    api.force_authenticate(inspector_a)
    due = shop_a.next_visit_due
    clock.set(dt.datetime.combine(due, dt.time(12), SHANGHAI))
    assert api.get(URL).json()["results"][0]["visit_state"] == "due"
    clock.set(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), SHANGHAI))
    assert api.get(URL).json()["results"][0]["visit_state"] == "overdue"


def test_a_bulk_change_shows_once_registry_changed_is_called(api, inspector_a, shop_a):
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    Establishment.objects.filter(pk=shop_a.pk).update(name="张记面馆（批量改名）")
    assert names(api.get(URL)) == ["张记面馆"]  # update() sends no signal: the page is still kept
    registry_changed()
    assert names(api.get(URL)) == ["张记面馆（批量改名）"]


@pytest.mark.parametrize("lost", [GENERATION_KEY, AREA_GENERATION_KEY.format(path="/3300/330101/330101001/")])
def test_pages_kept_before_the_cache_lost_a_generation_are_not_served(api, inspector_a, shop_a, lost):
    assert inspector_a.org_unit.path == "/3300/330101/330101001/"
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    Establishment.objects.filter(pk=shop_a.pk).update(name="张记面馆（新名）")
    cache.delete(lost)  # as after an eviction or a cache restart
    assert names(api.get(URL)) == ["张记面馆（新名）"]


def test_a_visit_in_one_community_leaves_what_another_community_keeps(
    api, inspector_a, partner_a, inspector_b, district_officer_a, shop_a, shop_b, django_assert_num_queries
):
    for user in (inspector_a, inspector_b, district_officer_a):
        api.force_authenticate(user)
        api.get(URL)
    patrol, _created = records.patrol_start(user=inspector_a, team=[partner_a])
    records.visit_record(user=inspector_a, patrol=patrol, establishment=shop_a, result="compliant")
    shop_a.refresh_from_db()
    api.force_authenticate(inspector_b)
    with django_assert_num_queries(0):
        assert names(api.get(URL)) == ["百姓大药房"]
    # The community visited, and the district above it, read their registry again.
    for user in (inspector_a, district_officer_a):
        api.force_authenticate(user)
        rows = {row["name"]: row for row in api.get(URL).json()["results"]}
        assert rows["张记面馆"]["last_visited_on"] == shop_a.last_visited_on.isoformat()


def test_an_establishment_moved_to_another_community_leaves_the_first_ones_list(
    api, inspector_a, inspector_b, shop_a, shop_b, community_b
):
    for user, listed in ((inspector_a, ["张记面馆"]), (inspector_b, ["百姓大药房"])):
        api.force_authenticate(user)
        assert names(api.get(URL)) == listed
    shop_a.community = community_b
    shop_a.save()
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == []
    api.force_authenticate(inspector_b)
    assert names(api.get(URL)) == ["张记面馆", "百姓大药房"]


def test_a_new_establishment_in_another_community_of_the_district_shows_to_its_officer(
    api, district_officer_a, shop_a, community_b
):
    api.force_authenticate(district_officer_a)
    assert names(api.get(URL)) == ["张记面馆"]
    EstablishmentFactory(community=community_b, name="百姓大药房")
    assert names(api.get(URL)) == ["张记面馆", "百姓大药房"]


def due_on_home(client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    return re.findall(r'class="title" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_the_inspectors_home_lists_what_falls_due_as_the_registry_changes(
    client, inspector_a, partner_a, community_a, shop_a
):
    client.force_login(inspector_a)
    assert due_on_home(client) == ["张记面馆"]  # never visited: overdue
    EstablishmentFactory(community=community_a, name="百姓大药房", last_visited_on=None)
    assert sorted(due_on_home(client)) == ["张记面馆", "百姓大药房"]
    patrol, _created = records.patrol_start(user=inspector_a, team=[partner_a])
    records.visit_record(user=inspector_a, patrol=patrol, establishment=shop_a, result="compliant")
    assert due_on_home(client) == ["百姓大药房"]


def test_the_inspectors_home_names_a_renamed_community(client, inspector_a, community_a, shop_a):
    client.force_login(inspector_a)
    assert "翠苑新村" not in client.get("/").content.decode()
    community_a.name = "翠苑新村"
    community_a.save()
    page = client.get("/").content.decode()
    assert page.count("翠苑新村") >= 2  # the page's heading and the due establishment's line


def test_the_inspectors_home_lists_what_is_due_in_the_language_chosen(client, inspector_a, shop_a, settings):
    client.force_login(inspector_a)
    assert "逾期" in client.get("/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/").content.decode()
    assert due_on_home(client) == ["张记面馆"]
    assert "Overdue" in page and "逾期" not in page


def test_without_a_shared_cache_every_page_is_read_from_the_database(api, inspector_a, shop_a, settings):
    settings.REGISTRY_CACHE = False
    api.force_authenticate(inspector_a)
    assert names(api.get(URL)) == ["张记面馆"]
    Establishment.objects.filter(pk=shop_a.pk).update(name="张记面馆（批量改名）")  # no signal
    assert names(api.get(URL)) == ["张记面馆（批量改名）"]
