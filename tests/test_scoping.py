"""Nobody sees or changes an establishment outside their org unit (§1)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from patrols.models import Establishment
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def exported_names(response) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("名称")
    return {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_inspector_cannot_open_other_community_establishment_page(client, inspector_a, shop_a, shop_b):
    client.force_login(inspector_a)
    assert client.get(reverse("patrols:establishment_detail", args=[shop_a.pk])).status_code == 200
    assert client.get(reverse("patrols:establishment_detail", args=[shop_b.pk])).status_code == 404
    assert client.get(reverse("patrols:establishment_edit", args=[shop_b.pk])).status_code == 404


def test_inspector_cannot_change_other_community_establishment_page(client, inspector_a, shop_b):
    client.force_login(inspector_a)
    response = client.post(
        reverse("patrols:establishment_edit", args=[shop_b.pk]),
        {"name": "改名", "address": "x", "community": shop_b.community_id, "category": "pharmacy"},
    )
    assert response.status_code == 404
    shop_b.refresh_from_db()
    assert shop_b.name == "百姓大药房"


def test_inspector_list_and_export_hold_only_own_community(client, inspector_a, shop_a, shop_b, shop_c):
    client.force_login(inspector_a)
    page = client.get(reverse("patrols:establishment_list"))
    assert "张记面馆" in page.text
    assert "百姓大药房" not in page.text
    export = client.get(reverse("patrols:establishment_export"))
    assert export.status_code == 200
    assert exported_names(export) == {"张记面馆"}


def test_inspector_export_ignores_other_community_filter(client, inspector_a, shop_a, shop_b):
    client.force_login(inspector_a)
    export = client.get(reverse("patrols:establishment_export"), {"community": shop_b.community_id})
    assert "百姓大药房" not in exported_names(export)


def test_inspector_cannot_read_or_change_other_community_establishment_api(api, inspector_a, shop_a, shop_b):
    api.force_authenticate(inspector_a)
    assert api.get(f"/api/establishments/{shop_a.pk}/").status_code == 200
    assert api.get(f"/api/establishments/{shop_b.pk}/").status_code == 404
    assert api.patch(f"/api/establishments/{shop_b.pk}/", {"name": "改名"}).status_code == 404
    listed = api.get("/api/establishments/").json()["results"]
    assert [row["name"] for row in listed] == ["张记面馆"]
    shop_b.refresh_from_db()
    assert shop_b.name == "百姓大药房"


def test_inspector_cannot_register_establishment_in_other_community_api(api, inspector_a, community_b):
    api.force_authenticate(inspector_a)
    response = api.post(
        "/api/establishments/",
        {"name": "新店", "address": "文一路1号", "community": community_b.pk, "category": "food_retail"},
    )
    assert response.status_code == 400
    assert "community" in response.json()
    assert not Establishment.objects.filter(name="新店").exists()


def test_inspector_cannot_move_own_establishment_to_other_community(api, inspector_a, shop_a, community_b):
    api.force_authenticate(inspector_a)
    response = api.patch(f"/api/establishments/{shop_a.pk}/", {"community": community_b.pk})
    assert response.status_code == 400
    shop_a.refresh_from_db()
    assert shop_a.community_id == inspector_a.org_unit_id


def test_district_officer_sees_exactly_their_districts_communities(
    api, client, district_officer_a, community_a, community_b, community_c, shop_a, shop_b, shop_c
):
    api.force_authenticate(district_officer_a)
    units = api.get("/api/org-units/", {"kind": "community"}).json()["results"]
    assert {u["name"] for u in units} == {"翠苑社区", "文新社区"}
    shops = api.get("/api/establishments/").json()["results"]
    assert {s["name"] for s in shops} == {"张记面馆", "百姓大药房"}
    assert api.get(f"/api/establishments/{shop_c.pk}/").status_code == 404
    assert api.get(f"/api/org-units/{community_c.pk}/").status_code == 404

    client.force_login(district_officer_a)
    home = client.get(reverse("home"))
    assert "翠苑社区" in home.text and "文新社区" in home.text
    assert "北山社区" not in home.text
    assert client.get(reverse("patrols:establishment_detail", args=[shop_c.pk])).status_code == 404


def test_city_officer_sees_all(api, city_officer, shop_a, shop_b, shop_c):
    api.force_authenticate(city_officer)
    shops = api.get("/api/establishments/").json()["results"]
    assert {s["name"] for s in shops} == {"张记面馆", "百姓大药房", "阳光幼儿园食堂"}
    units = api.get("/api/org-units/", {"kind": "community"}).json()["results"]
    assert len(units) == 3


def test_users_api_is_scoped_and_read_only(api, inspector_a, inspector_b, district_officer_a):
    api.force_authenticate(inspector_a)
    names = {u["username"] for u in api.get("/api/users/").json()["results"]}
    assert names == {"inspector_a"}
    assert api.get(f"/api/users/{inspector_b.pk}/").status_code == 404
    assert api.patch(f"/api/users/{inspector_a.pk}/", {"role": "city_officer"}).status_code == 405

    api.force_authenticate(district_officer_a)
    names = {u["username"] for u in api.get("/api/users/").json()["results"]}
    assert names == {"inspector_a", "inspector_b", "officer_a"}


def test_volunteer_has_no_access_to_registry(client, api, volunteer_a, shop_a):
    client.force_login(volunteer_a)
    assert client.get(reverse("patrols:establishment_list")).status_code == 403
    assert client.get(reverse("patrols:establishment_detail", args=[shop_a.pk])).status_code == 403
    api.force_authenticate(volunteer_a)
    assert api.get("/api/establishments/").json()["results"] == []


def test_anonymous_is_sent_to_login_and_refused_by_api(client, api, shop_a):
    response = client.get(reverse("patrols:establishment_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert api.get("/api/establishments/").status_code in (401, 403)


def api_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_inspectors_of_two_communities_each_list_their_own_api(api, inspector_a, inspector_b, shop_a, shop_b):
    api.force_authenticate(inspector_a)
    assert api_names(api.get("/api/establishments/")) == ["张记面馆"]
    api.force_authenticate(inspector_b)
    assert api_names(api.get("/api/establishments/")) == ["百姓大药房"]
    api.force_authenticate(inspector_a)
    assert api_names(api.get("/api/establishments/")) == ["张记面馆"]


def test_a_user_moved_to_another_community_sees_its_establishments(
    api, inspector_a, community_b, shop_a, shop_b
):
    api.force_authenticate(inspector_a)
    assert api_names(api.get("/api/establishments/")) == ["张记面馆"]
    inspector_a.org_unit = community_b
    inspector_a.save()
    assert api_names(api.get("/api/establishments/")) == ["百姓大药房"]


def test_an_establishment_moved_to_another_community_leaves_the_first_ones_list(
    api, inspector_a, inspector_b, shop_a, shop_b, community_b
):
    for user, listed in ((inspector_a, ["张记面馆"]), (inspector_b, ["百姓大药房"])):
        api.force_authenticate(user)
        assert api_names(api.get("/api/establishments/")) == listed
    shop_a.community = community_b
    shop_a.save()
    api.force_authenticate(inspector_a)
    assert api_names(api.get("/api/establishments/")) == []
    api.force_authenticate(inspector_b)
    assert api_names(api.get("/api/establishments/")) == ["张记面馆", "百姓大药房"]


def test_a_new_establishment_in_another_community_of_the_district_shows_to_its_officer(
    api, district_officer_a, shop_a, community_b
):
    api.force_authenticate(district_officer_a)
    assert api_names(api.get("/api/establishments/")) == ["张记面馆"]
    EstablishmentFactory(community=community_b, name="百姓大药房")
    assert api_names(api.get("/api/establishments/")) == ["张记面馆", "百姓大药房"]
