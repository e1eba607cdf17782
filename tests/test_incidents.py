"""Incidents (§5): a first report within one hour, the district alarmed at once, follow-ups until
closed, and nothing ever changed or deleted (不得瞒报、迟报、谎报)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from orgs.models import Role
from patrols.models import FIRST_REPORT_WINDOW, ImmutableError, Incident, IncidentReport, is_late_first_report
from patrols.services.incidents import incident_follow_up, incident_report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def district_liaison_a(district_a):
    return UserFactory(
        username="liaison_a", role=Role.DISTRICT_LIAISON, org_unit=district_a, certificate_no=""
    )


def report(user, minutes_ago: float = 30, **fields) -> Incident:
    values = {
        "unit_name": "张记面馆",
        "place": "文三路12号",
        "facts": "午餐后多人腹泻呕吐，疑似食物中毒。",
        "people_affected": 5,
        **fields,
    }
    return incident_report(
        user=user, occurred_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **values
    )


@pytest.fixture
def incident_a(inspector_a, district_officer_a) -> Incident:
    return report(inspector_a)


# The one-hour rule


def test_first_report_exactly_one_hour_after_is_on_time():
    occurred = dt.datetime(2025, 3, 15, 12, 0, tzinfo=SHANGHAI)
    assert not is_late_first_report(occurred, occurred + dt.timedelta(minutes=60))
    assert is_late_first_report(occurred, occurred + dt.timedelta(minutes=60, seconds=1))


def test_first_report_59_minutes_after_is_on_time(inspector_a):
    incident = report(inspector_a, minutes_ago=59)
    incident.refresh_from_db()
    assert incident.first_report_late is False
    assert incident.reported_at - incident.occurred_at < FIRST_REPORT_WINDOW


def test_first_report_61_minutes_after_is_late(inspector_a, district_officer_a):
    incident = report(inspector_a, minutes_ago=61)
    incident.refresh_from_db()
    assert incident.first_report_late is True
    assert Notification.objects.get(recipient=district_officer_a).title.startswith("【迟报】")


def test_report_stamps_reporter_community_and_time(info_officer_a, community_a, shop_a):
    before = timezone.now()
    incident = report(info_officer_a, establishment=shop_a)
    assert incident.community == community_a
    assert incident.reported_by == info_officer_a
    assert before <= incident.reported_at <= timezone.now()
    assert incident.establishment == shop_a


# The district is alarmed at once


def test_district_of_the_incident_gets_urgent_notification_at_once(
    inspector_a, district_officer_a, district_liaison_a, district_officer_c
):
    incident = report(inspector_a)
    alerts = Notification.objects.filter(link=reverse("patrols:incident_detail", args=[incident.pk]))
    assert {n.recipient for n in alerts} == {district_officer_a, district_liaison_a}
    assert all(n.urgent and n.read_at is None for n in alerts)
    assert alerts[0].title == "【事故初报】张记面馆"
    assert not Notification.objects.filter(recipient=district_officer_c).exists()
    assert not Notification.objects.filter(recipient=inspector_a).exists()


# What a report must hold


def test_occurred_at_in_the_future_is_refused_in_chinese(inspector_a, district_officer_a):
    with pytest.raises(ValidationError) as caught:
        report(inspector_a, minutes_ago=-5)
    assert caught.value.message_dict == {"occurred_at": ["事发时间不能晚于当前时间。"]}
    assert not Incident.objects.exists()
    assert not Notification.objects.exists()


def test_occurred_at_in_the_future_is_refused_on_page_and_api(client, api, inspector_a):
    soon = timezone.localtime() + dt.timedelta(hours=2)
    client.force_login(inspector_a)
    page = client.post(reverse("patrols:incident_create"), form_data(soon))
    assert page.status_code == 200
    assert "事发时间不能晚于当前时间。" in page.text
    api.force_authenticate(inspector_a)
    response = api.post("/api/incidents/", api_data(soon), format="json")
    assert response.status_code == 400
    assert response.json() == {"occurred_at": ["事发时间不能晚于当前时间。"]}
    assert not Incident.objects.exists()


def test_establishment_of_another_community_is_refused(inspector_a, shop_b):
    with pytest.raises(ValidationError) as caught:
        report(inspector_a, establishment=shop_b)
    assert "establishment" in caught.value.message_dict
    assert not Incident.objects.exists()


def test_volunteer_cannot_report(client, api, volunteer_a):
    with pytest.raises(PermissionDenied):
        report(volunteer_a)
    client.force_login(volunteer_a)
    assert client.get(reverse("patrols:incident_create")).status_code == 403
    assert client.post(reverse("patrols:incident_create"), form_data(timezone.localtime())).status_code == 403
    api.force_authenticate(volunteer_a)
    assert api.post("/api/incidents/", api_data(timezone.localtime()), format="json").status_code == 403
    assert not Incident.objects.exists()


def test_district_officer_cannot_make_a_first_report(district_officer_a):
    with pytest.raises(PermissionDenied):
        report(district_officer_a)


# The report page


def form_data(occurred: dt.datetime, **extra) -> dict:
    return {
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "unit_name": "阳光幼儿园食堂",
        "place": "幼儿园食堂",
        "people_affected": "12",
        "facts": "午餐后12名幼儿呕吐。",
        **extra,
    }


def api_data(occurred: dt.datetime, **extra) -> dict:
    return {
        "occurred_at": occurred.isoformat(),
        "unit_name": "阳光幼儿园食堂",
        "place": "幼儿园食堂",
        "people_affected": 12,
        "facts": "午餐后12名幼儿呕吐。",
        **extra,
    }


def test_report_page_reads_the_time_in_shanghai_and_alerts_district(client, inspector_a, district_officer_a):
    local = timezone.localtime(timezone.now() - dt.timedelta(minutes=20), SHANGHAI).replace(
        second=0, microsecond=0
    )
    client.force_login(inspector_a)
    form = client.get(reverse("patrols:incident_create"))
    assert 'type="datetime-local"' in form.text
    response = client.post(reverse("patrols:incident_create"), form_data(local))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("patrols:incident_detail", args=[incident.pk])
    assert incident.occurred_at == local.replace(tzinfo=None).replace(tzinfo=SHANGHAI)
    assert incident.first_report_late is False
    assert Notification.objects.filter(recipient=district_officer_a, urgent=True).count() == 1


def test_late_incident_is_flagged_on_list_and_detail(client, inspector_a):
    late = report(inspector_a, minutes_ago=95, unit_name="迟报饭店")
    report(inspector_a, minutes_ago=10, unit_name="按时饭店")
    client.force_login(inspector_a)
    listing = client.get(reverse("patrols:incident_list"))
    assert listing.text.count("初报迟报") == 1
    assert "迟报饭店" in listing.text and "按时饭店" in listing.text
    detail = client.get(reverse("patrols:incident_detail", args=[late.pk]))
    assert "初报迟报：事发后1\xa0小时，35\xa0分钟才报告" in detail.text


# Follow-ups until closed


def test_follow_ups_in_order_final_one_closes_then_no_more(incident_a, inspector_a, district_officer_a):
    incident_follow_up(user=inspector_a, incident=incident_a, text="5人送医，情况稳定。")
    incident_follow_up(user=district_officer_a, incident=incident_a, text="已封存留样，送检。")
    incident_follow_up(user=inspector_a, incident=incident_a, text="检验结果：诺如病毒。", is_final=True)
    incident_a.refresh_from_db()
    assert incident_a.is_closed
    texts = [r.text for r in incident_a.reports.all()]
    assert texts == ["5人送医，情况稳定。", "已封存留样，送检。", "检验结果：诺如病毒。"]
    assert incident_a.closed_at == incident_a.reports.last().reported_at
    with pytest.raises(ValidationError) as caught:
        incident_follow_up(user=inspector_a, incident=incident_a, text="补充")
    assert caught.value.messages == ["该事故已结案，不再接受续报。"]
    assert incident_a.reports.count() == 3


def test_follow_up_tells_district_and_first_reporter(incident_a, inspector_a, district_officer_a):
    Notification.objects.all().delete()
    incident_follow_up(user=district_officer_a, incident=incident_a, text="已到场处置。")
    assert list(Notification.objects.values_list("recipient__username", "urgent")) == [("inspector_a", False)]


def test_follow_up_page_shows_timeline_and_closes(client, incident_a, inspector_a):
    client.force_login(inspector_a)
    url = reverse("patrols:incident_detail", args=[incident_a.pk])
    assert "终报，结案" in client.get(url).text
    assert client.post(url, {"text": "第一次续报"}).status_code == 302
    assert client.post(url, {"text": "处置完毕", "is_final": "on"}).status_code == 302
    page = client.get(url)
    assert page.text.index("第一次续报") < page.text.index("处置完毕")
    assert "已结案" in page.text
    assert "终报，结案" not in page.text
    refused = client.post(url, {"text": "再补一句"})
    assert refused.status_code == 200
    assert "该事故已结案，不再接受续报。" in refused.text
    assert [r.text for r in IncidentReport.objects.all()] == ["第一次续报", "处置完毕"]


def test_follow_up_over_api(api, incident_a, district_officer_a):
    api.force_authenticate(district_officer_a)
    url = f"/api/incidents/{incident_a.pk}/reports/"
    first = api.post(url, {"text": "已到场"}, format="json")
    assert first.status_code == 201
    assert first.json()["reported_by"] == district_officer_a.pk
    assert api.post(url, {"text": "结案", "is_final": True}, format="json").status_code == 201
    assert api.post(url, {"text": "再报"}, format="json").status_code == 400
    body = api.get(f"/api/incidents/{incident_a.pk}/").json()
    assert body["closed_at"] is not None
    assert [r["text"] for r in body["reports"]] == ["已到场", "结案"]


def test_city_officer_sees_but_does_not_add_follow_ups(api, incident_a, city_officer):
    api.force_authenticate(city_officer)
    assert api.get(f"/api/incidents/{incident_a.pk}/").status_code == 200
    assert (
        api.post(f"/api/incidents/{incident_a.pk}/reports/", {"text": "x"}, format="json").status_code == 403
    )
    assert not IncidentReport.objects.exists()


def test_create_over_api(api, info_officer_a, district_officer_a, shop_a):
    api.force_authenticate(info_officer_a)
    occurred = timezone.now() - dt.timedelta(minutes=90)
    response = api.post("/api/incidents/", api_data(occurred, establishment=shop_a.pk), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["first_report_late"] is True
    assert body["community"] == info_officer_a.org_unit_id
    assert Notification.objects.get(recipient=district_officer_a).urgent


# Never changed, never deleted


def test_api_cannot_change_or_delete_an_incident(api, incident_a, inspector_a, city_officer):
    for user in (inspector_a, city_officer):
        api.force_authenticate(user)
        url = f"/api/incidents/{incident_a.pk}/"
        assert (
            api.put(url, {"unit_name": "改名", "place": "x", "facts": "x"}, format="json").status_code == 405
        )
        assert api.patch(url, {"unit_name": "改名"}, format="json").status_code == 405
        assert api.delete(url).status_code == 405
    after = Incident.objects.get(pk=incident_a.pk)
    assert (after.unit_name, after.occurred_at, after.reported_at) == (
        "张记面馆",
        incident_a.occurred_at,
        incident_a.reported_at,
    )


def test_saving_a_changed_incident_raises(incident_a):
    incident_a.facts = "改写的事实"
    with pytest.raises(ImmutableError):
        incident_a.save()
    with pytest.raises(ImmutableError):
        incident_a.delete()
    assert Incident.objects.get(pk=incident_a.pk).facts == "午餐后多人腹泻呕吐，疑似食物中毒。"


def test_saving_a_changed_follow_up_raises(incident_a, inspector_a):
    follow_up = incident_follow_up(user=inspector_a, incident=incident_a, text="原文")
    follow_up.text = "改写"
    with pytest.raises(ImmutableError):
        follow_up.save()
    with pytest.raises(ImmutableError):
        follow_up.delete()
    assert IncidentReport.objects.get().text == "原文"


def test_admin_shows_incidents_but_does_not_save_or_delete(admin_client, incident_a, inspector_a):
    follow_up = incident_follow_up(user=inspector_a, incident=incident_a, text="原文")
    change = reverse("admin:patrols_incident_change", args=[incident_a.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    posted = admin_client.post(change, {"unit_name": "改名", "place": "x", "facts": "x"})
    assert posted.status_code == 403
    assert (
        admin_client.post(reverse("admin:patrols_incident_delete", args=[incident_a.pk])).status_code == 403
    )
    assert admin_client.get(reverse("admin:patrols_incident_add")).status_code == 403
    report_change = reverse("admin:patrols_incidentreport_change", args=[follow_up.pk])
    assert admin_client.post(report_change, {"text": "改写"}).status_code == 403
    assert Incident.objects.get().unit_name == "张记面馆"
    assert IncidentReport.objects.get().text == "原文"


def test_there_are_no_edit_or_delete_pages(client, incident_a, inspector_a):
    client.force_login(inspector_a)
    assert client.get(f"/incidents/{incident_a.pk}/edit/").status_code == 404
    assert client.get(f"/incidents/{incident_a.pk}/delete/").status_code == 404


# Scoping


def test_inspector_of_other_community_gets_404(client, api, incident_a, inspector_b):
    client.force_login(inspector_b)
    page = reverse("patrols:incident_detail", args=[incident_a.pk])
    assert client.get(page).status_code == 404
    assert client.post(page, {"text": "冒充续报"}).status_code == 404
    assert "张记面馆" not in client.get(reverse("patrols:incident_list")).text
    api.force_authenticate(inspector_b)
    assert api.get(f"/api/incidents/{incident_a.pk}/").status_code == 404
    assert (
        api.post(f"/api/incidents/{incident_a.pk}/reports/", {"text": "x"}, format="json").status_code == 404
    )
    assert api.get("/api/incidents/").json()["results"] == []
    assert not IncidentReport.objects.exists()


def test_district_officer_of_other_district_gets_404(client, api, incident_a, district_officer_c):
    client.force_login(district_officer_c)
    assert client.get(reverse("patrols:incident_detail", args=[incident_a.pk])).status_code == 404
    api.force_authenticate(district_officer_c)
    assert api.get(f"/api/incidents/{incident_a.pk}/").status_code == 404


def test_district_officer_sees_incidents_of_own_district(client, incident_a, district_officer_a):
    client.force_login(district_officer_a)
    assert client.get(reverse("patrols:incident_detail", args=[incident_a.pk])).status_code == 200
    assert "张记面馆" in client.get(reverse("patrols:incident_list")).text


def test_volunteer_sees_no_incidents(client, incident_a, volunteer_a):
    client.force_login(volunteer_a)
    assert client.get(reverse("patrols:incident_detail", args=[incident_a.pk])).status_code == 404
    assert "张记面馆" not in client.get(reverse("patrols:incident_list")).text


def test_incident_list_costs_the_same_for_3_and_30(client, inspector_a, district_officer_a):
    client.force_login(district_officer_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("patrols:incident_list")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        report(inspector_a)
    few = queries()
    for _ in range(27):
        report(inspector_a)
    assert queries() == few
