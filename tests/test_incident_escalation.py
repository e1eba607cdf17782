"""Incident escalation (issue 22, item 5): the district office sends an incident up to the city, once,
stamped by the server; the city's officers are alerted at once, and the city sees every incident."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, Notification
from patrols.models import ImmutableError, Incident
from patrols.services.incidents import incident_escalate, incident_report

pytestmark = pytest.mark.django_db


def report(user, **fields) -> Incident:
    values = {
        "unit_name": "张记面馆",
        "place": "文三路12号",
        "facts": "午餐后多人腹泻呕吐，疑似食物中毒。",
        "people_affected": 12,
        "occurred_at": timezone.now() - dt.timedelta(minutes=20),
        **fields,
    }
    return incident_report(user=user, **values)


@pytest.fixture
def incident_a(inspector_a, district_officer_a) -> Incident:
    return report(inspector_a)


@pytest.fixture
def incident_c(community_c, district_officer_c) -> Incident:
    from orgs.models import Role
    from tests.factories import UserFactory

    inspector_c = UserFactory(username="inspector_c", role=Role.INSPECTOR, org_unit=community_c)
    return report(inspector_c, unit_name="北山小吃")


def test_district_escalates_and_the_city_is_alerted_urgently(
    client, incident_a, district_officer_a, city_officer
):
    city_officer.email, city_officer.notice_channels = "city@example.cn", []
    city_officer.save(update_fields=["email", "notice_channels"])
    assert not city_officer.wants_notices_by("email")
    client.force_login(district_officer_a)
    before = timezone.now()
    response = client.post(
        reverse("patrols:incident_escalate", args=[incident_a.pk]), {"note": "中毒人数超过10人，需市局协调"}
    )
    assert response.status_code == 302
    incident_a.refresh_from_db()
    assert before <= incident_a.escalated_at <= timezone.now()
    assert incident_a.escalated_by == district_officer_a
    assert incident_a.escalation_note == "中毒人数超过10人，需市局协调"
    notice = Notification.objects.get(recipient=city_officer)
    assert notice.urgent
    assert "张记面馆" in notice.title and "东城区" in notice.title
    assert "中毒人数超过10人" in notice.body
    assert notice.link == reverse("patrols:incident_detail", args=[incident_a.pk])
    # Urgent: sent on the outside channels too, whatever the officer chose to receive.
    assert Delivery.objects.filter(notification=notice, channel="email", address=city_officer.email).exists()
    page = client.get(reverse("patrols:incident_detail", args=[incident_a.pk])).content.decode()
    assert "已上报市局" in page or "中毒人数超过10人，需市局协调" in page


def test_escalating_twice_is_refused_in_chinese(client, api, incident_a, district_officer_a, city_officer):
    incident_escalate(user=district_officer_a, incident=incident_a, note="需市局协调")
    first_time = Incident.objects.get(pk=incident_a.pk).escalated_at
    with pytest.raises(ValidationError, match="已上报市局"):
        incident_escalate(user=district_officer_a, incident=incident_a, note="再报一次")
    api.force_authenticate(district_officer_a)
    response = api.post(f"/api/incidents/{incident_a.pk}/escalate/", {"note": "再报一次"}, format="json")
    assert response.status_code == 400
    assert "已上报市局" in response.content.decode()
    assert Incident.objects.get(pk=incident_a.pk).escalated_at == first_time
    assert Notification.objects.filter(recipient=city_officer).count() == 1


def test_escalation_cannot_be_undone(incident_a, district_officer_a):
    incident = incident_escalate(user=district_officer_a, incident=incident_a, note="需市局协调")
    incident.escalated_at = None
    with pytest.raises(ImmutableError):
        incident.save(update_fields=["escalated_at"])
    with pytest.raises(ImmutableError):
        incident.save()


def test_escalation_needs_a_bounded_reason(client, api, incident_a, district_officer_a):
    with pytest.raises(ValidationError):
        incident_escalate(user=district_officer_a, incident=incident_a, note="  ")
    api.force_authenticate(district_officer_a)
    url = f"/api/incidents/{incident_a.pk}/escalate/"
    assert api.post(url, {"note": "长" * 501}, format="json").status_code == 400
    assert api.post(url, {}, format="json").status_code == 400
    client.force_login(district_officer_a)
    client.post(reverse("patrols:incident_escalate", args=[incident_a.pk]), {"note": ""})
    assert Incident.objects.get(pk=incident_a.pk).escalated_at is None


def test_api_escalates(api, incident_a, district_officer_a, city_officer):
    api.force_authenticate(district_officer_a)
    response = api.post(f"/api/incidents/{incident_a.pk}/escalate/", {"note": "需市局协调"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["escalated_by"] == district_officer_a.pk
    assert body["escalation_note"] == "需市局协调"
    assert body["escalated_at"]
    assert Notification.objects.filter(recipient=city_officer, urgent=True).exists()


def test_community_users_cannot_escalate(client, api, incident_a, inspector_a, head_a):
    for user in (inspector_a, head_a):
        with pytest.raises(PermissionDenied):
            incident_escalate(user=user, incident=incident_a, note="需市局协调")
        client.force_login(user)
        url = reverse("patrols:incident_escalate", args=[incident_a.pk])
        assert client.post(url, {"note": "需市局协调"}).status_code == 403
        api.force_authenticate(user)
        response = api.post(f"/api/incidents/{incident_a.pk}/escalate/", {"note": "x"}, format="json")
        assert response.status_code == 403
    assert Incident.objects.get(pk=incident_a.pk).escalated_at is None


def test_another_districts_office_gets_404(client, api, incident_a, district_officer_c):
    client.force_login(district_officer_c)
    url = reverse("patrols:incident_escalate", args=[incident_a.pk])
    assert client.post(url, {"note": "需市局协调"}).status_code == 404
    api.force_authenticate(district_officer_c)
    response = api.post(f"/api/incidents/{incident_a.pk}/escalate/", {"note": "x"}, format="json")
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        incident_escalate(user=district_officer_c, incident=incident_a, note="需市局协调")
    assert Incident.objects.get(pk=incident_a.pk).escalated_at is None


def test_city_sees_every_districts_incidents_escalated_marked_and_filtered(
    client, api, incident_a, incident_c, district_officer_a, city_officer
):
    incident_escalate(user=district_officer_a, incident=incident_a, note="需市局协调")
    client.force_login(city_officer)
    page = client.get(reverse("patrols:incident_list")).content.decode()
    assert "张记面馆" in page and "北山小吃" in page
    assert "已上报市局" in page
    only = client.get(reverse("patrols:incident_list") + "?escalated=1").content.decode()
    assert "张记面馆" in only and "北山小吃" not in only
    assert client.get(reverse("patrols:incident_detail", args=[incident_c.pk])).status_code == 200
    api.force_authenticate(city_officer)
    ids = {row["id"] for row in api.get("/api/incidents/").json()["results"]}
    assert ids == {incident_a.pk, incident_c.pk}
    escalated = api.get("/api/incidents/?escalated_at__isnull=false").json()["results"]
    assert [row["id"] for row in escalated] == [incident_a.pk]


def test_escalate_form_only_for_the_districts_office(client, incident_a, district_officer_a, inspector_a):
    url = reverse("patrols:incident_detail", args=[incident_a.pk])
    escalate = reverse("patrols:incident_escalate", args=[incident_a.pk])
    client.force_login(inspector_a)
    assert escalate not in client.get(url).content.decode()
    client.force_login(district_officer_a)
    assert escalate in client.get(url).content.decode()
    incident_escalate(user=district_officer_a, incident=incident_a, note="需市局协调")
    assert escalate not in client.get(url).content.decode()
