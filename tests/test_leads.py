"""Leads (线索) and the reward ledger (§5): reporting, the district's steps, escalation, scoping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from orgs.models import Role
from patrols.models import Lead, LeadEvent, LeadSource, LeadStatus, Reward
from patrols.services.leads import (
    lead_dismiss,
    lead_escalate,
    lead_file,
    lead_report,
    lead_verify,
    reward_mark_paid,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison_a(district_a):
    return UserFactory(
        username="liaison_a", role=Role.DISTRICT_LIAISON, org_unit=district_a, certificate_no=""
    )


@pytest.fixture
def lead_a(inspector_a, shop_a, district_officer_a):
    return lead_report(
        community=shop_a.community,
        establishment=shop_a,
        description="后厨地面积水，生熟食品混放",
        source=LeadSource.INSPECTOR,
        reporter=inspector_a,
    )


@pytest.fixture
def public_lead_a(shop_a, district_officer_a):
    return lead_report(
        community=shop_a.community,
        establishment=shop_a,
        description="买到过期牛奶",
        source=LeadSource.PUBLIC,
        reporter_name="李四",
        reporter_phone="13800001111",
    )


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# Reporting


def test_inspector_reports_lead_and_district_staff_are_alerted(
    client, inspector_a, shop_a, district_officer_a, liaison_a, district_officer_c
):
    client.force_login(inspector_a)
    response = client.post(
        reverse("patrols:lead_create"), {"establishment": shop_a.pk, "description": "冷柜温度过高"}
    )
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patrols:lead_detail", args=[lead.pk])
    assert (lead.source, lead.reporter, lead.establishment, lead.status) == (
        LeadSource.INSPECTOR,
        inspector_a,
        shop_a,
        LeadStatus.REPORTED,
    )
    assert titles(district_officer_a) == ["新线索：张记面馆"]
    assert titles(liaison_a) == ["新线索：张记面馆"]
    assert titles(district_officer_c) == []


def test_info_officer_and_community_head_report_as_information_officers(client, info_officer_a, head_a):
    for user in (info_officer_a, head_a):
        client.force_login(user)
        response = client.post(
            reverse("patrols:lead_create"), {"establishment": "", "description": "路边摊无证"}
        )
        assert response.status_code == 302
    assert list(Lead.objects.values_list("source", "establishment")) == [(LeadSource.INFO_OFFICER, None)] * 2


def test_lead_form_offers_only_own_community_establishments(client, inspector_a, shop_a, shop_b):
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:lead_create"))
    assert "张记面馆" in page.text
    assert "百姓大药房" not in page.text
    response = client.post(reverse("patrols:lead_create"), {"establishment": shop_b.pk, "description": "x"})
    assert response.status_code == 200
    assert not Lead.objects.exists()


def test_volunteer_and_district_officer_cannot_report_a_lead(client, volunteer_a, district_officer_a):
    for user in (volunteer_a, district_officer_a):
        client.force_login(user)
        assert client.get(reverse("patrols:lead_create")).status_code == 403
        assert client.post(reverse("patrols:lead_create"), {"description": "x"}).status_code == 403
    assert not Lead.objects.exists()


# The district's steps and the reward


def test_filing_credits_one_100_yuan_reward_to_the_reporter(client, lead_a, inspector_a, district_officer_a):
    client.force_login(district_officer_a)
    client.post(reverse("patrols:lead_verify", args=[lead_a.pk]), {"note": "已到现场"})
    response = client.post(reverse("patrols:lead_file", args=[lead_a.pk]), {"note": "立案查处"}, follow=True)
    assert "线索已立案，奖励已记账。" in response.text
    lead_a.refresh_from_db()
    assert lead_a.status == LeadStatus.FILED
    assert lead_a.closed_at is not None
    reward = Reward.objects.get()
    assert (reward.lead, reward.reporter, reward.amount, reward.paid_at) == (
        lead_a,
        inspector_a,
        Decimal("100.00"),
        None,
    )
    assert titles(inspector_a) == ["您报告的线索已立案，奖励 ¥100.00 已记入您的名下"]


def test_filing_twice_is_refused_and_credits_no_second_reward(client, lead_a, district_officer_a):
    lead_verify(user=district_officer_a, lead=lead_a)
    lead_file(user=district_officer_a, lead=lead_a)
    with pytest.raises(ValidationError, match="该线索已办结"):
        lead_file(user=district_officer_a, lead=lead_a)
    client.force_login(district_officer_a)
    response = client.post(reverse("patrols:lead_file", args=[lead_a.pk]), follow=True)
    assert "该线索已办结（已立案）。" in response.text
    assert Reward.objects.count() == 1
    assert lead_a.events.filter(status=LeadStatus.FILED).count() == 1


def test_a_lead_is_verified_before_it_is_filed(lead_a, district_officer_a):
    with pytest.raises(ValidationError, match="请先核查线索"):
        lead_file(user=district_officer_a, lead=lead_a)
    assert not Reward.objects.exists()


def test_dismissing_needs_a_reason_and_earns_no_reward(client, lead_a, inspector_a, district_officer_a):
    with pytest.raises(ValidationError):
        lead_dismiss(user=district_officer_a, lead=lead_a, reason="  ")
    client.force_login(district_officer_a)
    client.post(reverse("patrols:lead_dismiss", args=[lead_a.pk]), {"note": "现场核实无此情况"})
    lead_a.refresh_from_db()
    assert lead_a.status == LeadStatus.DISMISSED
    assert lead_a.events.get(status=LeadStatus.DISMISSED).note == "现场核实无此情况"
    with pytest.raises(ValidationError):
        lead_file(user=district_officer_a, lead=lead_a)
    assert not Reward.objects.exists()
    assert "您报告的线索不予立案" in titles(inspector_a)


def test_public_reporter_is_credited_by_name_and_phone(public_lead_a, district_officer_a):
    lead_verify(user=district_officer_a, lead=public_lead_a)
    lead_file(user=district_officer_a, lead=public_lead_a)
    reward = Reward.objects.get()
    assert (reward.reporter, reward.reporter_name, reward.reporter_phone) == (None, "李四", "13800001111")


def test_anonymous_public_lead_filed_credits_nobody(shop_a, district_officer_a):
    lead = lead_report(
        community=shop_a.community, establishment=shop_a, description="无证经营", source=LeadSource.PUBLIC
    )
    lead_verify(user=district_officer_a, lead=lead)
    lead_file(user=district_officer_a, lead=lead)
    assert Lead.objects.get().status == LeadStatus.FILED
    assert not Reward.objects.exists()


def test_escalation_notifies_city_officers_and_then_only_the_city_files(
    lead_a, district_officer_a, liaison_a, city_officer
):
    lead_escalate(user=district_officer_a, lead=lead_a, note="涉及跨区经营")
    lead_a.refresh_from_db()
    assert lead_a.status == LeadStatus.ESCALATED
    assert lead_a.escalated_at is not None
    notice = Notification.objects.get(recipient=city_officer)
    assert notice.title == "区里上报市局的线索：张记面馆"
    assert notice.urgent
    for staff in (district_officer_a, liaison_a):
        with pytest.raises(PermissionDenied):
            lead_file(user=staff, lead=lead_a)
        with pytest.raises(PermissionDenied):
            lead_dismiss(user=staff, lead=lead_a, reason="x")
    lead_file(user=city_officer, lead=lead_a)
    assert Lead.objects.get().status == LeadStatus.FILED
    assert Reward.objects.get().reporter == lead_a.reporter


def test_city_does_not_act_before_escalation(lead_a, city_officer):
    with pytest.raises(PermissionDenied):
        lead_verify(user=city_officer, lead=lead_a)
    with pytest.raises(PermissionDenied):
        lead_file(user=city_officer, lead=lead_a)
    assert Lead.objects.get().status == LeadStatus.REPORTED


def test_only_district_staff_of_the_lead_act(lead_a, inspector_a, head_a, district_officer_c):
    for user in (inspector_a, head_a, district_officer_c):
        with pytest.raises(PermissionDenied):
            lead_verify(user=user, lead=lead_a)
    assert Lead.objects.get().status == LeadStatus.REPORTED
    assert LeadEvent.objects.count() == 1


def test_every_step_shows_on_the_reporters_timeline_with_its_time(
    client, lead_a, inspector_a, district_officer_a
):
    lead_verify(user=district_officer_a, lead=lead_a, note="已派人核查")
    lead_file(user=district_officer_a, lead=lead_a, note="已立案查处")
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:lead_detail", args=[lead_a.pk])).text
    events = list(lead_a.events.order_by("at", "pk"))
    assert [e.status for e in events] == [LeadStatus.REPORTED, LeadStatus.VERIFYING, LeadStatus.FILED]
    for label, event in zip(["已报告", "核查中", "已立案"], events, strict=True):
        assert label in page
        assert timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M") in page
    assert "已派人核查" in page
    assert "已立案查处" in page
    assert "¥100.00" in page


def test_action_forms_are_shown_only_to_who_may_act(
    client, lead_a, inspector_a, district_officer_a, city_officer
):
    url = reverse("patrols:lead_detail", args=[lead_a.pk])
    client.force_login(inspector_a)
    assert "开始核查" not in client.get(url).text
    client.force_login(city_officer)
    assert "开始核查" not in client.get(url).text
    client.force_login(district_officer_a)
    page = client.get(url).text
    assert "开始核查" in page
    assert "上报市局" in page
    lead_escalate(user=district_officer_a, lead=lead_a)
    assert "办理此线索" not in client.get(url).text
    client.force_login(city_officer)
    page = client.get(url).text
    assert "办理此线索" in page
    assert reverse("patrols:lead_file", args=[lead_a.pk]) in page


def test_inspector_posting_an_action_is_forbidden(client, lead_a, inspector_a):
    client.force_login(inspector_a)
    assert client.post(reverse("patrols:lead_verify", args=[lead_a.pk])).status_code == 403
    assert Lead.objects.get().status == LeadStatus.REPORTED


def test_public_reporter_contact_is_for_the_district_not_the_community(
    client, public_lead_a, inspector_a, district_officer_a
):
    url = reverse("patrols:lead_detail", args=[public_lead_a.pk])
    client.force_login(inspector_a)
    page = client.get(url).text
    assert "买到过期牛奶" in page
    assert "李四" not in page
    assert "13800001111" not in page
    client.force_login(district_officer_a)
    page = client.get(url).text
    assert "李四" in page
    assert "13800001111" in page


# Scoping


def test_inspector_of_community_b_cannot_open_community_a_lead(client, api, lead_a, inspector_b):
    client.force_login(inspector_b)
    assert client.get(reverse("patrols:lead_detail", args=[lead_a.pk])).status_code == 404
    assert client.post(reverse("patrols:lead_verify", args=[lead_a.pk])).status_code == 404
    assert "后厨地面积水" not in client.get(reverse("patrols:lead_list")).text
    api.force_authenticate(inspector_b)
    assert api.get(f"/api/leads/{lead_a.pk}/").status_code == 404
    assert api.post(f"/api/leads/{lead_a.pk}/verify/").status_code == 404


def test_officer_of_another_district_gets_404(client, api, lead_a, district_officer_c):
    client.force_login(district_officer_c)
    assert client.get(reverse("patrols:lead_detail", args=[lead_a.pk])).status_code == 404
    api.force_authenticate(district_officer_c)
    assert api.get(f"/api/leads/{lead_a.pk}/").status_code == 404
    assert api.post(f"/api/leads/{lead_a.pk}/file/").status_code == 404
    assert Lead.objects.get().status == LeadStatus.REPORTED


def test_volunteer_sees_no_lead_or_reward(client, api, lead_a, volunteer_a, district_officer_a):
    lead_verify(user=district_officer_a, lead=lead_a)
    lead_file(user=district_officer_a, lead=lead_a)
    client.force_login(volunteer_a)
    assert "后厨地面积水" not in client.get(reverse("patrols:lead_list")).text
    assert client.get(reverse("patrols:lead_detail", args=[lead_a.pk])).status_code == 404
    assert "暂无奖励。" in client.get(reverse("patrols:reward_list")).text
    api.force_authenticate(volunteer_a)
    assert api.get("/api/leads/").json()["count"] == 0
    assert api.get("/api/rewards/").json()["count"] == 0
    assert api.post("/api/leads/", {"description": "x"}).status_code == 403


def test_lead_list_filters_by_status_and_source(client, lead_a, public_lead_a, district_officer_a):
    lead_verify(user=district_officer_a, lead=lead_a)
    client.force_login(district_officer_a)
    page = client.get(reverse("patrols:lead_list"), {"status": LeadStatus.VERIFYING}).text
    assert "后厨地面积水" in page
    assert "买到过期牛奶" not in page
    page = client.get(reverse("patrols:lead_list"), {"source": LeadSource.PUBLIC}).text
    assert "买到过期牛奶" in page
    assert "后厨地面积水" not in page


def test_lead_list_costs_the_same_for_2_and_30_leads(
    client, district_officer_a, inspector_a, community_a, shop_a
):
    def report(n: int) -> None:
        for i in range(n):
            lead_report(
                community=community_a,
                establishment=shop_a if i % 2 else None,
                description=f"线索{i}",
                source=LeadSource.INSPECTOR,
                reporter=inspector_a,
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("patrols:lead_list"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    client.force_login(district_officer_a)
    report(2)
    few = count()
    report(28)
    assert count() == few


def test_lead_api_list_costs_the_same_for_2_and_30_leads(
    api, district_officer_a, lead_a, inspector_a, shop_a
):
    api.force_authenticate(district_officer_a)
    lead_report(
        community=shop_a.community, description="第二条", source=LeadSource.INSPECTOR, reporter=inspector_a
    )
    lead_verify(user=district_officer_a, lead=lead_a)
    lead_file(user=district_officer_a, lead=lead_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/leads/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(28):
        lead = lead_report(
            community=shop_a.community,
            description=f"线索{i}",
            source=LeadSource.INSPECTOR,
            reporter=inspector_a,
        )
        lead_verify(user=district_officer_a, lead=lead)
    assert count() == few


# The API


def test_api_report_and_handle_a_lead(api, inspector_a, shop_a, district_officer_a):
    api.force_authenticate(inspector_a)
    response = api.post(
        "/api/leads/", {"establishment": shop_a.pk, "description": "无健康证上岗"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["source"], body["status"], body["establishment_name"]) == (
        "inspector",
        "reported",
        "张记面馆",
    )
    lead_id = body["id"]

    api.force_authenticate(district_officer_a)
    assert api.post(f"/api/leads/{lead_id}/file/").status_code == 400
    assert api.post(f"/api/leads/{lead_id}/verify/", {"note": "核查"}, format="json").status_code == 200
    body = api.post(f"/api/leads/{lead_id}/file/").json()
    assert body["status"] == "filed"
    assert body["reward"]["amount"] == "100.00"
    assert [e["status"] for e in body["events"]] == ["reported", "verifying", "filed"]
    assert api.post(f"/api/leads/{lead_id}/file/").status_code == 400
    assert Reward.objects.get().reporter == inspector_a

    api.force_authenticate(inspector_a)
    rewards = api.get("/api/rewards/").json()["results"]
    assert [(r["lead"], r["amount"]) for r in rewards] == [(lead_id, "100.00")]
    assert api.post(f"/api/leads/{lead_id}/verify/").status_code == 403


def test_api_dismiss_needs_a_reason_and_escalate_hands_to_city(
    api, lead_a, public_lead_a, district_officer_a
):
    api.force_authenticate(district_officer_a)
    assert api.post(f"/api/leads/{lead_a.pk}/dismiss/", {}, format="json").status_code == 400
    response = api.post(f"/api/leads/{lead_a.pk}/dismiss/", {"reason": "查无实据"}, format="json")
    assert response.json()["status"] == "dismissed"
    response = api.post(f"/api/leads/{public_lead_a.pk}/escalate/", {}, format="json")
    assert response.json()["status"] == "escalated"
    assert (
        api.post(f"/api/leads/{public_lead_a.pk}/dismiss/", {"reason": "x"}, format="json").status_code == 403
    )


def test_api_hides_public_reporter_contact_from_the_community(
    api, public_lead_a, inspector_a, district_officer_a
):
    api.force_authenticate(inspector_a)
    body = api.get(f"/api/leads/{public_lead_a.pk}/").json()
    assert (body["reporter_name"], body["reporter_phone"]) == ("群众", "")
    api.force_authenticate(district_officer_a)
    body = api.get(f"/api/leads/{public_lead_a.pk}/").json()
    assert (body["reporter_name"], body["reporter_phone"]) == ("李四", "13800001111")


def test_api_does_not_report_about_another_community_establishment(api, inspector_a, shop_b):
    api.force_authenticate(inspector_a)
    response = api.post("/api/leads/", {"establishment": shop_b.pk, "description": "x"}, format="json")
    assert response.status_code == 400
    assert not Lead.objects.exists()


# The reward ledger


def test_reward_ledger_shows_totals_and_district_marks_paid(
    client, lead_a, public_lead_a, district_officer_a, inspector_a
):
    for lead in (lead_a, public_lead_a):
        lead_verify(user=district_officer_a, lead=lead)
        lead_file(user=district_officer_a, lead=lead)
    client.force_login(district_officer_a)
    page = client.get(reverse("patrols:reward_list")).text
    assert "¥200.00" in page
    assert "李四" in page
    reward = Reward.objects.get(lead=lead_a)
    response = client.post(reverse("patrols:reward_mark_paid", args=[reward.pk]), follow=True)
    assert "奖励已标记为已发放。" in response.text
    reward.refresh_from_db()
    assert reward.paid_at is not None
    with pytest.raises(ValidationError):
        reward_mark_paid(user=district_officer_a, reward=reward)
    unpaid = client.get(reverse("patrols:reward_list"), {"paid": "no"}).text
    assert reverse("patrols:lead_detail", args=[public_lead_a.pk]) in unpaid
    assert reverse("patrols:lead_detail", args=[lead_a.pk]) not in unpaid

    client.force_login(inspector_a)
    page = client.get(reverse("patrols:reward_list")).text
    assert "¥200.00" in page
    assert "李四" not in page
    assert "标记已发放" not in page
    assert client.post(reverse("patrols:reward_mark_paid", args=[reward.pk])).status_code == 403


def test_reward_ledger_of_another_district_is_empty(client, lead_a, district_officer_a, district_officer_c):
    lead_verify(user=district_officer_a, lead=lead_a)
    lead_file(user=district_officer_a, lead=lead_a)
    client.force_login(district_officer_c)
    assert "暂无奖励。" in client.get(reverse("patrols:reward_list")).text
    reward = Reward.objects.get()
    assert client.post(reverse("patrols:reward_mark_paid", args=[reward.pk])).status_code == 404
    reward.refresh_from_db()
    assert reward.paid_at is None
