"""Public red and black lists (issue 22, item 6a): each entry's date and reason, set with the list by the
district; published by the district office as snapshots on a public page per district."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from patrols.models import Establishment, ImmutableError, Status, WatchListPublication
from patrols.services.establishments import establishment_save
from patrols.services.watch_lists import watch_list_publish

pytestmark = pytest.mark.django_db


def put_on_list(shop: Establishment, user, watch_list: str, reason: str) -> Establishment:
    shop = Establishment.objects.get(pk=shop.pk)
    shop.watch_list = watch_list
    return establishment_save(establishment=shop, user=user, reason=reason)


def public_page(client, district, pk=None) -> str:
    if pk is None:
        url = reverse("patrols:public_watch_lists", args=[district.code])
    else:
        url = reverse("patrols:public_watch_list_publication", args=[district.code, pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_listing_stamps_the_date_and_reason_and_keeps_history(shop_a, district_officer_a):
    shop = put_on_list(shop_a, district_officer_a, "black", "一年内三次抽检不合格")
    assert shop.watch_listed_on == timezone.localdate()
    assert shop.watch_list_reason == "一年内三次抽检不合格"
    assert shop.history.first().watch_list_reason == "一年内三次抽检不合格"
    shop = put_on_list(shop, district_officer_a, "", "整改到位，移出黑名单")
    assert (shop.watch_listed_on, shop.watch_list_reason) == (None, "")
    assert shop.history.all()[1].watch_list == "black"  # the listing stays in the history


def test_edit_page_stamps_the_listing(client, shop_a, district_officer_a):
    client.force_login(district_officer_a)
    data = {
        "name": shop_a.name,
        "address": shop_a.address,
        "community": shop_a.community_id,
        "category": shop_a.category,
        "status": shop_a.status,
        "licence_no": shop_a.licence_no,
        "risk_class": shop_a.risk_class,
        "watch_list": "red",
        "food_grade": shop_a.food_grade,
        "model_status": shop_a.model_status,
        "registered_on": shop_a.registered_on.isoformat(),
        "change_reason": "连续三年无违法记录",
    }
    response = client.post(reverse("patrols:establishment_edit", args=[shop_a.pk]), data)
    assert response.status_code == 302
    shop = Establishment.objects.get(pk=shop_a.pk)
    assert (shop.watch_list, shop.watch_list_reason) == ("red", "连续三年无违法记录")
    assert shop.watch_listed_on == timezone.localdate()


def test_black_listed_shop_is_public_only_after_publishing(
    client, shop_a, shop_b, district_a, district_officer_a
):
    put_on_list(shop_a, district_officer_a, "black", "一年内三次抽检不合格")
    page = public_page(client, district_a)
    assert "张记面馆" not in page and "尚未公布" in page
    first = watch_list_publish(user=district_officer_a, district=district_a)
    page = public_page(client, district_a)
    assert "张记面馆" in page
    assert "一年内三次抽检不合格" in page
    assert timezone.localdate().isoformat() in page
    assert shop_a.address in page
    # Listed later: not public until the next publication, and the older one stays reachable.
    put_on_list(shop_b, district_officer_a, "red", "诚信经营示范")
    assert "百姓大药房" not in public_page(client, district_a)
    second = watch_list_publish(user=district_officer_a, district=district_a)
    latest = public_page(client, district_a)
    assert "百姓大药房" in latest and "张记面馆" in latest
    assert reverse("patrols:public_watch_list_publication", args=[district_a.code, first.pk]) in latest
    older = public_page(client, district_a, first.pk)
    assert "百姓大药房" not in older and "张记面馆" in older
    assert WatchListPublication.objects.first() == second


def test_public_page_shows_nothing_else(client, shop_a, district_a, district_officer_a):
    shop_a.legal_representative, shop_a.phone = "张三丰", "13900001111"
    shop_a.save()
    put_on_list(shop_a, district_officer_a, "black", "多次投诉")
    watch_list_publish(user=district_officer_a, district=district_a)
    page = public_page(client, district_a)
    assert "张三丰" not in page and "13900001111" not in page
    assert reverse("patrols:establishment_detail", args=[shop_a.pk]) not in page


def test_closed_establishments_are_left_out(client, shop_a, district_a, district_officer_a):
    put_on_list(shop_a, district_officer_a, "black", "多次投诉")
    Establishment.objects.filter(pk=shop_a.pk).update(status=Status.CLOSED)
    publication = watch_list_publish(user=district_officer_a, district=district_a)
    assert publication.entries.count() == 0


def test_only_the_districts_own_office_publishes(
    client, shop_a, district_a, district_officer_c, inspector_a, head_a, city_officer
):
    for user in (district_officer_c, inspector_a, head_a, city_officer):
        with pytest.raises(PermissionDenied):
            watch_list_publish(user=user, district=district_a)
    for user in (inspector_a, head_a, city_officer):
        client.force_login(user)
        assert client.post(reverse("patrols:watch_list_publish")).status_code == 403
        assert client.get(reverse("patrols:watch_lists")).status_code == 403
    # Another district's office publishes for its own district only.
    client.force_login(district_officer_c)
    client.post(reverse("patrols:watch_list_publish"))
    assert not WatchListPublication.objects.filter(district=district_a).exists()


def test_another_districts_publication_is_404(
    client, district_a, district_c, district_officer_a, district_officer_c
):
    mine = watch_list_publish(user=district_officer_a, district=district_a)
    watch_list_publish(user=district_officer_c, district=district_c)
    url = reverse("patrols:public_watch_list_publication", args=[district_c.code, mine.pk])
    assert client.get(url).status_code == 404


def test_unknown_district_is_404(client, community_a):
    assert client.get(reverse("patrols:public_watch_lists", args=["999999"])).status_code == 404
    # a community's code is not a district's
    assert client.get(reverse("patrols:public_watch_lists", args=[community_a.code])).status_code == 404


def test_office_page_publishes(client, shop_a, district_a, district_officer_a):
    put_on_list(shop_a, district_officer_a, "black", "多次投诉")
    client.force_login(district_officer_a)
    page = client.get(reverse("patrols:watch_lists")).content.decode()
    assert "张记面馆" in page and "多次投诉" in page
    response = client.post(reverse("patrols:watch_list_publish"))
    assert response.status_code == 302
    publication = WatchListPublication.objects.get(district=district_a)
    assert publication.published_by == district_officer_a
    assert [entry.name for entry in publication.entries.all()] == ["张记面馆"]


def test_a_publication_is_never_changed(district_a, district_officer_a):
    publication = watch_list_publish(user=district_officer_a, district=district_a)
    with pytest.raises(ImmutableError):
        publication.save()
    with pytest.raises(ImmutableError):
        publication.delete()


def test_api_listing_stamps_and_shows_the_date_and_reason(api, shop_a, district_officer_a, inspector_a):
    api.force_authenticate(district_officer_a)
    url = f"/api/establishments/{shop_a.pk}/"
    body = {"watch_list": "black", "change_reason": "多次投诉", "watch_listed_on": "2001-01-01"}
    response = api.patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["watch_listed_on"] == timezone.localdate().isoformat()  # the server's day
    assert response.json()["watch_list_reason"] == "多次投诉"
    api.force_authenticate(inspector_a)
    assert api.get(url).json()["watch_list_reason"] == "多次投诉"


def test_import_stamps_the_listing(client, district_officer_a, community_a):
    from tests.test_import import post, workbook

    client.force_login(district_officer_a)
    row = ["百姓大药房", "文三路2号", "YP2002", community_a.code, "药品零售", "B", "黑名单（警示）", None]
    assert post(client, workbook([row])).status_code == 302
    shop = Establishment.objects.get(licence_no="YP2002")
    assert (shop.watch_list, shop.watch_listed_on) == ("black", timezone.localdate())
    assert shop.watch_list_reason  # the import's reason ("Imported from Excel" unless the file says why)
