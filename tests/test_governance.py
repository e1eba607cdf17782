"""Who may change what in the register (§3, patrols.governance): the district sets the risk class, the
lists, the quantified grade and the model-unit status, a community proposes; the last visit follows from
visits only. Each field and role, through the page, the API, the Excel import and the admin."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from patrols.models import Category, Establishment, EstablishmentChangeProposal, ProposalStatus
from tests.factories import EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_WEEK = timezone.localdate() - dt.timedelta(days=7)
GRADED = timezone.localdate() - dt.timedelta(days=30)
DISTRICT_ONLY = "只有区食品药品监督所可以设置此项"
VISITS_ONLY = "此项由巡查记录自动生成"

# field: (the API's value, the value stored, the Excel column, the Excel cell)
CHANGES = {
    "risk_class": ("A", "A", "风险等级", "A"),
    "watch_list": ("black", "black", "红黑名单", "黑名单（警示）"),
    "food_grade": ("A", "A", "量化分级", "A"),
    "model_status": ("model", "model", "示范创建", "示范单位"),
    "last_visited_on": (LAST_WEEK.isoformat(), LAST_WEEK, "最近巡查日期", LAST_WEEK.isoformat()),
}
# What a grade needs besides itself.
WITH = {"food_grade": {"food_graded_on": GRADED.isoformat()}}
ROLES = ["inspector_a", "head_a", "district_officer_a", "city_officer"]
MAY_SET = {"inspector_a": False, "head_a": False, "district_officer_a": True, "city_officer": True}


@pytest.fixture
def shop(community_a):
    return EstablishmentFactory(community=community_a, name="张记面馆", category=Category.FOOD_SERVICE)


def allowed(role: str, field: str) -> bool:
    return MAY_SET[role] and field != "last_visited_on"


def unchanged(shop: Establishment) -> bool:
    fresh = Establishment.objects.get(pk=shop.pk)
    return (
        all(getattr(fresh, f) == getattr(shop, f) for f in CHANGES)
        and fresh.next_visit_due == shop.next_visit_due
    )


@pytest.mark.parametrize("field", list(CHANGES))
@pytest.mark.parametrize("role", ROLES)
def test_api(api, request, shop, role, field):
    user = request.getfixturevalue(role)
    api.force_authenticate(user)
    value, stored, _column, _cell = CHANGES[field]
    body = {field: value, **WITH.get(field, {}), "change_reason": "年度复核"}
    response = api.patch(f"/api/establishments/{shop.pk}/", body, format="json")
    if allowed(role, field):
        assert response.status_code == 200, response.json()
        assert getattr(Establishment.objects.get(pk=shop.pk), field) == stored
        latest = shop.history.first()
        assert (latest.history_user, latest.history_change_reason) == (user, "年度复核")
    else:
        assert response.status_code == 400
        assert (DISTRICT_ONLY if field != "last_visited_on" else VISITS_ONLY) in response.json()[field][0]
        assert unchanged(shop)


def form_data(shop: Establishment, **changes) -> dict:
    data = {
        "name": shop.name,
        "address": shop.address,
        "community": shop.community_id,
        "category": shop.category,
        "status": shop.status,
        "licence_no": shop.licence_no,
        "risk_class": shop.risk_class,
        "watch_list": shop.watch_list,
        "food_grade": shop.food_grade,
        "model_status": shop.model_status,
        "registered_on": shop.registered_on.isoformat(),
    }
    return data | changes


@pytest.mark.parametrize("field", list(CHANGES))
@pytest.mark.parametrize("role", ROLES)
def test_page(client, request, shop, role, field):
    user = request.getfixturevalue(role)
    client.force_login(user)
    value, stored, _column, _cell = CHANGES[field]
    url = reverse("patrols:establishment_edit", args=[shop.pk])
    form = client.get(url).context["form"]
    assert form.fields[field].disabled is not allowed(role, field)
    data = form_data(
        shop, **{field: value}, **WITH.get(field, {}), change_reason="年度复核", address="新地址1号"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    fresh = Establishment.objects.get(pk=shop.pk)
    assert fresh.address == "新地址1号"  # what the role may set is saved
    if allowed(role, field):
        assert getattr(fresh, field) == stored
        assert shop.history.first().history_change_reason == "年度复核"
    else:
        assert unchanged(shop)  # a disabled field: the posted value is ignored


def upload(shop: Establishment, column: str, cell, **more) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(["名称", "地址", "许可证号", "社区编码", "类别", column, "变更原因", *more])
    book.active.append(
        [
            shop.name,
            shop.address,
            shop.licence_no,
            shop.community.code,
            "餐饮服务",
            cell,
            "年度复核",
            *more.values(),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("shops.xlsx", buffer.getvalue())


@pytest.mark.parametrize("field", [f for f in CHANGES if f != "last_visited_on"])
@pytest.mark.parametrize("role", ROLES)
def test_import(client, request, shop, role, field):
    user = request.getfixturevalue(role)
    client.force_login(user)
    _value, stored, column, cell = CHANGES[field]
    more = {"定级日期": GRADED} if field == "food_grade" else {}
    response = client.post(
        reverse("patrols:establishment_import"), {"file": upload(shop, column, cell, **more)}
    )
    if allowed(role, field):
        assert response.status_code == 302
        assert getattr(Establishment.objects.get(pk=shop.pk), field) == stored
        assert shop.history.first().history_change_reason == "年度复核"
    else:
        assert response.status_code == 400
        assert "第 2 行" in response.text and column in response.text and DISTRICT_ONLY in response.text
        assert unchanged(shop)


@pytest.mark.parametrize("role", ROLES)
def test_import_never_sets_the_last_visit(client, request, shop, role):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("patrols:establishment_import"), {"file": upload(shop, "最近巡查日期", LAST_WEEK.isoformat())}
    )
    assert response.status_code == 302
    assert unchanged(shop)


def test_a_community_registers_with_the_district_defaults_only(api, inspector_a, community_a):
    api.force_authenticate(inspector_a)
    body = {"name": "新店", "address": "文一路1号", "community": community_a.pk, "category": "food_service"}
    assert api.post("/api/establishments/", body | {"risk_class": "A"}, format="json").status_code == 400
    assert api.post("/api/establishments/", body | {"risk_class": "B"}, format="json").status_code == 201
    assert Establishment.objects.get(name="新店").risk_class == "B"


def test_the_district_says_why_it_changes_its_fields(api, district_officer_a, shop):
    api.force_authenticate(district_officer_a)
    response = api.patch(f"/api/establishments/{shop.pk}/", {"risk_class": "A"}, format="json")
    assert response.status_code == 400 and "change_reason" in response.json()
    assert unchanged(shop)
    # Fields the community keeps need no reason.
    assert (
        api.patch(f"/api/establishments/{shop.pk}/", {"phone": "0571-1234567"}, format="json").status_code
        == 200
    )


def test_the_admin_shows_the_last_visit_read_only(client, city, shop):
    admin = UserFactory(role="admin", org_unit=city, is_staff=True, is_superuser=True, certificate_no="")
    client.force_login(admin)
    page = client.get(reverse("admin:patrols_establishment_change", args=[shop.pk])).text
    assert 'name="risk_class"' in page and 'name="last_visited_on"' not in page
    data = {
        **form_data(shop, risk_class="A"),
        "last_visited_on": LAST_WEEK.isoformat(),
        "tightened_interval_months": "",
        "food_graded_on": "",
        "phone": "",
        "legal_representative": "",
        "grid": "",
    }
    response = client.post(reverse("admin:patrols_establishment_change", args=[shop.pk]), data)
    assert response.status_code == 302
    fresh = Establishment.objects.get(pk=shop.pk)
    assert fresh.risk_class == "A" and fresh.last_visited_on is None
    assert shop.history.first().history_user == admin


# Proposals


def test_a_community_proposes_and_the_district_accepts_on_the_page(client, shop, head_a, district_officer_a):
    client.force_login(head_a)
    page = client.get(reverse("patrols:establishment_detail", args=[shop.pk]))
    assert page.context["proposal_form"] is not None
    response = client.post(
        reverse("patrols:proposal_create", args=[shop.pk]),
        {
            "risk_class": "A",
            "watch_list": "black",
            "food_grade": "",
            "model_status": "",
            "reason": "多次投诉",
        },
    )
    assert response.status_code == 302
    proposal = EstablishmentChangeProposal.objects.get()
    assert proposal.changes == {"risk_class": "A", "watch_list": "black"}
    assert unchanged(shop)  # nothing changes until the district decides
    assert Notification.objects.filter(recipient=district_officer_a, body="多次投诉").exists()

    client.force_login(district_officer_a)
    assert "多次投诉" in client.get(reverse("patrols:proposal_list")).text
    response = client.post(reverse("patrols:proposal_accept", args=[proposal.pk]), {"note": "同意"})
    assert response.status_code == 302
    fresh = Establishment.objects.get(pk=shop.pk)
    assert (fresh.risk_class, fresh.watch_list) == ("A", "black")
    latest = shop.history.first()
    assert (latest.history_user, latest.history_change_reason) == (district_officer_a, "多次投诉")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.ACCEPTED, district_officer_a)
    assert Notification.objects.filter(recipient=head_a, title__contains="已采纳").exists()
    page = client.get(reverse("patrols:establishment_detail", args=[shop.pk])).text
    assert "多次投诉" in page and "黑名单（警示）" in page  # the history says who, what and why


def test_the_district_refuses_over_the_api_with_a_note(api, shop, inspector_a, district_officer_a):
    api.force_authenticate(inspector_a)
    body = {
        "establishment": shop.pk,
        "changes": {"food_grade": "A", "food_graded_on": GRADED.isoformat()},
        "reason": "已整改",
    }
    response = api.post("/api/establishment-proposals/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api.post(f"/api/establishment-proposals/{pk}/accept/", {}, format="json").status_code == 403

    api.force_authenticate(district_officer_a)
    assert api.post(f"/api/establishment-proposals/{pk}/refuse/", {}, format="json").status_code == 400
    response = api.post(f"/api/establishment-proposals/{pk}/refuse/", {"note": "尚未复查"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "refused"
    assert unchanged(shop)
    assert Notification.objects.filter(recipient=inspector_a, body="尚未复查").exists()
    again = api.post(f"/api/establishment-proposals/{pk}/accept/", {}, format="json")
    assert again.status_code == 400  # decided once


def test_a_proposal_must_change_something_valid(api, shop, inspector_a):
    api.force_authenticate(inspector_a)
    url = "/api/establishment-proposals/"
    same = {"establishment": shop.pk, "changes": {"risk_class": shop.risk_class}, "reason": "无"}
    assert api.post(url, same, format="json").status_code == 400
    no_date = {"establishment": shop.pk, "changes": {"food_grade": "A"}, "reason": "已整改"}
    assert "food_graded_on" in api.post(url, no_date, format="json").json()
    no_reason = {"establishment": shop.pk, "changes": {"risk_class": "A"}, "reason": ""}
    assert api.post(url, no_reason, format="json").status_code == 400
    assert not EstablishmentChangeProposal.objects.exists()


def test_the_district_does_not_propose_and_another_community_sees_nothing(
    api, client, shop, inspector_a, inspector_b, district_officer_a, district_officer_c
):
    api.force_authenticate(district_officer_a)
    body = {"establishment": shop.pk, "changes": {"risk_class": "A"}, "reason": "x"}
    assert api.post("/api/establishment-proposals/", body, format="json").status_code == 403
    api.force_authenticate(inspector_a)
    pk = api.post("/api/establishment-proposals/", body, format="json").json()["id"]
    for outsider in (inspector_b, district_officer_c):
        api.force_authenticate(outsider)
        assert api.get(f"/api/establishment-proposals/{pk}/").status_code == 404
        assert api.post(f"/api/establishment-proposals/{pk}/accept/", {}, format="json").status_code == 404
        assert api.get("/api/establishment-proposals/").json()["count"] == 0
        client.force_login(outsider)
        assert client.post(reverse("patrols:proposal_accept", args=[pk])).status_code == 404
    assert EstablishmentChangeProposal.objects.get().status == ProposalStatus.PENDING
