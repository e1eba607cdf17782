"""Volunteers (志愿者) assessed by their community at year end, like inspectors (seed 001 (八)(2))."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessment import defaults, services
from assessment.models import Assessment, Metric, Tier
from orgs.models import Role
from publicity.models import (
    BrochureDrop,
    TrainingAudience,
    TrainingKind,
    TrainingMeasure,
    TrainingSession,
    TrainingTarget,
)
from publicity.services import publicity_record_add, training_session_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
IN_WINDOW = dt.datetime(2026, 12, 5, 10, tzinfo=SHANGHAI)


@pytest.fixture
def head_b(community_b):
    return UserFactory(username="head_b", role=Role.COMMUNITY_HEAD, org_unit=community_b, certificate_no="")


@pytest.fixture
def volunteer_work(clock, volunteer_a):
    """The volunteer handed brochures out door to door in three months of the year."""
    clock.set(IN_WINDOW)
    for month in (3, 6, 9):
        publicity_record_add(
            user=volunteer_a, record=BrochureDrop(date=dt.date(2026, month, 12), households=40, copies=50)
        )


def assess(client, head, volunteer) -> Assessment:
    client.force_login(head)
    response = client.post(reverse("assessment:start"), {"tier": Tier.VOLUNTEER, "user": volunteer.pk})
    assessment = Assessment.objects.get(tier=Tier.VOLUNTEER, assessee_user=volunteer)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:detail", args=[assessment.pk])
    return assessment


def test_the_default_volunteer_sheet_adds_up_to_100_and_prefills_publicity():
    rows = defaults.default_items(Tier.VOLUNTEER)
    assert sum(row["points"] for row in rows) == Decimal(100)
    assert [row["metric"] for row in rows if row["metric"]] == [
        Metric.VOLUNTEER_PUBLICITY,
        Metric.PERSON_TRAINING,
    ]


def test_a_community_head_assesses_their_volunteer(client, clock, head_a, volunteer_a, volunteer_work):
    clock.set(IN_WINDOW)
    client.force_login(head_a)
    home = client.get(reverse("assessment:home"))
    assert "社区考核志愿者" in home.text and str(volunteer_a) in home.text

    assessment = assess(client, head_a, volunteer_a)
    assert (assessment.assessor_unit, assessment.assessee_unit) == (head_a.org_unit, volunteer_a.org_unit)
    assert assessment.sheet.title == defaults.TITLES[Tier.VOLUNTEER]
    publicity = assessment.items.get(metric=Metric.VOLUNTEER_PUBLICITY)
    # January to November assessed: 3 hand-outs of the 11 owed (one a month) earn 27 % of 35 points.
    assert publicity.figure["brochure_drops"] == 3 and publicity.figure["owed"] == 11
    assert publicity.score == Decimal("9.5")
    assert "入户 120 户" in publicity.source

    # No hours target for residents in the district: the head scores the training item too.
    training = assessment.items.get(metric=Metric.PERSON_TRAINING)
    assert training.score is None and "区未设学时目标" in training.source
    for item in assessment.items.filter(score__isnull=True):
        services.assessment_item_score(user=head_a, item=item, score=item.points)
    page = client.post(reverse("assessment:detail", args=[assessment.pk]), {"action": "submit"})
    assert page.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_frozen and assessment.total == Decimal("74.5")

    # The volunteer reads their own result once it is submitted.
    client.force_login(volunteer_a)
    assert reverse("assessment:mine") in client.get(reverse("home")).text
    mine = client.get(reverse("assessment:mine"))
    assert mine.status_code == 200 and "74.5" in mine.text
    assert client.get(reverse("assessment:detail", args=[assessment.pk])).status_code == 200


def test_the_training_a_volunteer_attended_is_prefilled_against_the_districts_hours_target(
    client, clock, head_a, volunteer_a, community_a
):
    """Named at two sessions (2 and 3 hours) and a drill of another year; the district asks 10 hours
    a year of residents: 5 of 10 hours earn half of the item's 15 points."""
    clock.set(IN_WINDOW)
    for day, hours in ((dt.date(2026, 4, 8), "2"), (dt.date(2026, 10, 9), "3"), (dt.date(2025, 5, 5), "1")):
        training_session_add(
            user=head_a,
            session=TrainingSession(
                date=day,
                kind=TrainingKind.TRAINING,
                topic="食品安全知识",
                audience=TrainingAudience.RESIDENTS,
                hours=Decimal(hours),
                attendance=20,
            ),
            attendees=[volunteer_a],
        )
    TrainingTarget.objects.create(
        district=community_a.parent,
        year=2026,
        measure=TrainingMeasure.HOURS,
        audience=TrainingAudience.RESIDENTS,
        target=10,
    )
    assessment = assess(client, head_a, volunteer_a)
    training = assessment.items.get(metric=Metric.PERSON_TRAINING)
    assert (training.figure["sessions"], training.figure["target"]) == (2, 10)
    assert training.score == Decimal("7.5")
    assert "参加培训、会议和演练 2 次，共 5 学时（全年目标 10 学时）" in training.source


def test_the_volunteer_sheet_is_edited_and_exported_by_the_community(
    client, clock, head_a, volunteer_a, volunteer_work
):
    clock.set(IN_WINDOW)
    client.force_login(head_a)
    sheet = client.get(reverse("assessment:sheet", args=[Tier.VOLUNTEER]))
    assert sheet.status_code == 200 and "志愿者宣传工作" in sheet.text
    assessment = assess(client, head_a, volunteer_a)
    workbook = client.get(reverse("assessment:export_xlsx", args=[assessment.pk]))
    assert workbook.status_code == 200
    cells = {
        str(value)
        for sheet in load_workbook(io.BytesIO(workbook.content))
        for row in sheet.values
        for value in row
    }
    assert any("社区考核志愿者" in value for value in cells)
    assert "宣传工作参与" in cells


def test_a_head_of_another_community_cannot_assess_the_volunteer(
    client, api, clock, head_a, head_b, volunteer_a
):
    clock.set(IN_WINDOW)
    client.force_login(head_b)
    response = client.post(reverse("assessment:start"), {"tier": Tier.VOLUNTEER, "user": volunteer_a.pk})
    assert response.status_code == 404
    api.force_authenticate(head_b)
    assert (
        api.post("/api/assessments/start/", {"tier": "volunteer", "user": volunteer_a.pk}).status_code == 404
    )
    assert not Assessment.objects.exists()

    assessment = assess(client, head_a, volunteer_a)
    client.force_login(head_b)
    assert client.get(reverse("assessment:detail", args=[assessment.pk])).status_code == 404
    item = assessment.items.filter(metric="").first()
    scored = client.post(
        reverse("assessment:detail", args=[assessment.pk]), {"action": "save", f"item-{item.pk}-score": "1"}
    )
    assert scored.status_code == 404
    assert api.get(f"/api/assessments/{assessment.pk}/").status_code == 404
    item.refresh_from_db()
    assert item.score is None


def test_a_volunteer_is_not_assessed_as_an_inspector(client, clock, head_a, volunteer_a):
    clock.set(IN_WINDOW)
    client.force_login(head_a)
    response = client.post(reverse("assessment:start"), {"tier": Tier.INSPECTOR, "user": volunteer_a.pk})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_the_volunteer_appears_in_the_districts_results(
    client, clock, head_a, volunteer_a, district_a, district_officer_a, district_officer_c
):
    clock.set(IN_WINDOW)
    assessment = assess(client, head_a, volunteer_a)
    for item in assessment.items.all():
        services.assessment_item_score(user=head_a, item=item, score=item.points)
    services.assessment_submit(user=head_a, assessment=assessment)

    client.force_login(district_officer_a)
    ranking = client.get(reverse("assessment:ranking", args=[district_a.pk]))
    assert ranking.status_code == 200
    assert reverse("assessment:detail", args=[assessment.pk]) in ranking.text
    assert str(volunteer_a) in ranking.text and "社区考核志愿者" in ranking.text
    assert client.get(reverse("assessment:detail", args=[assessment.pk])).status_code == 200
    assert assessment in Assessment.objects.visible_to(district_officer_a).filter(tier=Tier.VOLUNTEER)

    client.force_login(district_officer_c)
    assert client.get(reverse("assessment:detail", args=[assessment.pk])).status_code == 404
    assert not Assessment.objects.visible_to(district_officer_c).exists()


def test_an_inspector_who_became_a_volunteer_is_assessed_once_a_year(client, clock, head_a, volunteer_a):
    clock.set(IN_WINDOW)
    volunteer_a.role = Role.INSPECTOR
    volunteer_a.save(update_fields=["role"])
    services.assessment_start(user=head_a, tier=Tier.INSPECTOR, assessee_unit=None, assessee_user=volunteer_a)
    volunteer_a.role = Role.VOLUNTEER
    volunteer_a.save(update_fields=["role"])
    client.force_login(head_a)
    response = client.post(reverse("assessment:start"), {"tier": Tier.VOLUNTEER, "user": volunteer_a.pk})
    assert response.status_code == 302
    assert "已由" in client.get(response["Location"]).text
    assert Assessment.objects.get().tier == Tier.INSPECTOR
