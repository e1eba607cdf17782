"""Patrol kinds (issue 22, item 1): night checks, special campaigns, joint and holiday checks beside the
daily patrol; the district's campaigns and monthly targets per kind, and who falls short."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orgs.models import Role
from patrols.models import Patrol, PatrolKind, PatrolTarget, SpecialCampaign, Visit
from patrols.services import campaigns as campaign_services
from patrols.services import records as services
from reporting.figures import community_figures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _campaign(
    officer, *, first=None, last=None, items=("开学前食堂从业人员健康证",), name="校园食堂专项整治"
):
    today = timezone.localdate()
    return campaign_services.campaign_save(
        user=officer,
        name=name,
        starts_on=first or today - dt.timedelta(days=3),
        ends_on=last or today + dt.timedelta(days=3),
        checklist_items=list(items),
    )


def _start_page_post(client, user, partner, kind, **extra):
    client.force_login(user)
    body = {
        "client_id": str(uuid.uuid4()),
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "team": [user.pk, partner.pk],
        "kind": kind,
        "notes": "",
        **extra,
    }
    return client.post(f"{reverse('patrols:patrol_today')}?kind={kind}", body)


def _counted(patrol, user, shop):
    services.visit_record(user=user, patrol=patrol, establishment=shop, result="compliant")
    return services.patrol_submit(user=user, patrol=patrol)


# Creating each kind


@pytest.mark.parametrize("kind", ["daily", "night", "holiday"])
def test_each_plain_kind_is_started_from_its_start_page(client, inspector_a, partner_a, kind):
    client.force_login(inspector_a)
    start = client.get(reverse("patrols:patrol_today"), {"kind": kind})
    assert start.status_code == 200
    assert f'name="kind" value="{kind}"' in start.content.decode()
    answer = _start_page_post(client, inspector_a, partner_a, kind)
    patrol = Patrol.objects.get()
    assert answer.url == reverse("patrols:patrol_detail", args=[patrol.pk])
    assert patrol.kind == kind
    detail = client.get(answer.url).content.decode()
    assert f'data-patrol-kind="{kind}">{PatrolKind(kind).label}' in detail
    # From today's record, the day's other kinds are started.
    others = detail.split("data-other-kinds>")[1].split("</p>")[0]
    assert f"?kind={kind}" not in others and others.count("?kind=") == len(PatrolKind.values) - 1


def test_a_campaign_record_is_started_on_the_web_naming_its_campaign(
    client, inspector_a, partner_a, district_officer_a
):
    campaign = _campaign(district_officer_a)
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:patrol_today"), {"kind": "campaign"}).content.decode()
    assert campaign.name in page
    _start_page_post(client, inspector_a, partner_a, "campaign", campaign=campaign.pk)
    patrol = Patrol.objects.get()
    assert (patrol.kind, patrol.campaign) == ("campaign", campaign)


def test_a_joint_check_names_the_departments_taking_part(client, inspector_a, partner_a):
    refused = _start_page_post(client, inspector_a, partner_a, "joint", joint_departments="  ")
    assert "请填写参与联合检查的部门" in refused.content.decode()
    assert not Patrol.objects.exists()
    _start_page_post(client, inspector_a, partner_a, "joint", joint_departments="市场监管、卫健、城管、公安")
    patrol = Patrol.objects.get()
    assert (patrol.kind, patrol.joint_departments) == ("joint", "市场监管、卫健、城管、公安")


def test_each_kind_is_started_over_the_api(api, inspector_a, partner_a, district_officer_a):
    campaign = _campaign(district_officer_a)
    api.force_authenticate(inspector_a)
    extra = {"campaign": {"campaign": campaign.pk}, "joint": {"joint_departments": "市场监管、公安"}}
    for kind in PatrolKind.values:
        answer = api.post(
            "/api/patrols/", {"team": [partner_a.pk], "kind": kind, **extra.get(kind, {})}, format="json"
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["kind"] == kind
    assert sorted(Patrol.objects.values_list("kind", flat=True)) == sorted(PatrolKind.values)
    record = Patrol.objects.get(kind="campaign")
    assert api.get(f"/api/patrols/{record.client_id}/").json()["campaign"] == campaign.pk
    assert [p["kind"] for p in api.get("/api/patrols/", {"kind": "night"}).json()["results"]] == ["night"]
    refused = api.post("/api/patrols/", {"team": [partner_a.pk], "kind": "patrouille"}, format="json")
    assert refused.status_code == 400


# Campaign records hold to their campaign


def test_a_campaign_record_outside_its_campaigns_period_is_refused_in_chinese(
    api, inspector_a, partner_a, district_officer_a
):
    today = timezone.localdate()
    over = _campaign(
        district_officer_a, first=today - dt.timedelta(days=20), last=today - dt.timedelta(days=10)
    )
    api.force_authenticate(inspector_a)
    answer = api.post(
        "/api/patrols/", {"team": [partner_a.pk], "kind": "campaign", "campaign": over.pk}, format="json"
    )
    assert answer.status_code == 400
    assert "不在其内" in answer.content.decode()
    missing = api.post("/api/patrols/", {"team": [partner_a.pk], "kind": "campaign"}, format="json")
    assert missing.status_code == 400 and "请选择本次检查所属的专项整治" in missing.content.decode()
    assert not Patrol.objects.exists()


def test_a_campaign_of_another_district_is_refused(api, client, inspector_a, partner_a, district_officer_c):
    theirs = _campaign(district_officer_c)
    api.force_authenticate(inspector_a)
    answer = api.post(
        "/api/patrols/", {"team": [partner_a.pk], "kind": "campaign", "campaign": theirs.pk}, format="json"
    )
    assert answer.status_code == 400 and "campaign" in answer.json()
    web = _start_page_post(client, inspector_a, partner_a, "campaign", campaign=theirs.pk)
    assert web.status_code == 200 and "errorlist" in web.content.decode()
    # The service itself refuses it, whatever path names it.
    with pytest.raises(ValidationError) as refused:
        services.patrol_start(user=inspector_a, team=[partner_a], kind="campaign", campaign=theirs)
    assert "该专项整治不属于本区" in str(refused.value)
    assert not Patrol.objects.exists()


def test_a_campaigns_visits_add_its_own_checks(client, inspector_a, partner_a, district_officer_a, shop_a):
    campaign = _campaign(district_officer_a, items=["开学前食堂从业人员健康证"])
    patrol, _ = services.patrol_start(user=inspector_a, team=[partner_a], kind="campaign", campaign=campaign)
    client.force_login(inspector_a)
    form = client.get(reverse("patrols:visit_create", args=[patrol.pk, shop_a.pk])).content.decode()
    assert "开学前食堂从业人员健康证" in form
    checks = services.checklist_for(patrol, shop_a)
    assert checks[-1] == "开学前食堂从业人员健康证"
    index = len(checks) - 1
    client.post(
        reverse("patrols:visit_create", args=[patrol.pk, shop_a.pk]),
        {"client_id": str(uuid.uuid4()), "result": "compliant", f"check-{index}": "ok"},
    )
    visit = Visit.objects.get()
    assert {"item": "开学前食堂从业人员健康证", "ok": True, "note": ""} in visit.checklist


def test_a_campaign_period_is_bounded_and_cannot_drop_its_records(district_officer_a, inspector_a, partner_a):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        _campaign(district_officer_a, first=today, last=today - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        _campaign(district_officer_a, first=today - dt.timedelta(days=400), last=today)
    campaign = _campaign(district_officer_a)
    services.patrol_start(user=inspector_a, team=[partner_a], kind="campaign", campaign=campaign)
    with pytest.raises(ValidationError):
        campaign_services.campaign_save(
            user=district_officer_a,
            campaign=campaign,
            name=campaign.name,
            starts_on=today + dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=2),
        )


# One record per community, day and kind


def test_a_daily_patrol_and_a_night_check_share_a_day_but_two_daily_patrols_do_not(
    inspector_a, partner_a, shop_a
):
    daily, created = services.patrol_start(user=inspector_a, team=[partner_a])
    night, night_created = services.patrol_start(user=inspector_a, team=[partner_a], kind="night")
    assert created and night_created and daily.pk != night.pk
    again, again_created = services.patrol_start(user=partner_a, team=[inspector_a])
    assert (again.pk, again_created) == (daily.pk, False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Patrol.objects.create(community=daily.community, date=daily.date, created_by=inspector_a)
    # Both count; the day is one patrolled day.
    _counted(daily, inspector_a, shop_a)
    _counted(night, inspector_a, shop_a)
    month = timezone.localdate().replace(day=1)
    figures = community_figures([daily.community], month, on=timezone.localdate())[daily.community_id]
    assert (figures["patrol_days"], figures["patrols"], figures["night_checks"]) == (1, 2, 1)


def test_a_night_check_started_offline_is_found_by_its_day_and_kind(client, inspector_a, partner_a, shop_a):
    client.force_login(inspector_a)
    day = f"{timezone.localdate():%Y-%m-%d}"
    page = client.get(reverse("patrols:patrol_today"), {"kind": "night"}).content.decode()
    night_day = reverse("patrols:patrol_on_day", args=[day, "night"])
    assert f'data-offline-next="{night_day}"' in page
    assert f"{night_day}visits/new/{shop_a.pk}/" in page
    # Before the start is sent, the day's page and its visit forms are the phone's.
    assert client.get(night_day).status_code == 200
    daily, _ = services.patrol_start(user=inspector_a, team=[partner_a])
    assert client.get(night_day).status_code == 200  # the daily record is not the night's
    _start_page_post(client, inspector_a, partner_a, "night")
    night = Patrol.objects.get(kind="night")
    assert client.get(night_day).url == reverse("patrols:patrol_detail", args=[night.pk])
    sent = client.post(
        f"{night_day}visits/new/{shop_a.pk}/", {"client_id": str(uuid.uuid4()), "result": "compliant"}
    )
    assert sent.status_code == 302
    assert list(Visit.objects.values_list("patrol_id", flat=True)) == [night.pk]
    assert client.get(reverse("patrols:patrol_on_day", args=[day, "nonsense"])).status_code == 404
    assert daily.visits.count() == 0


# Targets and who falls short


def test_the_shortfall_page_shows_a_community_with_one_night_check_against_two(
    client, district_officer_a, inspector_a, partner_a, inspector_b, community_a, community_b, shop_a
):
    client.force_login(district_officer_a)
    saved = client.post(reverse("patrols:patrol_targets"), {"night": "2"})
    assert saved.status_code == 302
    assert PatrolTarget.objects.get().monthly_minimum == 2
    night, _ = services.patrol_start(user=inspector_a, team=[partner_a], kind="night")
    _counted(night, inspector_a, shop_a)
    page = client.get(reverse("patrols:patrol_targets")).content.decode()
    row = page.split(f'data-community="{community_a.pk}" data-kind="night"')[1].split("</tr>")[0]
    assert "<td data-count>1</td>" in row and "<td data-target>2</td>" in row
    assert f'data-community="{community_b.pk}" data-kind="night"' in page  # none at all
    # A community sees its own shortfall only.
    client.force_login(inspector_b)
    own = client.get(reverse("patrols:patrol_targets")).content.decode()
    assert f'data-community="{community_b.pk}"' in own and f'data-community="{community_a.pk}"' not in own
    # A bad target is refused in words, not stored.
    client.force_login(district_officer_a)
    refused = client.post(reverse("patrols:patrol_targets"), {"night": "99"})
    assert refused.status_code == 400 and PatrolTarget.objects.get().monthly_minimum == 2


def test_a_month_met_leaves_the_community_off_the_list(
    client, district_officer_a, inspector_a, partner_a, shop_a, community_a
):
    campaign_services.target_set(user=district_officer_a, kind="holiday", monthly_minimum=1)
    holiday, _ = services.patrol_start(user=inspector_a, team=[partner_a], kind="holiday")
    _counted(holiday, inspector_a, shop_a)
    client.force_login(district_officer_a)
    page = client.get(reverse("patrols:patrol_targets")).content.decode()
    assert f'data-community="{community_a.pk}" data-kind="holiday"' not in page
    every = client.get(reverse("patrols:patrol_targets"), {"all": "1"}).content.decode()
    assert f'data-community="{community_a.pk}" data-kind="holiday"' in every


# Who may see and set what


def test_another_communitys_inspector_reaches_no_record_of_a_by_id(
    client, api, inspector_a, partner_a, inspector_b
):
    night, _ = services.patrol_start(user=inspector_a, team=[partner_a], kind="night")
    client.force_login(inspector_b)
    assert client.get(reverse("patrols:patrol_detail", args=[night.pk])).status_code == 404
    assert client.post(reverse("patrols:patrol_submit", args=[night.pk])).status_code == 404
    api.force_authenticate(inspector_b)
    assert api.get(f"/api/patrols/{night.client_id}/").status_code == 404
    assert api.get("/api/patrols/", {"kind": "night"}).json()["results"] == []


def test_another_districts_people_reach_no_campaign_of_a_by_id(
    client, district_officer_a, district_officer_c, community_c
):
    campaign = _campaign(district_officer_a)
    inspector_c = UserFactory(role=Role.INSPECTOR, org_unit=community_c)
    client.force_login(district_officer_c)
    assert client.get(reverse("patrols:campaign_edit", args=[campaign.pk])).status_code == 404
    changed = client.post(
        reverse("patrols:campaign_edit", args=[campaign.pk]),
        {"name": "改名", "starts_on": "2026-01-01", "ends_on": "2026-01-02"},
    )
    assert changed.status_code == 404
    assert campaign.name not in client.get(reverse("patrols:campaign_list")).content.decode()
    client.force_login(inspector_c)
    assert campaign.name not in client.get(reverse("patrols:campaign_list")).content.decode()
    assert client.get(reverse("patrols:campaign_edit", args=[campaign.pk])).status_code == 404
    assert SpecialCampaign.objects.get().name == "校园食堂专项整治"


def test_an_inspector_sets_neither_campaigns_nor_targets(client, inspector_a, district_officer_a):
    campaign = _campaign(district_officer_a)
    client.force_login(inspector_a)
    assert campaign.name in client.get(reverse("patrols:campaign_list")).content.decode()
    assert client.get(reverse("patrols:campaign_create")).status_code == 403
    body = {"name": "夜市专项", "starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    assert client.post(reverse("patrols:campaign_create"), body).status_code == 403
    assert client.post(reverse("patrols:campaign_edit", args=[campaign.pk]), body).status_code == 403
    assert client.post(reverse("patrols:patrol_targets"), {"night": "2"}).status_code == 403
    assert SpecialCampaign.objects.count() == 1 and not PatrolTarget.objects.exists()
    with pytest.raises(PermissionDenied):
        campaign_services.target_set(user=inspector_a, kind="night", monthly_minimum=2)


def test_the_district_office_creates_a_campaign_on_the_web(client, district_officer_a):
    client.force_login(district_officer_a)
    today = timezone.localdate()
    answer = client.post(
        reverse("patrols:campaign_create"),
        {
            "name": "瓶装水专项整治",
            "starts_on": f"{today:%Y-%m-%d}",
            "ends_on": f"{today + dt.timedelta(days=30):%Y-%m-%d}",
            "checklist_items": "索证索票\n\n出厂检验报告\n索证索票",
        },
    )
    assert answer.url == reverse("patrols:campaign_list")
    campaign = SpecialCampaign.objects.get()
    assert (campaign.district, campaign.checklist_items) == (
        district_officer_a.org_unit,
        ["索证索票", "出厂检验报告"],
    )
    bad = client.post(
        reverse("patrols:campaign_create"),
        {"name": "x", "starts_on": "3000-01-01", "ends_on": "3000-01-02"},
    )
    assert bad.status_code == 400 and SpecialCampaign.objects.count() == 1


def test_a_communitys_patrol_list_says_which_kinds_are_short(
    client, district_officer_a, inspector_a, partner_a, shop_a
):
    campaign_services.target_set(user=district_officer_a, kind="night", monthly_minimum=2)
    night, _ = services.patrol_start(user=inspector_a, team=[partner_a], kind="night")
    _counted(night, inspector_a, shop_a)
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:patrol_list")).content.decode()
    short = page.split("data-short-of-targets>")[1].split("</div>")[0]
    assert "夜查 1/2" in short


def test_the_api_lists_the_districts_campaigns_only(api, inspector_a, district_officer_a, district_officer_c):
    ours, theirs = _campaign(district_officer_a), _campaign(district_officer_c, name="西湖区夜市整治")
    api.force_authenticate(inspector_a)
    listed = api.get("/api/special-campaigns/").json()["results"]
    assert [row["id"] for row in listed] == [ours.pk]
    assert listed[0]["checklist_items"] == ["开学前食堂从业人员健康证"]
    assert api.get(f"/api/special-campaigns/{theirs.pk}/").status_code == 404
