"""The public face (§11): an establishment's page behind its QR code, and the public lead form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.signing import Signer
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from patrols.models import (
    Category,
    FoodGrade,
    Lead,
    LeadSource,
    LeadStatus,
    Patrol,
    PatrolStatus,
    Visit,
    VisitResult,
)
from patrols.services.leads import lead_report
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def restaurant_a(community_a):
    return EstablishmentFactory(
        community=community_a,
        name="老王饭店",
        licence_no="JY13301010000001",
        category=Category.FOOD_SERVICE,
        food_grade=FoodGrade.B,
        food_graded_on=dt.date(2024, 5, 6),
    )


def token_for(establishment) -> str:
    return Signer(salt="public-establishment").sign(str(establishment.pk))


def public_url(establishment) -> str:
    return reverse("patrols:public_establishment", args=[token_for(establishment)])


def visit(establishment, inspector, *, on: dt.datetime, status: str, result: str) -> Visit:
    patrol = Patrol.objects.create(
        community=establishment.community, date=on.date(), created_by=inspector, status=status
    )
    return Visit.objects.create(patrol=patrol, establishment=establishment, visited_at=on, result=result)


def test_public_page_shows_licence_grade_and_last_archived_visit(client, restaurant_a, inspector_a):
    tz = timezone.get_current_timezone()
    visit(
        restaurant_a,
        inspector_a,
        on=dt.datetime(2025, 3, 1, 10, tzinfo=tz),
        status=PatrolStatus.ARCHIVED,
        result=VisitResult.ISSUES,
    )
    visit(
        restaurant_a,
        inspector_a,
        on=dt.datetime(2025, 3, 9, 10, tzinfo=tz),
        status=PatrolStatus.ARCHIVED,
        result=VisitResult.COMPLIANT,
    )
    visit(
        restaurant_a,
        inspector_a,
        on=dt.datetime(2025, 3, 20, 10, tzinfo=tz),
        status=PatrolStatus.SUBMITTED,
        result=VisitResult.ISSUES,
    )
    response = client.get(public_url(restaurant_a))
    assert response.status_code == 200
    page = response.text
    assert "老王饭店" in page
    assert "JY13301010000001" in page
    assert "2024-05-06" in page
    assert restaurant_a.get_food_grade_display() in page
    assert "2025-03-09" in page
    assert str(VisitResult.COMPLIANT.label) in page
    assert "2025-03-20" not in page
    assert "2025-03-01" not in page


def test_public_page_without_archived_visit_says_so(client, shop_a):
    page = client.get(public_url(shop_a)).text
    assert "暂无巡查记录" in page
    assert "量化分级" not in page  # a food shop is not graded


@pytest.mark.parametrize("token", ["1", "1:forged", "abc", "1:" + "x" * 27])
def test_bad_token_is_404(client, shop_a, token):
    assert client.get(reverse("patrols:public_establishment", args=[token])).status_code == 404
    assert client.get(reverse("patrols:public_establishment_qr", args=[token])).status_code == 404


def test_token_of_a_removed_establishment_is_404(client):
    token = Signer(salt="public-establishment").sign("999")
    assert client.get(reverse("patrols:public_establishment", args=[token])).status_code == 404


def test_qr_code_is_svg_of_the_public_page(client, shop_a):
    response = client.get(reverse("patrols:public_establishment_qr", args=[token_for(shop_a)]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_establishment_page_offers_the_printable_qr_code(client, inspector_a, shop_a, shop_b):
    client.force_login(inspector_a)
    detail = client.get(reverse("patrols:establishment_detail", args=[shop_a.pk])).text
    assert reverse("patrols:establishment_qr", args=[shop_a.pk]) in detail
    assert reverse("patrols:establishment_poster", args=[shop_a.pk]) in detail
    poster = client.get(reverse("patrols:establishment_poster", args=[shop_a.pk]))
    assert "http://testserver" + public_url(shop_a) in poster.text
    qr = client.get(reverse("patrols:establishment_qr", args=[shop_a.pk]))
    assert qr["Content-Type"] == "image/svg+xml"
    assert client.get(reverse("patrols:establishment_poster", args=[shop_b.pk])).status_code == 404
    assert client.get(reverse("patrols:establishment_qr", args=[shop_b.pk])).status_code == 404


def test_public_lead_is_stored_and_district_staff_are_notified(client, shop_a, district_officer_a):
    response = client.post(
        public_url(shop_a),
        {"description": "买到的熟食有异味", "reporter_name": "王五", "reporter_phone": "13900002222"},
        follow=True,
    )
    assert response.status_code == 200
    assert "谢谢！您的举报已送达区食品药品监督所。" in response.text
    lead = Lead.objects.get()
    assert (lead.source, lead.establishment, lead.community, lead.reporter) == (
        LeadSource.PUBLIC,
        shop_a,
        shop_a.community,
        None,
    )
    assert (lead.reporter_name, lead.reporter_phone, lead.status) == (
        "王五",
        "13900002222",
        LeadStatus.REPORTED,
    )
    assert lead.events.get().status == LeadStatus.REPORTED
    notice = Notification.objects.get(recipient=district_officer_a)
    assert notice.title == "新线索：张记面馆"
    assert notice.link == reverse("patrols:lead_detail", args=[lead.pk])


def test_public_lead_needs_a_description(client, shop_a):
    response = client.post(public_url(shop_a), {"description": "  ", "reporter_name": "王五"})
    assert response.status_code == 200
    assert not Lead.objects.exists()


def test_sixth_public_lead_within_the_hour_is_refused(client, shop_a):
    for i in range(5):
        response = client.post(public_url(shop_a), {"description": f"第{i}次举报"})
        assert response.status_code == 302
    response = client.post(public_url(shop_a), {"description": "第六次举报"})
    assert response.status_code == 429
    assert "您所在网络提交举报过于频繁，请稍后再试。" in response.text
    assert Lead.objects.count() == 5
    assert not Lead.objects.filter(description="第六次举报").exists()
    other = client.post(public_url(shop_a), {"description": "另一网络"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_public_page_never_shows_reporters_or_earlier_leads(client, shop_a, inspector_a):
    client.post(
        public_url(shop_a),
        {"description": "后厨有老鼠", "reporter_name": "赵六", "reporter_phone": "13700003333"},
    )
    lead_report(
        community=shop_a.community,
        establishment=shop_a,
        description="员工无健康证",
        source=LeadSource.INSPECTOR,
        reporter=inspector_a,
    )
    page = client.get(public_url(shop_a)).text
    for secret in ("赵六", "13700003333", "后厨有老鼠", "员工无健康证", str(inspector_a)):
        assert secret not in page


def test_the_rate_limit_is_kept_in_the_database_cache_every_process_shares(client, shop_a, settings):
    """Production without Redis counts in the database's cache table (made by migrate): a second
    process, reading the same table through its own connection, refuses the sixth lead too."""
    from django.core.cache import caches
    from django.db import connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": settings.DATABASE_CACHE_TABLE,
        }
    }
    caches["default"].clear()
    for i in range(5):
        assert client.post(public_url(shop_a), {"description": f"第{i}次举报"}).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {settings.DATABASE_CACHE_TABLE}")
        assert cursor.fetchone()[0] >= 1
    caches["default"].close()  # as a new process would: nothing kept in this one's memory
    assert client.post(public_url(shop_a), {"description": "第六次举报"}).status_code == 429
    assert Lead.objects.count() == 5
