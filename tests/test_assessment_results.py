"""Year-end results (§9): the district's ranking with its advanced communities, exports, query counts."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment import services
from assessment.models import Assessment, Tier
from assessment.selectors import advanced_count, district_ranking
from orgs.models import Role
from patrols.services import leads as lead_services
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
IN_WINDOW = dt.datetime(2026, 12, 5, 10, tzinfo=SHANGHAI)


def assess(officer, community, points_lost: int) -> Assessment:
    """A submitted assessment of the community: every item full marks but `points_lost` off the first."""
    if not community.members.filter(role=Role.INSPECTOR).exists():
        UserFactory(role=Role.INSPECTOR, org_unit=community)
    assessment = services.assessment_start(user=officer, tier=Tier.COMMUNITY, assessee_unit=community)
    for index, row in enumerate(assessment.items.all()):
        score = row.points - points_lost if index == 0 else row.points
        services.assessment_item_score(user=officer, item=row, score=score)
    for check in assessment.checks.all():
        services.sample_check_record(user=officer, check=check, score=Decimal(100))
    return services.assessment_submit(user=officer, assessment=assessment)


@pytest.mark.parametrize(("ranked", "advanced"), [(0, 0), (1, 1), (4, 1), (5, 1), (6, 2), (10, 2), (11, 3)])
def test_advanced_communities_are_the_top_fifth_at_least_one(ranked, advanced):
    assert advanced_count(ranked) == advanced


def test_ranking_orders_communities_by_total_and_marks_the_advanced(
    clock, district_a, community_a, community_b, district_officer_a, client
):
    clock.set(IN_WINDOW)
    third = CommunityFactory(parent=district_a, name="三墩社区")
    waiting = CommunityFactory(parent=district_a, name="未考社区")
    assess(district_officer_a, community_a, 5)
    assess(district_officer_a, community_b, 1)
    assess(district_officer_a, third, 9)

    rows = district_ranking(district_a, 2026)
    assert [row.community for row in rows] == [community_b, community_a, third, waiting]
    assert [row.rank for row in rows] == [1, 2, 3, None]
    assert [row.advanced for row in rows] == [True, False, False, False]

    client.force_login(district_officer_a)
    page = client.get(reverse("assessment:ranking", args=[district_a.pk]) + "?year=2026").content.decode()
    assert page.count("先进社区") >= 1
    assert page.index(community_b.name) < page.index(community_a.name) < page.index(third.name)


def test_ranking_page_costs_the_same_for_2_and_6_communities(clock, district_a, district_officer_a, client):
    clock.set(IN_WINDOW)
    client.force_login(district_officer_a)
    url = reverse("assessment:ranking", args=[district_a.pk]) + "?year=2026"

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for points in (1, 2):
        assess(district_officer_a, CommunityFactory(parent=district_a), points)
    few = queries()
    for points in (3, 4, 5, 6):
        assess(district_officer_a, CommunityFactory(parent=district_a), points)
    assert queries() == few


def test_assessment_workbook_has_the_items_figures_sample_and_rewards(
    clock, community_a, district_officer_a, inspector_a, client
):
    clock.set(dt.datetime(2026, 4, 2, 10, tzinfo=SHANGHAI))
    lead = lead_services.lead_report(
        community=community_a, description="无证", source="inspector", reporter=inspector_a
    )
    lead_services.lead_verify(user=district_officer_a, lead=lead)
    lead_services.lead_file(user=district_officer_a, lead=lead)
    clock.set(IN_WINDOW)
    assessment = assess(district_officer_a, community_a, 2)
    client.force_login(district_officer_a)

    response = client.get(reverse("assessment:export_xlsx", args=[assessment.pk]))

    assert response.status_code == 200
    assert f'filename="assessment-2026-{assessment.pk}.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [row for row in book["考核表"].iter_rows(values_only=True) if len(row) > 5]
    leads_row = next(row for row in rows if row[1] == "线索报送")
    assert "报告线索 1，立案线索 1" in leads_row[4]  # the catalogue's labels
    total_row = next(row for row in rows if row[1] == "合计")
    assert total_row[3] == 100 and total_row[5] == float(assessment.total)
    checks = [row for row in book["抽查巡查员"].iter_rows(values_only=True) if len(row) > 2]
    assert any(row[0] == str(inspector_a) and row[2] == 100 for row in checks)
    rewards = list(book["奖励台账"].iter_rows(values_only=True))
    assert any(row[3] == 100 for row in rewards if row and len(row) > 3)


def test_pdfs_are_in_chinese(clock, district_a, community_a, district_officer_a, client, tmp_path):
    clock.set(IN_WINDOW)
    assessment = assess(district_officer_a, community_a, 0)
    client.force_login(district_officer_a)
    for url, needle in (
        (reverse("assessment:export_pdf", args=[assessment.pk]), "区考核社区"),
        (reverse("assessment:ranking_pdf", args=[district_a.pk]) + "?year=2026", "先进社区"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        path = tmp_path / "out.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert needle in text and community_a.name in text


def test_ranking_workbook_marks_the_advanced(
    clock, district_a, community_a, community_b, district_officer_a, client
):
    clock.set(IN_WINDOW)
    assess(district_officer_a, community_a, 0)
    assess(district_officer_a, community_b, 3)
    client.force_login(district_officer_a)
    response = client.get(reverse("assessment:ranking_xlsx", args=[district_a.pk]) + "?year=2026")
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True)["社区排名"].iter_rows(values_only=True)
    )
    assert (1, community_a.name) == rows[3][:2] and rows[3][4] == "先进社区"
    assert rows[4][:2] == (2, community_b.name) and not rows[4][4]
