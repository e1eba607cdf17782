"""The year-end three-tier assessment (§9): prefilled figures, the inspector sample, freezing, the window."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import defaults, services
from assessment.models import (
    SAMPLE_SHARE,
    Assessment,
    CriteriaSheet,
    Method,
    Metric,
    SampleCheck,
    Tier,
)
from orgs.models import Role
from patrols.models import FindingKind, Lead, LeadStatus, Patrol, PatrolMember, Reward, Visit
from patrols.services import leads as lead_services
from patrols.services import records
from patrols.services.rectifications import rectification_evidence_add
from publicity.models import BoardUpdate
from reporting import periods
from reporting.figures import community_figures
from reporting.models import MonthlyReport, ReportStatus
from tests.factories import EstablishmentFactory, UserFactory
from tests.security_world import jpeg_upload

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2026
IN_WINDOW = dt.datetime(YEAR, 12, 5, 10, tzinfo=SHANGHAI)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def patrol(clock, day: dt.date, inspector, partner, shop, *, risk: bool = False) -> Patrol:
    clock.set(at(day, 9))
    record = records.patrol_start(user=inspector, team=[partner], date=day)[0]
    items = (
        [records.FindingInput(FindingKind.SAFETY_RISK, "hygiene", "地面不洁", day + dt.timedelta(days=7))]
        if risk
        else []
    )
    clock.set(at(day, 10))  # the visit is recorded when it is made, not before (config.bounds)
    records.visit_record(
        user=inspector,
        patrol=record,
        establishment=shop,
        result="issues" if risk else "compliant",
        finding_items=items,
        visited_at=at(day, 10),
    )
    clock.set(at(day, 18))
    records.patrol_submit(user=inspector, patrol=record)
    return record


def filed_lead(clock, day: dt.date, reporter, officer, community) -> Lead:
    clock.set(at(day))
    lead = lead_services.lead_report(
        community=community, description="无证经营", source="inspector", reporter=reporter
    )
    lead_services.lead_verify(user=officer, lead=lead)
    return lead_services.lead_file(user=officer, lead=lead)


def monthly_reports(community, head, states: dict[int, str]) -> None:
    """Reports of the year's months, written straight to the table: "on_time" or "late", each with
    the figures it would have frozen."""
    for month, state in states.items():
        period = dt.date(YEAR, month, 1)
        MonthlyReport.objects.create(
            figures=community_figures([community], period, on=periods.period_last_day(period))[community.pk],
            unit=community,
            period=dt.date(YEAR, month, 1),
            status=ReportStatus.SUBMITTED,
            narrative="好",
            submitted_at=at(dt.date(YEAR, month, 28)),
            first_submitted_at=at(dt.date(YEAR, month, 28)),
            submitted_by=head,
            late=state == "late",
        )


@pytest.fixture
def year_of_records(
    clock, community_a, inspector_a, partner_a, head_a, district_officer_a, info_officer_a
) -> dict:
    """Community A's year: patrols in March and June, a rectified and an open risk, leads, reports."""
    third = UserFactory(username="third_a", role=Role.INSPECTOR, org_unit=community_a)
    shop = EstablishmentFactory(community=community_a, risk_class="A", registered_on=dt.date(2025, 1, 1))
    other = EstablishmentFactory(community=community_a, risk_class="C", registered_on=dt.date(2025, 1, 1))
    for day in (3, 4, 5):
        patrol(clock, dt.date(YEAR, 3, day), inspector_a, partner_a, shop, risk=day == 3)
    patrol(clock, dt.date(YEAR, 6, 10), partner_a, third, other, risk=True)
    # The March risk is put right at a follow-up visit (回头看).
    first_risk = Patrol.objects.get(date=dt.date(YEAR, 3, 3)).visits.get().finding_set.get()
    clock.set(at(dt.date(YEAR, 3, 8), 9))
    follow = records.patrol_start(user=inspector_a, team=[partner_a], date=dt.date(YEAR, 3, 8))[0]
    # The fix is shown by a photo and confirmed by the team-mate, not the finder (整改, §4).
    rectification_evidence_add(user=inspector_a, finding=first_risk, upload=jpeg_upload())
    clock.set(at(dt.date(YEAR, 3, 8), 10))
    records.visit_record(
        user=partner_a,
        patrol=follow,
        establishment=shop,
        result="compliant",
        follow_up_of=first_risk,
        rectified=True,
        visited_at=at(dt.date(YEAR, 3, 8), 10),
    )
    records.patrol_submit(user=inspector_a, patrol=follow)
    # A patrol in December is after the months assessed and does not count.
    patrol(clock, dt.date(YEAR, 12, 2), inspector_a, partner_a, shop)
    filed_lead(clock, dt.date(YEAR, 4, 2), inspector_a, district_officer_a, community_a)
    clock.set(at(dt.date(YEAR, 5, 2)))
    lead_services.lead_report(
        community=community_a, description="过期药品", source="inspector", reporter=partner_a
    )
    for month in (1, 2, 3):
        BoardUpdate.objects.create(
            community=community_a,
            kind="bulletin",
            date=dt.date(YEAR, month, 9),
            summary="专版",
            created_by=head_a,
        )
    BoardUpdate.objects.create(
        community=community_a, kind="slogan", date=dt.date(YEAR, 2, 9), summary="标语", created_by=head_a
    )
    # The reports freeze what the records said: written after them.
    monthly_reports(community_a, head_a, {1: "on_time", 2: "on_time", 3: "late", 4: "on_time", 5: "on_time"})
    clock.set(IN_WINDOW)
    return {"third": third, "shop": shop}


def start_community(officer, community) -> Assessment:
    return services.assessment_start(user=officer, tier=Tier.COMMUNITY, assessee_unit=community)


def item(assessment: Assessment, metric: str):
    return assessment.items.get(metric=metric)


def score_everything(user, assessment: Assessment) -> None:
    for row in assessment.items.filter(score__isnull=True):
        services.assessment_item_score(user=user, item=row, score=row.points, note="好")


def check_sample(officer, assessment: Assessment, score: str = "90") -> None:
    for check in assessment.checks.all():
        services.sample_check_record(user=officer, check=check, score=Decimal(score), note="抽查巡查记录")


# Criteria sheets


@pytest.mark.parametrize("tier", Tier.values)
def test_default_sheets_are_in_chinese_add_up_to_100_and_use_all_four_methods(tier):
    rows = defaults.default_items(tier)
    assert sum(row["points"] for row in rows) == 100
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in row["title"]) for row in rows)
    methods = {row["method"] for row in rows}
    assert methods <= set(Method.values)
    assert any(row["metric"] for row in rows)


def test_sheet_is_copied_from_the_default_on_first_use_and_edited_by_the_district(
    client, district_officer_a, district_a
):
    client.force_login(district_officer_a)
    response = client.get(reverse("assessment:sheet", args=["community"]) + f"?year={YEAR}")
    assert response.status_code == 200
    sheet = CriteriaSheet.objects.get(tier=Tier.COMMUNITY, owner=district_a, year=YEAR)
    assert sheet.total_points() == 100
    rows = [
        {
            "position": 1,
            "title": "每日巡查",
            "standard": "",
            "points": Decimal(60),
            "method": Method.DOCUMENTS,
            "metric": Metric.PATROL_DAY_RATE,
        },
        {
            "position": 2,
            "title": "综合评议",
            "standard": "",
            "points": Decimal(30),
            "method": Method.OVERALL,
            "metric": "",
        },
    ]
    with pytest.raises(ValidationError, match="100"):
        services.criteria_sheet_save(user=district_officer_a, sheet=sheet, title="细则", items=rows)
    rows[1]["points"] = Decimal(40)
    services.criteria_sheet_save(user=district_officer_a, sheet=sheet, title="细则", items=rows)
    assert list(sheet.items.values_list("title", "points")) == [("每日巡查", 60), ("综合评议", 40)]


def test_only_the_assessing_level_edits_a_sheet(client, head_a, district_officer_c, district_a):
    sheet = services.criteria_sheet_for(tier=Tier.COMMUNITY, owner=district_a, year=YEAR)
    for outsider in (head_a, district_officer_c):
        with pytest.raises(PermissionDenied):
            services.criteria_sheet_save(
                user=outsider, sheet=sheet, title="x", items=defaults.default_items("community")
            )
    client.force_login(head_a)
    assert client.get(reverse("assessment:sheet", args=["community"])).status_code == 403
    assert client.get(reverse("assessment:sheet", args=["inspector"])).status_code == 200


def test_sheet_editor_saves_through_the_page(client, head_a, community_a):
    client.force_login(head_a)
    url = reverse("assessment:sheet", args=["inspector"]) + f"?year={YEAR}"
    client.get(url)
    sheet = CriteriaSheet.objects.get(tier=Tier.INSPECTOR, owner=community_a, year=YEAR)
    items = list(sheet.items.all())
    data = {
        "title": "巡查员考核细则",
        "form-TOTAL_FORMS": len(items),
        "form-INITIAL_FORMS": len(items),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(items):
        data |= {
            f"form-{index}-id": row.pk,
            f"form-{index}-position": row.position,
            f"form-{index}-title": row.title,
            f"form-{index}-standard": row.standard,
            f"form-{index}-points": row.points,
            f"form-{index}-method": row.method,
            f"form-{index}-metric": row.metric,
        }
    data["form-0-points"] = items[0].points - 5
    data["form-1-points"] = items[1].points + 5
    response = client.post(url, data)
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.title == "巡查员考核细则"
    assert sheet.total_points() == 100
    assert sheet.items.first().points == items[0].points - 5


# Prefilled figures


def test_prefilled_community_figures_equal_those_counted_from_the_records(
    year_of_records, district_officer_a, community_a
):
    assessment = start_community(district_officer_a, community_a)
    assert assessment.months_counted == 11  # January to November; December is not over

    # Patrol days: distinct days with a patrol, January to November, of the 334 days.
    days = (
        Patrol.objects.filter(community=community_a, date__year=YEAR, date__month__lte=11)
        .values("date")
        .distinct()
        .count()
    )
    assert days == 5
    patrol_days = item(assessment, Metric.PATROL_DAY_RATE)
    assert patrol_days.figure["patrol_days"] == days
    assert patrol_days.figure["days"] == 334
    assert patrol_days.figure["rate"] == round(100 * days / 334)
    assert patrol_days.score == (Decimal(15) * round(100 * days / 334) / 100).quantize(Decimal("0.1"))
    assert "巡查" in patrol_days.source and patrol_days.source_url.startswith(reverse("reporting:archive"))

    # Reports: 10 months owed (November's is due by December 5 and not missing yet), 5 in, 4 on time.
    timeliness = item(assessment, Metric.REPORT_TIMELINESS).figure
    assert (timeliness["expected"], timeliness["submitted"], timeliness["on_time"]) == (10, 5, 4)
    assert timeliness["rate"] == 40

    # Findings at March 3 and June 10; the March one was rectified at its follow-up.
    rectification = item(assessment, Metric.RECTIFICATION_RATE).figure
    assert (rectification["findings"], rectification["rectified"]) == (2, 1)
    assert rectification["rate"] == 50

    leads = item(assessment, Metric.LEADS).figure
    reported = Lead.objects.filter(community=community_a, reported_at__year=YEAR).count()
    filed = Lead.objects.filter(community=community_a, status=LeadStatus.FILED).count()
    assert (leads["reported"], leads["filed"]) == (reported, filed) == (2, 1)

    publicity = item(assessment, Metric.PUBLICITY).figure
    # Bulletin updated in 3 of 11 months; slogans in the first quarter only of 3 quarters ended.
    assert (publicity["bulletin_months"], publicity["slogan_quarters"], publicity["owed"]) == (3, 1, 14)
    assert publicity["rate"] == round(100 * 4 / 14)

    coverage = item(assessment, Metric.COVERAGE_RATE).figure
    assert 0 < coverage["covered"] <= coverage["due"]

    manual = assessment.items.filter(metric="")
    assert manual.exists() and not manual.exclude(score=None).exists()
    assert assessment.total == sum(row.score or 0 for row in assessment.items.all())


def test_prefilled_inspector_figures_are_their_own_share_of_the_records(
    year_of_records, head_a, inspector_a, partner_a, community_a
):
    mine = services.assessment_start(
        user=head_a, tier=Tier.INSPECTOR, assessee_unit=community_a, assessee_user=inspector_a
    )
    theirs = services.assessment_start(
        user=head_a, tier=Tier.INSPECTOR, assessee_unit=community_a, assessee_user=partner_a
    )

    def counted(person):
        members = PatrolMember.objects.filter(
            inspector=person, patrol__date__year=YEAR, patrol__date__month__lte=11
        )
        visits = Visit.objects.filter(patrol__in=members.values("patrol"))
        return members.values("patrol__date").distinct().count(), visits.count()

    assert counted(inspector_a) == (4, 4)  # March 3, 4, 5 and the follow-up on the 8th
    assert counted(partner_a) == (5, 5)
    for assessment, person in ((mine, inspector_a), (theirs, partner_a)):
        days, visits = counted(person)
        assert item(assessment, Metric.INSPECTOR_PATROL_DAYS).figure == {
            "days": days,
            "team_days": 5,
            "rate": round(100 * days / 5),
        }
        assert item(assessment, Metric.INSPECTOR_VISITS).figure["visits"] == visits
    assert item(mine, Metric.INSPECTOR_LEADS).figure["reported"] == 1
    assert item(mine, Metric.INSPECTOR_LEADS).figure["filed"] == 1
    assert item(theirs, Metric.INSPECTOR_LEADS).figure["filed"] == 0


# The inspector sample


@pytest.mark.parametrize("population", range(1, 25))
def test_sample_is_at_least_30_percent_and_at_least_one(population):
    size = services.sample_size(population)
    assert size >= 1
    assert size >= math.ceil(SAMPLE_SHARE * population)
    assert size <= population
    drawn = services.draw_sample(list(range(100, 100 + population)), "seed")
    assert len(drawn) == size and len(set(drawn)) == size


def test_sample_is_reproducible_from_its_seed_and_seeds_differ():
    ids = list(range(1, 21))
    assert services.draw_sample(ids, "a1b2") == services.draw_sample(list(reversed(ids)), "a1b2")
    samples = {tuple(services.draw_sample(ids, f"seed-{n}")) for n in range(5)}
    assert len(samples) == 5


def test_community_assessment_records_its_seed_and_sample(
    clock, district_officer_a, community_a, inspector_a, partner_a
):
    clock.set(IN_WINDOW)
    more = [UserFactory(role=Role.INSPECTOR, org_unit=community_a) for _ in range(5)]
    assessment = start_community(district_officer_a, community_a)
    pool = sorted([inspector_a.pk, partner_a.pk, *(person.pk for person in more)])
    assert assessment.sample_pool == pool
    assert len(assessment.sample_seed) == 32
    drawn = sorted(assessment.checks.values_list("inspector_id", flat=True))
    assert len(drawn) == 3  # 30 % of 7, rounded up
    assert drawn == services.draw_sample(assessment.sample_pool, assessment.sample_seed)


def test_community_cannot_be_submitted_until_every_sampled_inspector_is_checked(
    clock, district_officer_a, community_a, inspector_a, partner_a, client
):
    clock.set(IN_WINDOW)
    assessment = start_community(district_officer_a, community_a)
    score_everything(district_officer_a, assessment)
    with pytest.raises(ValidationError, match=str(assessment.checks.first().inspector)):
        services.assessment_submit(user=district_officer_a, assessment=assessment)
    client.force_login(district_officer_a)
    client.post(reverse("assessment:detail", args=[assessment.pk]), {"action": "submit"})
    assessment.refresh_from_db()
    assert not assessment.is_frozen

    check = assessment.checks.get()
    response = client.post(
        reverse("assessment:detail", args=[assessment.pk]),
        {
            "action": f"check-{check.pk}",
            f"check-{check.pk}-score": "80",
            f"check-{check.pk}-note": "记录规范",
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.is_checked and check.checked_by == district_officer_a and check.score == 80
    sample_item = item(assessment, Metric.SAMPLE_CHECKS)
    assert sample_item.score == Decimal("4.0")  # 80 % of 5 points
    client.post(reverse("assessment:detail", args=[assessment.pk]), {"action": "submit"})
    assessment.refresh_from_db()
    assert assessment.is_frozen
    assert assessment.snapshot["checks"][0]["score"] == "80.0"


# Freezing


def test_a_submitted_assessment_cannot_be_changed(clock, head_a, inspector_a, partner_a, community_a, client):
    clock.set(IN_WINDOW)
    assessment = services.assessment_start(
        user=head_a, tier=Tier.INSPECTOR, assessee_unit=community_a, assessee_user=inspector_a
    )
    score_everything(head_a, assessment)
    services.assessment_submit(user=head_a, assessment=assessment)
    assessment.refresh_from_db()
    frozen_total, first = assessment.total, assessment.items.first()
    assert assessment.snapshot["total"] == str(frozen_total)

    for attempt in (
        lambda: services.assessment_item_score(user=head_a, item=first, score=Decimal(0)),
        lambda: services.assessment_summary_save(user=head_a, assessment=assessment, summary="改"),
        lambda: services.assessment_refresh(user=head_a, assessment=assessment),
        lambda: services.assessment_submit(user=head_a, assessment=assessment),
    ):
        with pytest.raises(ValidationError, match="冻结"):
            attempt()

    client.force_login(head_a)
    response = client.post(
        reverse("assessment:detail", args=[assessment.pk]),
        {"action": "save", f"item-{first.pk}-score": "0", "summary": "改"},
        follow=True,
    )
    assert "冻结" in response.content.decode()
    first.refresh_from_db()
    assessment.refresh_from_db()
    assert first.score == first.points and assessment.total == frozen_total and assessment.summary == ""

    admin = site._registry[Assessment]
    request = type("Request", (), {"user": UserFactory(is_superuser=True, is_staff=True)})()
    assert not admin.has_change_permission(request, assessment)
    assert not admin.has_delete_permission(request, assessment)


def test_a_community_checked_after_submission_is_refused(clock, district_officer_a, community_a, inspector_a):
    clock.set(IN_WINDOW)
    assessment = start_community(district_officer_a, community_a)
    score_everything(district_officer_a, assessment)
    check_sample(district_officer_a, assessment)
    services.assessment_submit(user=district_officer_a, assessment=assessment)
    with pytest.raises(ValidationError):
        check_sample(district_officer_a, assessment, "10")
    assert SampleCheck.objects.get(assessment=assessment).score == 90


# The window


def test_outside_the_window_an_assessment_is_neither_started_nor_submitted(
    clock, district_officer_a, community_a, inspector_a
):
    clock.set(dt.datetime(YEAR, 11, 30, 23, 59, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError, match="12-01"):
        start_community(district_officer_a, community_a)
    assert not Assessment.objects.exists()

    clock.set(dt.datetime(YEAR, 12, 1, 0, 0, tzinfo=SHANGHAI))
    assessment = start_community(district_officer_a, community_a)
    score_everything(district_officer_a, assessment)
    check_sample(district_officer_a, assessment)
    clock.set(dt.datetime(YEAR, 12, 16, 0, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError, match="考核"):
        services.assessment_submit(user=district_officer_a, assessment=assessment)
    assessment.refresh_from_db()
    assert not assessment.is_frozen


def test_the_window_is_configurable(clock, settings, district_officer_a, community_a, inspector_a):
    settings.ASSESSMENT_WINDOW = {"month": 12, "first_day": 20, "last_day": 31}
    clock.set(IN_WINDOW)
    with pytest.raises(ValidationError):
        start_community(district_officer_a, community_a)
    clock.set(dt.datetime(YEAR, 12, 31, 22, tzinfo=SHANGHAI))
    assert start_community(district_officer_a, community_a).pk


# Who may assess and who may see


def test_only_the_assessing_level_starts_and_scores(
    clock, district_officer_c, head_a, community_a, inspector_a
):
    clock.set(IN_WINDOW)
    for outsider in (district_officer_c, head_a):
        with pytest.raises(PermissionDenied):
            start_community(outsider, community_a)


def test_a_community_sees_only_its_own_result(
    clock, district_officer_a, community_a, community_b, head_a, inspector_a, inspector_b, client, api
):
    clock.set(IN_WINDOW)
    own = start_community(district_officer_a, community_a)
    other = start_community(district_officer_a, community_b)
    for assessment in (own, other):
        score_everything(district_officer_a, assessment)
        check_sample(district_officer_a, assessment)
        services.assessment_submit(user=district_officer_a, assessment=assessment)

    client.force_login(head_a)
    assert client.get(reverse("assessment:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("assessment:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("assessment:export_xlsx", args=[other.pk])).status_code == 404
    district = community_a.parent
    assert client.get(reverse("assessment:ranking", args=[district.pk])).status_code == 404
    api.force_authenticate(head_a)
    ids = [row["id"] for row in api.get("/api/assessments/").json()["results"]]
    assert ids == [own.pk]


def test_an_inspector_sees_only_their_own_score(
    clock, head_a, inspector_a, partner_a, community_a, client, api
):
    clock.set(IN_WINDOW)
    people = {}
    for person in (inspector_a, partner_a):
        assessment = services.assessment_start(
            user=head_a, tier=Tier.INSPECTOR, assessee_unit=community_a, assessee_user=person
        )
        score_everything(head_a, assessment)
        services.assessment_submit(user=head_a, assessment=assessment)
        people[person.pk] = assessment

    client.force_login(inspector_a)
    page = client.get(reverse("assessment:mine"))
    assert page.status_code == 200
    assert str(people[inspector_a.pk].total) in page.content.decode()
    assert client.get(reverse("assessment:detail", args=[people[inspector_a.pk].pk])).status_code == 200
    assert client.get(reverse("assessment:detail", args=[people[partner_a.pk].pk])).status_code == 404
    api.force_authenticate(inspector_a)
    ids = [row["id"] for row in api.get("/api/assessments/").json()["results"]]
    assert ids == [people[inspector_a.pk].pk]


def test_an_assessment_in_progress_is_not_shown_to_the_assessed(
    clock, district_officer_a, community_a, head_a, inspector_a, client
):
    clock.set(IN_WINDOW)
    assessment = start_community(district_officer_a, community_a)
    client.force_login(head_a)
    assert client.get(reverse("assessment:detail", args=[assessment.pk])).status_code == 404


# Pages and the API


def test_pages_walk_through_a_district_assessment(
    clock, district_officer_a, community_a, community_b, inspector_a, inspector_b, client, year_of_records
):
    client.force_login(district_officer_a)
    home = client.get(reverse("assessment:home"))
    assert home.status_code == 200 and community_b.name in home.content.decode()
    response = client.post(reverse("assessment:start"), {"tier": "community", "unit": community_a.pk})
    assessment = Assessment.objects.get(assessee_unit=community_a)
    assert response["Location"] == reverse("assessment:detail", args=[assessment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "每日巡查" in page and assessment.sample_seed in page
    manual = assessment.items.filter(metric="").first()
    response = client.post(
        reverse("assessment:detail", args=[assessment.pk]),
        {"action": "save", f"item-{manual.pk}-score": str(manual.points + 1), "summary": ""},
        follow=True,
    )
    assert "之间" in response.content.decode()
    manual.refresh_from_db()
    assert manual.score is None


def test_api_starts_scores_and_submits(clock, district_officer_a, community_a, inspector_a, api):
    clock.set(IN_WINDOW)
    api.force_authenticate(district_officer_a)
    response = api.post(
        "/api/assessments/start/", {"tier": "community", "unit": community_a.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    pk = body["id"]
    for row in body["items"]:
        if row["score"] is None:
            api.post(
                f"/api/assessments/{pk}/score/", {"item": row["id"], "score": row["points"]}, format="json"
            )
    assert api.post(f"/api/assessments/{pk}/submit/").status_code == 400
    check = body["checks"][0]["id"]
    api.post(f"/api/assessments/{pk}/check-inspector/", {"check": check, "score": "75"}, format="json")
    assert api.post(f"/api/assessments/{pk}/submit/").json()["is_frozen"] is True
    refused = api.post(
        f"/api/assessments/{pk}/score/", {"item": body["items"][0]["id"], "score": "0"}, format="json"
    )
    assert refused.status_code == 400
    assert Reward.objects.count() == 0
