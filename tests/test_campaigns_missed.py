"""Campaign days with no activity (issue 22, item 6c): once a campaign's period is over, a community that
recorded no activity for it is flagged, on its publicity page and on the district's overview."""

from __future__ import annotations

import datetime as dt
from datetime import date as D
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from publicity.models import Activity, Campaign, CampaignKind
from publicity.selectors import missed_campaigns
from publicity.services import publicity_record_add

pytestmark = pytest.mark.django_db

TODAY = D(2026, 6, 20)


@pytest.fixture
def june(clock):
    clock.set(dt.datetime(2026, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


def campaign(name: str, first: D, last: D, district=None) -> Campaign:
    return Campaign.objects.create(
        year=first.year, kind=CampaignKind.CUSTOM, name=name, starts_on=first, ends_on=last, district=district
    )


@pytest.fixture
def campaigns(district_a, district_c):
    return {
        "315": campaign("3·15消费者权益日", D(2026, 3, 15), D(2026, 3, 15)),
        "week": campaign("食品安全宣传周", D(2026, 6, 1), D(2026, 6, 7)),
        "running": campaign("安全用药月", D(2026, 6, 15), D(2026, 7, 14)),  # not over yet
        "other_district": campaign("西湖区夜市宣传", D(2026, 5, 1), D(2026, 5, 1), district=district_c),
        "last_year": campaign("12·4宪法日", D(2025, 12, 4), D(2025, 12, 4)),
    }


def activity(user, on: D, campaign: Campaign) -> None:
    publicity_record_add(
        user=user,
        record=Activity(title="咨询台", date=on, place="社区广场", attendance=50, campaign=campaign),
    )


def test_the_rule(june, campaigns, community_a, community_b, community_c, volunteer_a):
    activity(volunteer_a, D(2026, 3, 15), campaigns["315"])
    missed = missed_campaigns([community_a, community_b, community_c], today=TODAY)
    assert [c.name for c in missed[community_a.pk]] == ["食品安全宣传周"]
    assert [c.name for c in missed[community_b.pk]] == ["3·15消费者权益日", "食品安全宣传周"]
    # a district's own campaign is its communities' alone
    assert [c.name for c in missed[community_c.pk]] == [
        "3·15消费者权益日",
        "西湖区夜市宣传",
        "食品安全宣传周",
    ]


def test_the_last_day_of_a_campaign_is_not_yet_missed(campaigns, community_a):
    assert "食品安全宣传周" not in [
        c.name for c in missed_campaigns([community_a], today=D(2026, 6, 7))[community_a.pk]
    ]
    assert "食品安全宣传周" in [
        c.name for c in missed_campaigns([community_a], today=D(2026, 6, 8))[community_a.pk]
    ]


def test_a_community_opened_after_the_campaign_is_not_flagged(campaigns, community_a):
    community_a.opened_on = D(2026, 4, 1)
    community_a.save()
    names = [c.name for c in missed_campaigns([community_a], today=TODAY)[community_a.pk]]
    assert names == ["食品安全宣传周"]


def test_two_queries_for_many_communities(
    campaigns, community_a, community_b, community_c, django_assert_num_queries
):
    with django_assert_num_queries(2):
        missed_campaigns([community_a, community_b, community_c], today=TODAY)


def test_community_publicity_page_flags_it(client, june, campaigns, volunteer_a):
    activity(volunteer_a, D(2026, 6, 3), campaigns["week"])
    client.force_login(volunteer_a)
    page = client.get(reverse("publicity:home")).content.decode()
    assert "未开展活动" in page
    assert "3·15消费者权益日" in page
    assert "安全用药月" not in page  # still running


def test_district_overview_says_who_missed_which(
    client, june, campaigns, community_a, community_b, volunteer_a, district_officer_a
):
    activity(volunteer_a, D(2026, 3, 15), campaigns["315"])
    activity(volunteer_a, D(2026, 6, 3), campaigns["week"])
    client.force_login(district_officer_a)
    response = client.get(reverse("publicity:home"))
    rows = {row["community"].pk: [c.name for c in row["missed"]] for row in response.context["rows"]}
    assert rows == {community_a.pk: [], community_b.pk: ["3·15消费者权益日", "食品安全宣传周"]}
    page = response.content.decode()
    assert "无活动的宣传日" in page and "西湖区夜市宣传" not in page


def test_district_home_lists_them_too(client, june, campaigns, community_b, volunteer_a, district_officer_a):
    activity(volunteer_a, D(2026, 3, 15), campaigns["315"])
    activity(volunteer_a, D(2026, 6, 3), campaigns["week"])
    client.force_login(district_officer_a)
    response = client.get(reverse("home"))
    rows = {row["unit"].pk: [c.name for c in row["missed_campaigns"]] for row in response.context["rows"]}
    assert rows[community_b.pk] == ["3·15消费者权益日", "食品安全宣传周"]
    assert "无活动的宣传日" in response.content.decode()
