from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessment, in_window
from notifications.models import Notification
from orgs.models import OrgUnit, Role, User
from patrols.models import (
    Category,
    Establishment,
    Finding,
    FindingStatus,
    GradingTarget,
    Incident,
    Lead,
    LeadSource,
    LeadStatus,
    Patrol,
    PatrolKind,
    PatrolStatus,
    PatrolTarget,
    Photo,
    RapidTest,
    RapidTestResult,
    Reward,
    Visit,
    WatchList,
    WatchListPublication,
)
from patrols.services.campaigns import target_rows
from publicity.models import CandidateStatus, ModelCandidate, ModelTarget
from publicity.selectors import board_states
from reporting.models import Article, ArticleMedia, MonthlyReport, ReportStatus
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


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return previous_period(today), today.replace(day=1) - dt.timedelta(days=1)


def test_the_demo_communities_check_at_night_and_one_falls_short_of_the_target(demo_city):
    month = last_month(timezone.localdate())
    communities = list(OrgUnit.objects.communities().order_by("code"))
    nights = dict(
        Patrol.objects.counted()
        .filter(kind=PatrolKind.NIGHT, date__range=month)
        .values_list("community__code")
        .annotate(n=Count("pk"))
    )
    assert sum(nights.get(c.code, 0) >= 2 for c in communities) > len(communities) / 2, "most meet it"
    assert PatrolTarget.objects.filter(kind=PatrolKind.NIGHT, monthly_minimum=2).count() == 3
    rows = target_rows(communities, *month)
    assert {row.kind for row in rows} == {PatrolKind.NIGHT}
    short = [row for row in rows if row.short]
    assert short and len(short) < len(rows) / 2
    assert all(row.count == 1 and row.missing == 1 for row in short)
    # Night checks are logged in the evening, each with its visits, and reviewed like any record.
    night = Patrol.objects.filter(kind=PatrolKind.NIGHT, status=PatrolStatus.ARCHIVED).first()
    assert night.visits.exists()
    assert all(timezone.localtime(v.visited_at).hour >= 20 for v in night.visits.all())


def test_the_demo_has_a_district_campaign_a_joint_and_a_holiday_check(demo_city):
    campaign_records = Patrol.objects.filter(kind=PatrolKind.CAMPAIGN, campaign__name="校园食品安全专项整治")
    assert campaign_records.count() >= 3
    record = campaign_records.select_related("campaign").first()
    assert record.campaign.district_id == record.community.parent_id
    assert record.campaign.starts_on <= record.date <= record.campaign.ends_on
    items = set(record.campaign.checklist_items)
    assert len(items) >= 3
    checked = {row["item"] for visit in record.visits.all() for row in visit.checklist}
    assert items <= checked, "the campaign's own checks are on its visits"
    assert Patrol.objects.filter(kind=PatrolKind.JOINT).exclude(joint_departments="").exists()
    assert Patrol.objects.filter(kind=PatrolKind.HOLIDAY, visits__isnull=False).exists()


def test_the_demo_rapid_tests_are_mostly_negative_and_a_positive_opens_a_finding_or_a_lead(demo_city):
    at_visits = RapidTest.objects.filter(visit__isnull=False)
    negative = at_visits.filter(result=RapidTestResult.NEGATIVE).count()
    positive = at_visits.filter(result=RapidTestResult.POSITIVE)
    assert negative > 5 * positive.count() > 0
    test = positive.select_related("finding", "visit").first()
    assert test.finding is not None and test.finding.visit_id == test.visit_id
    assert test.sample in test.finding.description and "快检" in test.finding.description  # in Chinese
    assert test.photo
    room = RapidTest.objects.filter(district__isnull=False)
    assert room.filter(result=RapidTestResult.NEGATIVE).count() >= 3
    in_room = room.get(result=RapidTestResult.POSITIVE, district__code="330101")
    assert in_room.lead is not None and in_room.lead.source == LeadSource.DISTRICT
    assert in_room.lead.establishment_id == in_room.establishment_id


def test_the_demo_district_sent_an_incident_up_to_the_city(demo_city):
    escalated = Incident.objects.filter(escalated_at__isnull=False, community__parent__code="330101").get()
    assert escalated.escalated_by.role == Role.DISTRICT_OFFICER and escalated.escalation_note
    city_officer = User.objects.get(username="city-officer")
    assert Notification.objects.filter(recipient=city_officer, urgent=True).exists()


def test_the_demo_lists_are_stamped_and_published_on_the_public_page(demo_city, client):
    black = Establishment.objects.filter(watch_list=WatchList.BLACK)
    assert black.count() == 3
    listed = Establishment.objects.exclude(watch_list=WatchList.NONE)
    assert not listed.filter(watch_listed_on__isnull=True).exists()
    assert not listed.filter(watch_list_reason="").exists()
    publication = WatchListPublication.objects.get(district__code="330101")
    entries = publication.entries.all()
    assert entries.filter(watch_list=WatchList.BLACK).count() == 1
    assert entries.filter(watch_list=WatchList.RED).exists()
    shop = black.filter(community__parent__code="330101").get()
    page = client.get(reverse("patrols:public_watch_lists", args=["330101"]))
    assert page.status_code == 200
    assert shop.name in page.content.decode() and shop.watch_list_reason in page.content.decode()


def test_the_demo_districts_set_a_grading_deadline_and_an_article_has_a_picture(demo_city):
    today = timezone.localdate()
    targets = GradingTarget.objects.all()
    assert targets.count() == 3
    assert all(t.target_percent == 100 and t.deadline > today for t in targets)
    picture = ArticleMedia.objects.filter(kind="picture").select_related("article").first()
    assert picture is not None and picture.article.forwarded_at is not None
