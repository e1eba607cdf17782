"""The notification centre: each user sees and opens only their own notices."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db


def send(user, title: str = "通知", *, link: str = "", urgent: bool = False) -> Notification:
    notify(recipients=[user], title=title, link=link, urgent=urgent)
    return Notification.objects.for_user(user).first()


def test_list_page_shows_only_own_notifications(client, inspector_a, inspector_b):
    send(inspector_a, "给A的通知")
    send(inspector_b, "给B的通知")
    client.force_login(inspector_a)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert "给A的通知" in page.text
    assert "给B的通知" not in page.text


def test_urgent_and_unread_are_marked(client, inspector_a):
    send(inspector_a, "紧急事故", urgent=True)
    client.force_login(inspector_a)
    page = client.get(reverse("notifications:list"))
    assert "<strong>紧急事故</strong>" in page.text
    assert '<span class="badge overdue">紧急</span>' in page.text
    assert "全部标为已读" in page.text


def test_opening_marks_read_and_follows_link(client, inspector_a, district_officer_a):
    mine = send(inspector_a, link="/incidents/")
    other = send(inspector_a, "另一条")
    client.force_login(inspector_a)
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302
    assert response.url == "/incidents/"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None


def test_opening_never_leaves_the_site(client, inspector_a):
    outside = send(inspector_a, link="https://evil.example/phish")
    client.force_login(inspector_a)
    response = client.get(reverse("notifications:open", args=[outside.pk]))
    assert response.url == reverse("notifications:list")


def test_cannot_open_another_users_notification(client, api, inspector_a, inspector_b):
    theirs = send(inspector_b, link="/incidents/")
    client.force_login(inspector_a)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    api.force_authenticate(inspector_a)
    assert api.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_own(client, inspector_a, inspector_b):
    send(inspector_a)
    send(inspector_a)
    send(inspector_b)
    client.force_login(inspector_a)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.for_user(inspector_a).unread().exists()
    assert Notification.objects.for_user(inspector_b).unread().count() == 1


def test_unread_count_in_every_page(client, inspector_a, inspector_b):
    send(inspector_a)
    send(inspector_a)
    already_read = send(inspector_a)
    notification_mark_read(user=inspector_a, ids=[already_read.pk])
    send(inspector_b)
    client.force_login(inspector_a)
    assert client.get(reverse("home")).context["unread_notifications"] == 2
    client.post(reverse("notifications:mark_all_read"))
    assert client.get(reverse("notifications:list")).context["unread_notifications"] == 0


def test_api_lists_only_own_and_marks_read(api, inspector_a, inspector_b):
    first = send(inspector_a, "一")
    second = send(inspector_a, "二")
    theirs = send(inspector_b, "B")
    api.force_authenticate(inspector_a)
    listed = api.get("/api/notifications/").json()["results"]
    assert {row["id"] for row in listed} == {first.pk, second.pk}
    marked = api.post("/api/notifications/mark-read/", {"ids": [first.pk, theirs.pk]}, format="json")
    assert marked.status_code == 200
    assert marked.json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.post("/api/notifications/mark-read/", {}, format="json").json() == {"marked": 1}
    assert not Notification.objects.for_user(inspector_a).unread().exists()


def test_anonymous_is_sent_to_login(client, api):
    assert client.get(reverse("notifications:list")).status_code == 302
    assert api.get("/api/notifications/").status_code in (401, 403)


@pytest.mark.parametrize("url", [reverse("notifications:list"), "/api/notifications/"])
def test_list_costs_the_same_for_3_and_30(client, inspector_a, url):
    client.force_login(inspector_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        send(inspector_a, urgent=True)
    few = queries()
    for _ in range(27):
        send(inspector_a)
    assert queries() == few
