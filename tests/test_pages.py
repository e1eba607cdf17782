"""The pages people use: log in, land on the home of their tier, register and edit establishments."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Role
from patrols.models import Establishment
from patrols.services import records
from tests.factories import EstablishmentFactory, UserFactory
from tests.test_query_counts import post_visit

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_login_page_is_in_chinese_and_logs_in(client, inspector_a):
    page = client.get(reverse("login"))
    assert "登录" in page.text and 'name="viewport"' in page.text
    response = client.post(reverse("login"), {"username": "inspector_a", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == inspector_a


def test_wrong_password_says_so_in_chinese(client, inspector_a):
    response = client.post(reverse("login"), {"username": "inspector_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.text


def test_logout_ends_the_session(client, inspector_a):
    client.force_login(inspector_a)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, inspector_a):
    client.force_login(inspector_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "Xq7-patrol-2026",
            "new_password2": "Xq7-patrol-2026",
        },
    )
    assert response.status_code == 302
    inspector_a.refresh_from_db()
    assert inspector_a.check_password("Xq7-patrol-2026")


def test_inspector_home_lists_overdue_establishments_first(client, inspector_a, community_a):
    today = timezone.localdate()
    EstablishmentFactory(community=community_a, name="按期商户", risk_class="C", last_visited_on=today)
    EstablishmentFactory(
        community=community_a, name="逾期商户", risk_class="A", last_visited_on=today - dt.timedelta(days=45)
    )
    client.force_login(inspector_a)
    page = client.get(reverse("home"))
    # The list names only the shop due for a visit.
    assert "逾期商户" in page.text and "按期商户" not in page.text
    assert "优先巡查" in page.text and "逾期未巡查" in page.text


def test_community_head_is_warned_about_a_small_team(client, community_a, inspector_a):
    head = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_a, certificate_no="")
    client.force_login(head)
    page = client.get(reverse("home"))
    assert "巡查小组至少需要 2 名" in page.text
    assert "应当有且仅有 1 名" in page.text


def test_district_home_shows_its_communities_with_team_warnings(
    client, district_officer_a, inspector_a, shop_a
):
    client.force_login(district_officer_a)
    page = client.get(reverse("home"))
    rows = {row["unit"].name: row for row in page.context["rows"]}
    assert set(rows) == {"翠苑社区"}
    assert rows["翠苑社区"]["open"] == 1
    assert rows["翠苑社区"]["problems"]


def test_city_home_shows_every_district(client, city_officer, shop_a, shop_c):
    client.force_login(city_officer)
    page = client.get(reverse("home"))
    rows = {row["unit"].name: row["open"] for row in page.context["rows"]}
    assert rows == {"东城区": 1, "西湖区": 1}


def test_language_switch_to_english(client, inspector_a):
    client.force_login(inspector_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home"))
    assert "Visit these first" in page.text
    assert '<html lang="en">' in page.text


def test_inspector_registers_an_establishment_in_own_community(client, inspector_a, community_a, community_b):
    client.force_login(inspector_a)
    form_page = client.get(reverse("patrols:establishment_create"))
    assert list(form_page.context["form"].fields["community"].queryset) == [community_a]
    response = client.post(
        reverse("patrols:establishment_create"),
        {
            "name": "新开面馆",
            "address": "文三路8号",
            "community": community_a.pk,
            "category": "food_service",
            "status": "open",
            "risk_class": "A",  # the district's to set: the form ignores it (patrols.governance)
            "registered_on": "2026-01-05",
        },
    )
    shop = Establishment.objects.get(name="新开面馆")
    assert response.url == reverse("patrols:establishment_detail", args=[shop.pk])
    assert shop.risk_class == "B" and shop.next_visit_due == dt.date(2026, 4, 5)
    assert shop.history.get().history_user == inspector_a


def test_form_errors_are_in_chinese_and_nothing_is_saved(client, district_officer_a, community_b, shop_a):
    client.force_login(district_officer_a)  # who may grade (patrols.governance)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("patrols:establishment_edit", args=[shop_a.pk]),
        {
            "name": "张记面馆",
            "address": "文三路1号",
            "community": shop_a.community_id,
            "category": "pharmacy",
            "status": "open",
            "risk_class": "B",
            "registered_on": "2025-01-01",
            "food_graded_on": future,
            "food_grade": "A",
            "change_reason": "复核",
        },
    )
    assert response.status_code == 200
    assert "该日期晚于今天" in response.text
    assert "只有餐饮服务单位参与量化分级" in response.text
    shop_a.refresh_from_db()
    assert shop_a.category == "food_retail" and shop_a.food_grade == ""


def test_edit_is_recorded_in_the_history(client, inspector_a, shop_a):
    client.force_login(inspector_a)
    client.post(
        reverse("patrols:establishment_edit", args=[shop_a.pk]),
        {
            "name": "张记面馆",
            "address": "文三路99号",
            "community": shop_a.community_id,
            "category": "food_retail",
            "status": "open",
            "risk_class": "B",
            "registered_on": "2025-01-01",
        },
    )
    page = client.get(reverse("patrols:establishment_detail", args=[shop_a.pk]))
    assert "文三路99号" in page.text
    latest = shop_a.history.first()
    assert latest.history_user == inspector_a and latest.address == "文三路99号"


def test_list_filters_and_search(client, district_officer_a, community_a, community_b):
    EstablishmentFactory(community=community_a, name="翠苑药房", category="pharmacy")
    EstablishmentFactory(community=community_b, name="文新药房", category="pharmacy")
    EstablishmentFactory(community=community_b, name="文新超市", category="food_retail")
    client.force_login(district_officer_a)
    page = client.get(
        reverse("patrols:establishment_list"), {"category": "pharmacy", "community": community_b.pk}
    )
    assert [e.name for e in page.context["page"]] == ["文新药房"]
    page = client.get(reverse("patrols:establishment_list"), {"q": "超市"})
    assert [e.name for e in page.context["page"]] == ["文新超市"]


def test_api_schema_docs_and_token(client, api, inspector_a, shop_a):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/establishments/" in schema.content and b"/api/org-units/" in schema.content
    assert client.get("/api/docs/").status_code == 200
    token = api.post("/api/auth/token/", {"username": "inspector_a", "password": "pw-for-tests-1"}).json()[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [row["name"] for row in api.get("/api/establishments/").json()["results"]] == ["张记面馆"]


def test_api_creates_and_validates_in_chinese(api, inspector_a, district_officer_a, community_a):
    api.force_authenticate(district_officer_a)  # who may grade (patrols.governance)
    response = api.post(
        "/api/establishments/",
        {
            "name": "新店",
            "address": "文一路1号",
            "community": community_a.pk,
            "category": "pharmacy",
            "food_grade": "A",
            "food_graded_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "只有餐饮服务单位参与量化分级" in str(response.json())
    api.force_authenticate(inspector_a)
    response = api.post(
        "/api/establishments/",
        {"name": "新店", "address": "文一路1号", "community": community_a.pk, "category": "pharmacy"},
    )
    assert response.status_code == 201
    assert response.json()["next_visit_due"]
    assert Establishment.objects.get(name="新店").history.get().history_user == inspector_a


def test_api_refuses_delete(api, city_officer, shop_a):
    api.force_authenticate(city_officer)
    assert api.delete(f"/api/establishments/{shop_a.pk}/").status_code == 405
    assert Establishment.objects.filter(pk=shop_a.pk).exists()


def test_chinese_is_the_default_whatever_the_browser_asks(client, inspector_a):
    client.force_login(inspector_a)
    page = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "优先巡查" in page.text


def test_openapi_schema_has_no_warnings():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/patrols/" in out.getvalue() and "/api/incidents/" in out.getvalue()


def menu(page) -> str:
    """The navigation a user has: the bottom bar (community staff) or the side menu (offices)."""
    text = page.text
    for start, end in (('<nav class="bottombar"', "</nav>"), ('<nav class="sidebar"', "</nav>")):
        if start in text:
            return text[text.index(start) : text.index(end, text.index(start))]
    raise AssertionError("no navigation on the page")


def test_the_menu_shows_each_user_the_pages_of_their_role(
    client, inspector_a, volunteer_a, district_officer_a
):
    client.force_login(inspector_a)
    inspector_menu = menu(client.get(reverse("home")))
    assert "今日巡查" in inspector_menu and "报送看板" not in inspector_menu
    client.force_login(district_officer_a)
    officer_menu = menu(client.get(reverse("home")))
    assert "报送看板" in officer_menu and "今日巡查" not in officer_menu and "管理后台" not in officer_menu
    client.force_login(volunteer_a)
    volunteer_menu = menu(client.get(reverse("home")))
    assert "巡查记录" not in volunteer_menu and reverse("publicity:home") in volunteer_menu


def test_an_inspectors_phone_has_a_bottom_bar_of_five_and_the_rest_under_me(client, inspector_a):
    client.force_login(inspector_a)
    page = client.get(reverse("home")).text
    bar = menu(client.get(reverse("home")))
    labels = re.findall(r"</span>([^<]+)", bar)
    assert labels == ["今日巡查", "商户", "隐患", "消息", "我的"]
    assert 'class="menu"' not in page, "no ☰ on a phone with a bottom bar"
    me = client.get(reverse("me")).text
    assert "月度报送" in me and "巡查日历" in me and 'id="log-out"' in me
    assert reverse("api_docs") not in me, "the API explorer is not an everyday page"


def test_the_api_explorer_is_reached_from_the_admin(client, admin_user, district_officer_a):
    client.force_login(district_officer_a)
    assert reverse("api_docs") not in client.get(reverse("home")).text
    client.force_login(admin_user)
    admin_index = client.get(reverse("admin:index")).text
    assert reverse("api_docs") in admin_index and "返回系统" in admin_index
    assert "食品药品安全进社区 · 管理后台" in admin_index and "Django" not in admin_index


def test_office_lists_are_tables(client, district_officer_a, community_a):
    EstablishmentFactory(community=community_a, name="表格里的商户")
    client.force_login(district_officer_a)
    for name in ("establishment_list", "finding_list", "lead_list", "incident_list", "patrol_list"):
        page = client.get(reverse(f"patrols:{name}")).text
        assert '<table class="records">' in page, name
    assert "表格里的商户" in client.get(reverse("patrols:establishment_list")).text


def test_the_menu_follows_the_language_and_the_unread_count(client, inspector_a):
    from notifications.services import notify

    client.force_login(inspector_a)
    assert "今日巡查" in menu(client.get(reverse("home")))
    notify(recipients=[inspector_a], title="通知", body="")
    assert '<span class="badge overdue">1</span>' in menu(client.get(reverse("home")))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = menu(client.get(reverse("home")))
    assert "Today&#x27;s patrol" in english and "今日巡查" not in english


def test_the_page_chrome_follows_the_language_and_the_personal_parts_are_each_users(
    client, inspector_a, inspector_b
):
    client.force_login(inspector_a)
    chinese = client.get(reverse("me")).text
    assert "食品药品安全进社区" in chinese and '<option value="zh-hans" selected>' in chinese
    assert f'action="{reverse("logout")}"' in chinese and f'data-user="{inspector_a.pk}"' in chinese
    assert 'name="next" type="hidden" value="/me/"' in chinese

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("home")).text
    assert '<a class="brand" href="/">Food & Drug Safety in the Community</a>' in english
    assert "食品药品安全进社区" not in english
    assert '<option value="en" selected>' in english and 'value="/"' in english

    client.force_login(inspector_b)
    other = client.get(reverse("me")).text
    assert f'data-user="{inspector_b.pk}"' in other and f'data-user="{inspector_a.pk}"' not in other
    # Each page carries its own CSRF token in the logout and language forms.
    assert csrf_tokens(other) != csrf_tokens(english) and len(csrf_tokens(other)) == 2


def csrf_tokens(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('name="csrfmiddlewaretoken" value="')[1:]]


def api_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_the_establishment_list_api_filters_and_orders(api, district_officer_a, shop_a, shop_b):
    api.force_authenticate(district_officer_a)
    assert api_names(api.get("/api/establishments/")) == ["张记面馆", "百姓大药房"]
    assert api_names(api.get("/api/establishments/?q=面馆")) == ["张记面馆"]
    assert [row["name"] for row in api.get("/api/establishments/?ordering=-name").json()["results"]] == [
        "百姓大药房",
        "张记面馆",
    ]


def test_a_recorded_visit_shows_its_date_in_the_establishment_list_api(api, inspector_a, partner_a, shop_a):
    api.force_authenticate(inspector_a)
    before = api.get("/api/establishments/").json()["results"][0]
    patrol, _created = records.patrol_start(user=inspector_a, team=[partner_a])
    assert post_visit(api, patrol, shop_a, []).status_code == 201
    after = api.get("/api/establishments/").json()["results"][0]
    shop_a.refresh_from_db()
    assert before["last_visited_on"] != after["last_visited_on"] == shop_a.last_visited_on.isoformat()
    assert after["next_visit_due"] == shop_a.next_visit_due.isoformat() != before["next_visit_due"]


def test_visit_states_in_the_establishment_list_api_are_judged_by_the_day(api, inspector_a, shop_a, clock):
    api.force_authenticate(inspector_a)
    due = shop_a.next_visit_due
    clock.set(dt.datetime.combine(due, dt.time(12), SHANGHAI))
    assert api.get("/api/establishments/").json()["results"][0]["visit_state"] == "due"
    clock.set(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), SHANGHAI))
    assert api.get("/api/establishments/").json()["results"][0]["visit_state"] == "overdue"


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
