"""The grading coverage deadline (issue 22, item 6b): the district office sets a target and a date; the
dashboards show the coverage (registry_figures' definition) as met, on track, at risk or missed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from patrols.models import Category, GradingTarget
from patrols.selectors import GRADING_AT_RISK_DAYS, GradingState, grading_state, grading_status
from patrols.services.grading import grading_target_set
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurants(community_a, community_b):
    """Four open food-service establishments in district A, one graded; a pharmacy that is not graded."""
    graded = EstablishmentFactory(
        community=community_a,
        category=Category.FOOD_SERVICE,
        food_grade="A",
        food_graded_on=dt.date(2026, 1, 5),
    )
    others = [
        EstablishmentFactory(community=c, category=Category.FOOD_SERVICE) for c in (community_a, community_b)
    ]
    others.append(EstablishmentFactory(community=community_b, category=Category.SCHOOL_CANTEEN))
    EstablishmentFactory(community=community_a, category=Category.PHARMACY)
    return [graded, *others]


def set_target(user, days_ahead: int, percent: int = 100) -> GradingTarget:
    return grading_target_set(
        user=user, target_percent=percent, deadline=timezone.localdate() + dt.timedelta(days=days_ahead)
    )


def test_states():
    today = dt.date(2026, 6, 1)
    target = GradingTarget(target_percent=90, deadline=today + dt.timedelta(days=GRADING_AT_RISK_DAYS))
    assert grading_state(95, target, on=today) == GradingState.MET
    assert grading_state(90, target, on=today) == GradingState.MET
    assert grading_state(50, target, on=today) == GradingState.AT_RISK
    assert grading_state(50, target, on=today - dt.timedelta(days=1)) == GradingState.ON_TRACK
    assert grading_state(50, target, on=target.deadline + dt.timedelta(days=1)) == GradingState.MISSED
    assert grading_state(95, target, on=target.deadline + dt.timedelta(days=1)) == GradingState.MET
    assert grading_state(50, None, on=today) is None
    assert grading_state(None, target, on=today) == GradingState.MET  # nothing to grade


def test_status_uses_the_registry_figures_coverage(restaurants, district_a, district_officer_a):
    set_target(district_officer_a, 10)
    status = grading_status(district_a, on=timezone.localdate())
    assert (status["graded"], status["food_service"], status["coverage"]) == (1, 4, 25)
    assert status["state"] == GradingState.AT_RISK


def test_district_dashboard_shows_at_risk_and_missed(client, restaurants, district_a, district_officer_a):
    client.force_login(district_officer_a)
    page = client.get(reverse("home")).content.decode()
    assert "25%" in page and "未设定期限" in page
    set_target(district_officer_a, 10)
    page = client.get(reverse("home")).content.decode()
    assert "有风险" in page
    GradingTarget.objects.filter(district=district_a).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "已逾期未达标" in client.get(reverse("home")).content.decode()
    set_target(district_officer_a, 200, percent=20)
    assert "已达标" in client.get(reverse("home")).content.decode()


def test_city_sees_each_districts_state(client, restaurants, district_officer_a, city_officer):
    set_target(district_officer_a, 5)
    client.force_login(city_officer)
    assert "有风险" in client.get(reverse("home")).content.decode()


def test_office_sets_the_deadline_on_its_page(client, district_a, district_officer_a):
    client.force_login(district_officer_a)
    url = reverse("patrols:grading_target")
    deadline = timezone.localdate() + dt.timedelta(days=100)
    response = client.post(url, {"target_percent": "100", "deadline": deadline.isoformat()})
    assert response.status_code == 302
    target = GradingTarget.objects.get(district=district_a)
    assert (target.target_percent, target.deadline, target.set_by) == (100, deadline, district_officer_a)
    client.post(url, {"target_percent": "95", "deadline": deadline.isoformat()})
    assert GradingTarget.objects.get(district=district_a).target_percent == 95


@pytest.mark.parametrize(
    "percent, deadline",
    [("0", None), ("101", None), ("-5", None), ("abc", None), ("100", "9999-12-31"), ("100", "1899-01-01")],
)
def test_bad_input_is_refused_in_chinese(client, district_a, district_officer_a, percent, deadline):
    client.force_login(district_officer_a)
    day = deadline or (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("patrols:grading_target"), {"target_percent": percent, "deadline": day})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not GradingTarget.objects.exists()


def test_deadline_more_than_a_year_ahead_is_refused(district_officer_a):
    with pytest.raises(ValidationError):
        set_target(district_officer_a, 800)


def test_only_a_district_office_sets_it(client, inspector_a, head_a, city_officer):
    for user in (inspector_a, head_a, city_officer):
        with pytest.raises(PermissionDenied):
            set_target(user, 30)
        client.force_login(user)
        assert client.get(reverse("patrols:grading_target")).status_code == 403


def test_each_district_sets_its_own(district_c, district_officer_a, district_officer_c):
    set_target(district_officer_c, 30, percent=80)
    set_target(district_officer_a, 60)
    assert GradingTarget.objects.get(district=district_c).target_percent == 80
