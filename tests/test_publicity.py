"""Publicity (§7): due rules at month and quarter ends, logging with evidence, scoping, the monthly report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from patrols.models import Category
from publicity import rules
from publicity.models import (
    Activity,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    Campaign,
    CampaignKind,
    CollectionBox,
)
from publicity.selectors import board_states
from publicity.services import (
    box_collection_add,
    campaign_add,
    campaign_calendar,
    collection_box_add,
    publicity_record_add,
)
from reporting.figures import community_figures, total
from tests.factories import EstablishmentFactory

D = dt.date


# The rules, at the edges of months and quarters


@pytest.mark.parametrize(
    ("last", "today", "state"),
    [
        (D(2026, 10, 31), D(2026, 10, 31), "done"),
        (D(2026, 10, 31), D(2026, 11, 1), "due"),
        (D(2026, 10, 31), D(2026, 11, 30), "due"),
        (D(2026, 10, 31), D(2026, 12, 1), "overdue"),
        (D(2026, 11, 1), D(2026, 11, 30), "done"),
        (D(2026, 12, 31), D(2027, 1, 31), "due"),
        (D(2026, 12, 31), D(2027, 2, 1), "overdue"),
    ],
)
def test_bulletin_board_is_due_every_calendar_month(last, today, state):
    assert rules.board_state("bulletin", last_update=last, opened_on=None, today=today) == state


@pytest.mark.parametrize(
    ("last", "today", "state"),
    [
        (D(2026, 9, 30), D(2026, 9, 30), "done"),
        (D(2026, 9, 30), D(2026, 10, 1), "due"),
        (D(2026, 9, 30), D(2026, 12, 31), "due"),
        (D(2026, 9, 30), D(2027, 1, 1), "overdue"),
        (D(2026, 10, 1), D(2026, 12, 31), "done"),
        (D(2026, 7, 1), D(2026, 12, 31), "due"),
    ],
)
def test_slogans_are_due_every_calendar_quarter(last, today, state):
    assert rules.board_state("slogan", last_update=last, opened_on=None, today=today) == state


def test_a_community_that_never_updated_owes_its_first_by_the_end_of_the_period_it_opened():
    opened = D(2026, 1, 15)
    assert rules.next_due("slogan", last_update=None, opened_on=opened, today=D(2026, 3, 1)) == D(2026, 3, 31)
    assert rules.board_state("slogan", last_update=None, opened_on=opened, today=D(2026, 3, 31)) == "due"
    assert rules.board_state("slogan", last_update=None, opened_on=opened, today=D(2026, 4, 1)) == "overdue"


# Logging, with evidence


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile("board.jpg", buffer.getvalue(), content_type="image/jpeg")


def board(user, kind="bulletin", day=None, photo=True):
    record = BoardUpdate(kind=kind, date=day or D(2026, 11, 2), summary="食品安全知识专版")
    return publicity_record_add(user=user, record=record, photo=jpeg() if photo else None)


@pytest.mark.django_db
def test_board_update_needs_a_photo_and_the_photo_must_be_an_image(info_officer_a):
    with pytest.raises(ValidationError) as error:
        board(info_officer_a, photo=False)
    assert "photo" in error.value.message_dict
    fake = SimpleUploadedFile("board.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        publicity_record_add(
            user=info_officer_a,
            record=BoardUpdate(kind="bulletin", date=D(2026, 11, 2), summary="x"),
            photo=fake,
        )
    assert not BoardUpdate.objects.exists()


@pytest.mark.django_db
def test_volunteers_log_publicity_but_district_staff_do_not(volunteer_a, district_officer_a, community_a):
    drop = publicity_record_add(
        user=volunteer_a, record=BrochureDrop(date=D(2026, 11, 3), households=40, copies=45, area="3幢")
    )
    assert drop.community == community_a and drop.created_by == volunteer_a
    with pytest.raises(PermissionDenied):
        publicity_record_add(
            user=district_officer_a, record=BrochureDrop(date=D(2026, 11, 3), households=1, copies=1)
        )


@pytest.mark.django_db
def test_board_states_follow_the_records(info_officer_a, community_a, clock):
    board(info_officer_a, "bulletin", D(2026, 10, 20))
    board(info_officer_a, "slogan", D(2026, 8, 2))
    states = board_states([community_a], today=D(2026, 12, 1))[community_a.pk]
    assert states["bulletin"]["state"] == "overdue" and states["bulletin"]["last"] == D(2026, 10, 20)
    assert states["slogan"]["state"] == "due" and states["slogan"]["due"] == D(2026, 12, 31)


# Scoping


@pytest.mark.django_db
def test_another_community_cannot_see_publicity_or_its_photos(info_officer_a, inspector_b, api, client):
    update = board(info_officer_a)
    api.force_authenticate(inspector_b)
    assert api.get("/api/board-updates/").json()["count"] == 0
    assert api.get(f"/api/board-updates/{update.pk}/").status_code == 404
    client.force_login(inspector_b)
    assert client.get(reverse("publicity:photo", args=["board", update.pk])).status_code == 404
    client.force_login(info_officer_a)
    photo = client.get(reverse("publicity:photo", args=["board", update.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_api_logs_an_activity_for_the_users_own_community(inspector_a, community_a, api):
    api.force_authenticate(inspector_a)
    response = api.post(
        "/api/publicity-activities/",
        {"title": "安全用药咨询", "date": "2026-09-12", "place": "社区广场", "attendance": 120},
    )
    assert response.status_code == 201, response.content
    assert Activity.objects.get().community == community_a


@pytest.mark.django_db
def test_district_sees_every_community_and_not_another_district(
    info_officer_a, district_officer_a, district_officer_c, community_a, community_b, client
):
    board(info_officer_a)
    client.force_login(district_officer_a)
    rows = client.get(reverse("publicity:home")).context["rows"]
    assert {row["community"] for row in rows} == {community_a, community_b}
    client.force_login(district_officer_c)
    rows = client.get(reverse("publicity:home")).context["rows"]
    assert community_a not in {row["community"] for row in rows}


@pytest.mark.django_db
def test_community_page_logs_a_board_update_with_its_photo(info_officer_a, client):
    client.force_login(info_officer_a)
    response = client.post(
        reverse("publicity:record_new", args=["board"]),
        {"kind": "slogan", "date": "2026-11-02", "summary": "安全用药标语", "photo": jpeg()},
    )
    assert response.status_code == 302
    assert BoardUpdate.objects.get().kind == "slogan"
    page = client.get(reverse("publicity:home"))
    assert page.status_code == 200 and page.context["states"]["slogan"]["last"] == D(2026, 11, 2)


# The campaign calendar


@pytest.mark.django_db
def test_calendar_holds_the_national_campaigns_once(district_officer_a, district_officer_c, client):
    campaign_calendar(year=2027)
    campaign_calendar(year=2027)
    kinds = set(Campaign.objects.filter(year=2027).values_list("kind", flat=True))
    assert kinds == {"consumer_day", "food_safety_week", "drug_safety_month", "legal_day"}
    assert Campaign.objects.get(year=2027, kind=CampaignKind.DRUG_SAFETY_MONTH).starts_on == D(2027, 9, 1)

    own = campaign_add(
        user=district_officer_c,
        campaign=Campaign(name="夏季食品安全月", starts_on=D(2027, 7, 1), ends_on=D(2027, 7, 31)),
    )
    client.force_login(district_officer_a)
    page = client.get(reverse("publicity:calendar"), {"year": 2027})
    assert own not in [row["campaign"] for row in page.context["rows"]]
    assert len(page.context["rows"]) == 4


# In the monthly report


@pytest.mark.django_db
def test_publicity_counts_in_the_monthly_report(info_officer_a, volunteer_a, community_a, clock):
    board(info_officer_a, "bulletin", D(2026, 10, 9))
    board(info_officer_a, "slogan", D(2026, 8, 9))
    publicity_record_add(
        user=volunteer_a, record=Activity(title="3·15", date=D(2026, 10, 15), place="广场", attendance=80)
    )
    publicity_record_add(
        user=volunteer_a, record=BrochureDrop(date=D(2026, 10, 16), households=30, copies=30)
    )
    publicity_record_add(user=volunteer_a, record=BrochureDrop(date=D(2026, 11, 1), households=99, copies=99))

    figures = community_figures([community_a], D(2026, 10, 1), on=D(2026, 11, 3))[community_a.pk]

    assert (figures["bulletin_updates"], figures["bulletin_met"]) == (1, 1)
    assert (figures["slogan_updates"], figures["slogan_met"]) == (0, 0)  # August was the last quarter
    september = community_figures([community_a], D(2026, 9, 1), on=D(2026, 10, 3))[community_a.pk]
    assert (september["slogan_updates"], september["slogan_met"]) == (0, 1)  # August kept Q3's rule
    assert (figures["activities"], figures["activity_attendance"]) == (1, 80)
    assert figures["brochure_households"] == 30
    assert total([figures, figures])["brochure_households"] == 60


@pytest.mark.django_db
def test_the_calendar_costs_the_same_queries_for_1_and_5_district_campaigns(
    district_officer_a, district_officer_c, city_officer, client
):
    def add(officer, n: int) -> None:
        for day in range(1, n + 1):
            campaign_add(
                user=officer,
                campaign=Campaign(name=f"活动{day}", starts_on=D(2027, 5, day), ends_on=D(2027, 5, day)),
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("publicity:calendar"), {"year": 2027})
        assert page.status_code == 200
        return len(captured)

    client.force_login(city_officer)
    add(district_officer_a, 1)
    queries()  # the first view of a year creates its national campaigns
    few = queries()
    add(district_officer_a, 2)
    add(district_officer_c, 2)
    assert queries() == few


# Medicine collection boxes


@pytest.mark.django_db
def test_a_box_names_a_pharmacy_of_the_own_community(inspector_a, community_a, community_b, api):
    own = EstablishmentFactory(community=community_a, name="翠苑大药房", category=Category.PHARMACY)
    other = EstablishmentFactory(community=community_b, name="文新大药房", category=Category.PHARMACY)
    noodles = EstablishmentFactory(community=community_a, name="张记面馆", category=Category.FOOD_SERVICE)
    api.force_authenticate(inspector_a)
    box = {"location": "药店门口", "installed_on": "2026-03-01"}

    response = api.post("/api/collection-boxes/", {**box, "pharmacy": other.pk})
    assert response.status_code == 400 and "pharmacy" in response.json()
    assert str(other.pk) in str(response.json()["pharmacy"])  # "does not exist", not "not in your community"
    response = api.post("/api/collection-boxes/", {**box, "pharmacy": noodles.pk})
    assert response.status_code == 400 and "pharmacy" in response.json()
    assert not CollectionBox.objects.exists()
    with pytest.raises(ValidationError) as refused:
        collection_box_add(user=inspector_a, box=CollectionBox(pharmacy=noodles, **box))
    assert "pharmacy" in refused.value.message_dict
    assert not CollectionBox.objects.exists()

    response = api.post("/api/collection-boxes/", {**box, "pharmacy": own.pk})
    assert response.status_code == 201, response.content
    assert CollectionBox.objects.get().pharmacy == own


@pytest.mark.django_db
def test_a_removed_box_takes_no_more_collections(inspector_a, api):
    box = collection_box_add(
        user=inspector_a, box=CollectionBox(location="社区服务中心", installed_on=D(2026, 1, 5))
    )
    box.removed_on = D(2026, 6, 30)
    box.save(update_fields=["removed_on"])
    with pytest.raises(ValidationError) as refused:
        box_collection_add(user=inspector_a, collection=BoxCollection(box=box, date=D(2026, 7, 2), items=3))
    assert "box" in refused.value.message_dict
    api.force_authenticate(inspector_a)
    response = api.post("/api/box-collections/", {"box": box.pk, "date": "2026-07-02", "items": 3})
    assert response.status_code == 400 and "box" in response.json()
    assert not BoxCollection.objects.exists()
