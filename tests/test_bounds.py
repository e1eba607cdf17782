"""Bounded input (config/bounds.py): every date, time and id the product accepts has a sane range;
outside it the user gets a clear error in Chinese and nothing is stored.

The cases named first are those found by hand (an incident at 0001-01-01, a photo dated 9999, a
report reopened until 9999-12-31, a 38-digit id); the property tests after them try many more.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from config import bounds
from notifications.models import Notification
from patrols.models import Establishment, Incident, Photo, Visit
from patrols.resources import DateWidget
from patrols.services import records as services
from reporting.models import Article, MonthlyReport
from tests.security_world import jpeg_upload
from tests.test_reporting_api import reopen

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OUT_OF_RANGE = "请输入 2000-01-01 至"
# Few examples per property: each one is a request against the real database.
PROPERTY = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def patrol_a(inspector_a, partner_a):
    return services.patrol_start(user=inspector_a, team=[partner_a])[0]


def incident_body(occurred_at: str) -> dict:
    return {"occurred_at": occurred_at, "unit_name": "张记面馆", "place": "文三路12号", "facts": "多人腹泻。"}


def visit_body(patrol, shop, **extra) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "patrol": str(patrol.client_id),
        "establishment": shop.pk,
        "result": "compliant",
        **extra,
    }


# The cases found by hand


def test_an_incident_at_year_one_is_refused_in_chinese_and_not_stored(api, inspector_a):
    api.force_authenticate(inspector_a)
    response = api.post("/api/incidents/", incident_body("0001-01-01T00:00"), format="json")
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.json()["occurred_at"][0]
    assert not Incident.objects.exists()


def test_an_incident_at_year_one_is_refused_on_the_page(client, inspector_a):
    client.force_login(inspector_a)
    form = {**incident_body("0001-01-01T00:00"), "people_affected": "1"}
    response = client.post("/incidents/new/", form)
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert not Incident.objects.exists()


def test_an_event_before_its_community_opened_is_refused(api, inspector_a, community_a):
    community_a.opened_on = timezone.localdate() - dt.timedelta(days=3)
    community_a.save()
    api.force_authenticate(inspector_a)
    week_ago = (timezone.localtime() - dt.timedelta(days=7)).isoformat()
    response = api.post("/api/incidents/", incident_body(week_ago), format="json")
    assert response.status_code == 400
    assert "翠苑社区" in response.json()["occurred_at"][0]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("visited_at", ["9999-12-31T23:59:59", "0001-01-01T00:00:00", "1999-12-31T12:00:00"])
def test_a_visit_at_an_impossible_time_is_refused_and_not_stored(
    api, inspector_a, patrol_a, shop_a, visited_at
):
    api.force_authenticate(inspector_a)
    response = api.post("/api/visits/", visit_body(patrol_a, shop_a, visited_at=visited_at), format="json")
    assert response.status_code == 400
    assert "visited_at" in response.json()
    assert not Visit.objects.exists()


def exif_taken(when: str, offset: str | None = None) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = when
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = when
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    return exif.tobytes()


@pytest.mark.parametrize(
    ("when", "offset"),
    [("0001:01:01 00:00:00", None), ("9999:12:31 23:59:59", "-12:00"), ("1980:01:01 00:00:00", None)],
)
def test_a_photo_with_an_impossible_time_is_kept_without_it(api, inspector_a, patrol_a, shop_a, when, offset):
    visit, _created = services.visit_record(
        user=inspector_a, patrol=patrol_a, establishment=shop_a, result="compliant"
    )
    api.force_authenticate(inspector_a)
    upload = jpeg_upload(exif=exif_taken(when, offset))
    response = api.post("/api/photos/", {"visit": str(visit.client_id), "image": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["taken_at"] is None
    assert Photo.objects.get().taken_at is None
    assert api.get(f"/api/visits/{visit.client_id}/").status_code == 200


def test_a_photo_with_a_sane_time_keeps_it(inspector_a, patrol_a, shop_a):
    visit, _created = services.visit_record(
        user=inspector_a, patrol=patrol_a, establishment=shop_a, result="compliant"
    )
    photo, _created = services.photo_add(
        user=inspector_a, visit=visit, upload=jpeg_upload(exif=exif_taken("2026:11:20 09:15:00", "+08:00"))
    )
    assert photo.taken_at == dt.datetime(2026, 11, 20, 9, 15, tzinfo=SHANGHAI)


def test_a_period_cannot_be_reopened_until_year_9999(api, district_officer_a, community_a):
    response = reopen(api, district_officer_a, community_a, until="9999-12-31")
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.json()["until"][0]
    assert not MonthlyReport.objects.filter(reopened_until__isnull=False).exists()


def test_an_establishment_registered_in_9999_is_refused(api, district_officer_a, community_a):
    api.force_authenticate(district_officer_a)
    body = {
        "name": "未来超市",
        "address": "文三路1号",
        "licence_no": "JY13300000000001",
        "community": community_a.pk,
        "category": "food_retail",
        "risk_class": "B",
        "registered_on": "9999-12-31",
    }
    response = api.post("/api/establishments/", body, format="json")
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.json()["registered_on"][0]
    assert not Establishment.objects.filter(name="未来超市").exists()


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "-1", "x"])
def test_the_calendar_answers_any_month_it_is_given(client, inspector_a, month):
    client.force_login(inspector_a)
    assert client.get("/patrols/calendar/", {"month": month}).status_code == 200


def test_a_38_digit_id_is_a_400_not_a_server_error(api, inspector_a):
    api.force_authenticate(inspector_a)
    Notification.objects.create(recipient=inspector_a, title="t")
    response = api.post("/api/notifications/mark-read/", {"ids": [10**37]}, format="json")
    assert response.status_code == 400
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize("district", ["-2.03e+225", "1.5", "99999999999999999999", "0"])
def test_an_id_filter_out_of_range_is_a_400(api, city_officer, district):
    api.force_authenticate(city_officer)
    assert api.get("/api/model-targets/", {"district": district}).status_code == 400


def test_a_path_id_out_of_range_is_a_404(api, client, inspector_a):
    api.force_authenticate(inspector_a)
    client.force_login(inspector_a)
    huge = 10**30
    assert api.get(f"/api/establishments/{huge}/").status_code == 404
    assert client.get(f"/establishments/{huge}/").status_code == 404


# Deep and large bodies


@pytest.mark.parametrize("url", ["/api/auth/token/", "/api/visits/", "/api/incidents/"])
def test_deeply_nested_json_is_a_400_before_any_serializer(api, inspector_a, url):
    api.force_authenticate(inspector_a)
    response = api.generic("POST", url, "[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]


def test_json_nested_a_little_too_deep_is_also_a_400(api, inspector_a):
    api.force_authenticate(inspector_a)
    body = '{"a":' * 30 + "1" + "}" * 30
    assert api.generic("POST", "/api/incidents/", body, content_type="application/json").status_code == 400


def test_an_oversized_body_is_a_400(api, inspector_a, settings):
    api.force_authenticate(inspector_a)
    body = '{"facts": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = api.generic("POST", "/api/incidents/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Incident.objects.exists()


# Properties


@given(st.text(max_size=60))
def test_parsing_an_id_or_a_month_never_fails(text):
    value = bounds.parse_id(text)
    assert value is None or bounds.ID_MIN <= value <= bounds.ID_MAX
    month = bounds.parse_month(text)
    assert month is None or (bounds.EARLIEST_DAY <= month <= bounds.latest_day() and month.day == 1)


@given(st.integers())
def test_every_whole_number_in_range_is_an_id_and_no_other(number):
    assert (bounds.parse_id(str(number)) == number) == (bounds.ID_MIN <= number <= bounds.ID_MAX)


@given(st.datetimes(timezones=st.timezones()) | st.datetimes())
def test_validating_a_time_raises_nothing_but_a_validation_error(moment):
    for check in (bounds.validate_past_moment, bounds.validate_day, bounds.validate_past_day):
        with contextlib.suppress(ValidationError):
            check(moment)


@given(st.dates())
def test_every_day_is_inside_or_refused_clearly(day):
    inside = bounds.EARLIEST_DAY <= day <= bounds.latest_day()
    try:
        bounds.validate_day(day)
    except ValidationError as error:
        assert not inside
        assert error.code == "out_of_range"
    else:
        assert inside


@PROPERTY
@given(moment=st.datetimes(timezones=st.timezones() | st.none()))
def test_the_incident_api_answers_any_time_without_a_server_error(api, inspector_a, moment):
    api.force_authenticate(inspector_a)
    before = Incident.objects.count()
    response = api.post("/api/incidents/", incident_body(moment.isoformat()), format="json")
    assert response.status_code in (201, 400)
    assert Incident.objects.count() == before + (response.status_code == 201)


@PROPERTY
@given(text=st.text(max_size=30) | st.dates().map(str) | st.datetimes().map(lambda d: d.isoformat()))
def test_the_incident_page_answers_any_text_as_a_time(client, inspector_a, text):
    client.force_login(inspector_a)
    before = Incident.objects.count()
    response = client.post("/incidents/new/", {**incident_body(text), "people_affected": "1"})
    assert response.status_code in (200, 302)
    assert Incident.objects.count() == before + (response.status_code == 302)


@PROPERTY
@given(value=st.text(max_size=20) | st.dates().map(str) | st.dates() | st.datetimes())
def test_the_import_reads_any_cell_as_a_date_or_a_clear_error(value):
    try:
        day = DateWidget().clean(value)
    except ValueError as error:
        assert str(error)
    else:
        assert day is None or bounds.EARLIEST_DAY <= day <= bounds.latest_day()


def test_an_article_about_an_activity_in_year_one_is_refused(api, info_officer_a):
    api.force_authenticate(info_officer_a)
    body = {"title": "宣传周活动", "activity_ended_on": "0001-01-01", "body": "发放宣传册。"}
    response = api.post("/api/articles/", body, format="json")
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.json()["activity_ended_on"][0]
    assert not Article.objects.exists()


@pytest.mark.parametrize("people", [10**7, 10**30])
def test_an_incident_affecting_more_people_than_a_city_holds_is_refused(api, client, inspector_a, people):
    api.force_authenticate(inspector_a)
    now = timezone.localtime() - dt.timedelta(minutes=5)
    response = api.post(
        "/api/incidents/", {**incident_body(now.isoformat()), "people_affected": people}, format="json"
    )
    assert response.status_code == 400
    assert "people_affected" in response.json()
    client.force_login(inspector_a)
    form = {**incident_body(now.strftime("%Y-%m-%dT%H:%M")), "people_affected": str(people)}
    assert client.post("/incidents/new/", form).status_code == 200
    assert not Incident.objects.exists()
