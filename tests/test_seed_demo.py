from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessment.models import Assessment, in_window
from orgs.models import OrgUnit, Role, User
from patrols.models import (
    Category,
    Establishment,
    Finding,
    FindingStatus,
    Incident,
    Lead,
    LeadStatus,
    Patrol,
    PatrolStatus,
    Photo,
    Reward,
    Visit,
)
from publicity.models import CandidateStatus, ModelCandidate, ModelTarget
from publicity.selectors import board_states
from reporting.models import Article, MonthlyReport, ReportStatus
from reporting.periods import previous_period
from tests.demo import seed

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_city_and_is_safe_to_run_twice(demo_city):
    models = (OrgUnit, User, Establishment, Patrol, Visit, Finding, Lead, Incident, Article, MonthlyReport)
    counts = [model.objects.count() for model in models]
    assert "demo12345" in seed()
    assert [model.objects.count() for model in models] == counts
    assert Patrol.objects.filter(status=PatrolStatus.ARCHIVED).exists()
    assert Patrol.objects.filter(status=PatrolStatus.SUBMITTED).exists()

    districts = OrgUnit.objects.districts()
    assert districts.count() >= 3
    for district in districts:
        assert district.children.filter(kind="community").count() >= 4
    for community in OrgUnit.objects.communities():
        assert community.establishments.count() >= 20
        assert community.members.filter(role=Role.INSPECTOR).count() >= 2
        assert community.members.filter(role=Role.SUPERVISING_LEADER).count() == 1
    assert set(Establishment.objects.values_list("category", flat=True)) == set(Category.values)
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    assert "insp-330101001-1" in demo_city and "admin" in demo_city


def test_the_demo_prints_the_address_it_is_served_at(demo_city):
    assert "http://127.0.0.1:8000/" in demo_city
    assert "http://127.0.0.1:8001/" in seed("--url", "http://127.0.0.1:8001/")


def test_the_demo_inspector_has_shops_due_and_overdue_today(demo_city):
    today = timezone.localdate()
    shops = Establishment.objects.filter(community__code="330101001").open()
    assert shops.overdue(on=today).exists()
    assert shops.due(on=today).exclude(pk__in=shops.overdue(on=today)).exists()
    # The registry's last visits follow from the patrols: no shop claims a visit later than its last one.
    for shop in shops.filter(last_visited_on__gte=previous_period(today)):
        assert not shop.visits.filter(patrol__date__gt=shop.last_visited_on).exists()
        assert Visit.objects.filter(establishment=shop, patrol__date=shop.last_visited_on).exists()


def test_the_demo_findings_are_open_overdue_rectified_and_reopened(demo_city):
    today = timezone.localdate()
    findings = Finding.objects.all()
    open_risks = findings.open_risks()
    assert open_risks.overdue(on=today).exists()
    assert open_risks.filter(rectification_deadline__gte=today).exists()
    assert findings.filter(status=FindingStatus.CLOSED, follow_ups__rectified=True).exists()
    assert findings.filter(status=FindingStatus.OPEN, follow_ups__rectified=False).exists(), "re-opened"
    assert findings.filter(status=FindingStatus.REPORTED, lead__isnull=False).exists()
    assert findings.values("category").distinct().count() >= 5
    assert open_risks.values("rectification_deadline").distinct().count() >= 5
    # Found on the day of their visit, not the day the demo was seeded.
    assert findings.filter(created_at__date__lt=today - dt.timedelta(days=7)).exists()
    assert Photo.objects.filter(visit__finding_set__isnull=False).exists()


def test_the_demo_has_leads_at_every_step_and_a_reward(demo_city):
    for status in LeadStatus.values:
        assert Lead.objects.filter(status=status).exists(), status
    assert Reward.objects.filter(lead__status=LeadStatus.FILED, amount=100).exists()


def test_the_demo_has_a_late_and_an_on_time_incident_with_follow_ups(demo_city):
    assert Incident.objects.filter(first_report_late=True, reports__isnull=False).exists()
    assert Incident.objects.filter(first_report_late=False, closed_at__isnull=False).exists()


def test_the_demo_reports_are_on_time_late_returned_and_missing(demo_city):
    period = previous_period(timezone.localdate())
    reports = MonthlyReport.objects.filter(period=period, unit__kind="community")
    assert reports.filter(status=ReportStatus.SUBMITTED, late=False).exists()
    assert reports.filter(status=ReportStatus.SUBMITTED, late=True).exists()
    assert reports.filter(status=ReportStatus.RETURNED).exists()
    assert reports.count() < OrgUnit.objects.communities().count(), "some never reported"


def test_the_demo_has_articles_publicity_model_units_and_an_assessment(demo_city):
    today = timezone.localdate()
    assert Article.objects.filter(late=True).exists() and Article.objects.filter(late=False).exists()
    assert Article.objects.filter(forwarded_at__isnull=False).exists()
    boards = board_states(OrgUnit.objects.communities(), today=today)
    states = {row["state"] for kinds in boards.values() for row in kinds.values()}
    assert "overdue" in states
    assert ModelTarget.objects.filter(year=today.year).exists()
    for status in (CandidateStatus.ACCEPTED, CandidateStatus.ASSESSING, CandidateStatus.CANDIDATE):
        assert ModelCandidate.objects.filter(status=status).exists(), status
    if in_window(today):
        assessment = Assessment.objects.get(assessee_unit__code="330101001")
        assert not assessment.is_frozen and assessment.items.filter(updated_by__isnull=False).exists()
