"""Activity articles (信息稿件, §6): due the day after the activity ends, scoped, forwarded to the city."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Role
from reporting.models import Article
from reporting.services import article_forward, article_submit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ENDED = dt.date(2026, 10, 7)


@contextmanager
def clock_at(moment: dt.datetime):
    """The wall clock is outside the system: set it, leave our database and pages alone."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def liaison_a(district_a):
    return UserFactory(
        username="liaison_a", role=Role.DISTRICT_LIAISON, org_unit=district_a, certificate_no=""
    )


@pytest.fixture
def article_a(info_officer_a):
    with clock_at(at(2026, 10, 8, 9)):
        return article_submit(
            user=info_officer_a,
            title="翠苑社区食品安全宣传周",
            activity_ended_on=ENDED,
            body="发放宣传册500份。",
        )


def new_article(client, **data) -> object:
    fields = {"title": "药品安全知识讲座", "activity_ended_on": "2026-10-07", "body": "居民80人参加。"}
    return client.post(reverse("reporting:article_new"), {**fields, **data})


# The deadline, exactly at its boundary


def test_article_filed_at_the_last_second_of_the_next_day_is_on_time(client, info_officer_a):
    client.force_login(info_officer_a)
    with clock_at(at(2026, 10, 8, 23, 59, 59)):
        response = new_article(client)
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:article", args=[article.pk])
    assert article.late is False
    assert (article.community, article.author) == (info_officer_a.org_unit, info_officer_a)
    assert article.submitted_at == at(2026, 10, 8, 23, 59, 59)


def test_article_filed_at_midnight_two_days_after_is_late(client, info_officer_a):
    client.force_login(info_officer_a)
    with clock_at(at(2026, 10, 9, 0, 0, 0)):
        response = new_article(client)
    assert response.status_code == 302
    assert Article.objects.get().late is True


def test_deadline_is_the_end_of_the_day_after_in_shanghai(article_a):
    assert article_a.deadline == at(2026, 10, 9)


def test_late_article_page_says_so(client, info_officer_a):
    client.force_login(info_officer_a)
    with clock_at(at(2026, 10, 12, 10)):
        response = new_article(client, title="迟交的稿件")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["article"].late is True
    assert page.context["due_on"] == dt.date(2026, 10, 8)


# The form


def test_bad_input_shows_errors_and_keeps_what_was_typed(client, info_officer_a):
    client.force_login(info_officer_a)
    response = new_article(client, title="", body="这段文字不能丢")
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert "这段文字不能丢" in response.content.decode()
    assert not Article.objects.exists()


def test_activity_ending_in_the_future_is_refused_on_its_field(client, info_officer_a):
    client.force_login(info_officer_a)
    with clock_at(at(2026, 10, 6, 12)):
        response = new_article(client)
    assert response.status_code == 200
    assert "activity_ended_on" in response.context["form"].errors
    assert not Article.objects.exists()


def test_form_states_the_due_rule(client, head_a):
    client.force_login(head_a)
    response = client.get(reverse("reporting:article_new"))
    assert response.status_code == 200
    assert response.context["due_rule"]


def test_volunteer_cannot_write_and_sees_no_articles(client, volunteer_a, article_a):
    client.force_login(volunteer_a)
    assert client.get(reverse("reporting:article_new")).status_code == 403
    assert new_article(client).status_code == 403
    assert client.get(reverse("reporting:article", args=[article_a.pk])).status_code == 404
    assert client.get(reverse("reporting:article_list")).status_code == 403
    assert Article.objects.count() == 1


def test_district_officer_cannot_write_an_article(client, district_officer_a):
    client.force_login(district_officer_a)
    assert client.get(reverse("reporting:article_new")).status_code == 403
    with pytest.raises(PermissionDenied):
        article_submit(user=district_officer_a, title="x", activity_ended_on=ENDED, body="y")


# The list


def test_list_offers_writing_to_community_staff_only(client, inspector_a, district_officer_a):
    client.force_login(inspector_a)
    assert client.get(reverse("reporting:article_list")).context["can_write"] is True
    client.force_login(district_officer_a)
    assert client.get(reverse("reporting:article_list")).context["can_write"] is False


def test_list_filters_by_month_and_community_and_flags_late(
    client, district_officer_a, info_officer_a, community_b, article_a
):
    writer_b = UserFactory(role=Role.INFO_OFFICER, org_unit=community_b, certificate_no="")
    with clock_at(at(2026, 9, 20, 9)):
        september_b = article_submit(
            user=writer_b, title="九月活动", activity_ended_on=dt.date(2026, 9, 10), body="..."
        )
    client.force_login(district_officer_a)
    url = reverse("reporting:article_list")

    everything = client.get(url)
    assert {a.pk for a in everything.context["page"]} == {article_a.pk, september_b.pk}
    assert [c.pk for c in everything.context["communities"]] == [info_officer_a.org_unit_id, community_b.pk]
    october = client.get(url, {"month": "2026-10"})
    assert [a.pk for a in october.context["page"]] == [article_a.pk]
    of_b = client.get(url, {"community": community_b.pk})
    assert [a.pk for a in of_b.context["page"]] == [september_b.pk]
    late = client.get(url, {"late": "1"})
    assert [a.pk for a in late.context["page"]] == [september_b.pk]
    assert september_b.late and 'class="badge overdue"' in late.content.decode()


def test_list_shows_only_the_users_own_community(client, inspector_b, article_a):
    client.force_login(inspector_b)
    response = client.get(reverse("reporting:article_list"))
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert response.context["communities"] == []


# Scoping


def test_other_community_gets_404_on_page_and_api(client, api, inspector_b, article_a):
    client.force_login(inspector_b)
    assert client.get(reverse("reporting:article", args=[article_a.pk])).status_code == 404
    api.force_authenticate(inspector_b)
    assert api.get(f"/api/articles/{article_a.pk}/").status_code == 404


def test_other_district_gets_404(client, district_officer_c, article_a):
    client.force_login(district_officer_c)
    assert client.get(reverse("reporting:article", args=[article_a.pk])).status_code == 404
    assert client.post(reverse("reporting:article_forward", args=[article_a.pk])).status_code == 404
    assert Article.objects.get().forwarded_at is None


# Forwarding to the city


def test_district_officer_of_its_district_forwards_to_the_city(client, district_officer_a, article_a):
    client.force_login(district_officer_a)
    page = client.get(reverse("reporting:article", args=[article_a.pk]))
    assert page.context["can_forward"] is True
    response = client.post(reverse("reporting:article_forward", args=[article_a.pk]))
    assert response.status_code == 302
    article_a.refresh_from_db()
    assert article_a.forwarded_at is not None and article_a.forwarded_by == district_officer_a
    again = client.get(reverse("reporting:article", args=[article_a.pk]))
    assert again.context["can_forward"] is False


def test_liaison_forwards_and_a_second_forward_is_refused(client, liaison_a, article_a):
    article_forward(user=liaison_a, article=article_a)
    first = Article.objects.get().forwarded_at
    client.force_login(liaison_a)
    response = client.post(reverse("reporting:article_forward", args=[article_a.pk]), follow=True)
    assert response.status_code == 200
    assert Article.objects.get().forwarded_at == first


@pytest.mark.parametrize("who", ["head_a", "info_officer_a", "city_officer"])
def test_only_the_district_forwards(client, request, who, article_a):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("reporting:article", args=[article_a.pk]))
    assert page.status_code == 200 and page.context["can_forward"] is False
    assert client.post(reverse("reporting:article_forward", args=[article_a.pk])).status_code == 403
    assert Article.objects.get().forwarded_at is None


# The API


def test_api_creates_an_article_and_flags_it_late(api, info_officer_a):
    api.force_authenticate(info_officer_a)
    with clock_at(at(2026, 10, 9, 0, 0, 0)):
        response = api.post(
            "/api/articles/",
            {"title": "稿件", "activity_ended_on": "2026-10-07", "body": "正文"},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["late"] is True
    assert Article.objects.get().late is True


def test_api_refuses_a_future_activity_with_a_message(api, info_officer_a):
    api.force_authenticate(info_officer_a)
    with clock_at(at(2026, 10, 6, 12)):
        response = api.post(
            "/api/articles/",
            {"title": "稿件", "activity_ended_on": "2026-10-07", "body": "正文"},
            format="json",
        )
    assert response.status_code == 400
    assert response.json()["activity_ended_on"]
    assert not Article.objects.exists()


def test_api_list_is_scoped_and_filters_by_month(api, district_officer_a, district_officer_c, article_a):
    api.force_authenticate(district_officer_a)
    assert [row["id"] for row in api.get("/api/articles/").json()["results"]] == [article_a.pk]
    assert api.get("/api/articles/", {"month": "2026-09"}).json()["results"] == []
    assert api.get("/api/articles/", {"month": "10/2026"}).status_code == 400
    api.force_authenticate(district_officer_c)
    assert api.get("/api/articles/").json()["results"] == []


def test_api_forward_by_the_right_district_only(
    api, district_officer_a, district_officer_c, head_a, article_a
):
    url = f"/api/articles/{article_a.pk}/forward/"
    api.force_authenticate(district_officer_c)
    assert api.post(url).status_code == 404
    api.force_authenticate(head_a)
    assert api.post(url).status_code == 403
    assert Article.objects.get().forwarded_at is None
    api.force_authenticate(district_officer_a)
    response = api.post(url)
    assert response.status_code == 200 and response.json()["forwarded_at"]
    assert api.post(url).status_code == 400


@pytest.mark.parametrize("url", [reverse("reporting:article_list"), "/api/articles/"])
def test_lists_cost_the_same_for_few_and_many_articles(client, district_officer_a, info_officer_a, url):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(district_officer_a)
    article_forward(user=district_officer_a, article=make_articles(info_officer_a, 1)[0])
    few = count()
    for article in make_articles(info_officer_a, 25):
        article_forward(user=district_officer_a, article=article)
    assert count() == few


def make_articles(author, count: int) -> list[Article]:
    return [
        Article.objects.create(
            community=author.org_unit, title=f"稿件{n}", activity_ended_on=ENDED, body="正文", author=author
        )
        for n in range(count)
    ]
