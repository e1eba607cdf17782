"""The archive (档案管理, §6): every report, record and article of a unit and the units below it, by month."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import OrgUnit
from patrols.models import (
    Finding,
    FindingCategory,
    FindingKind,
    Incident,
    Lead,
    LeadSource,
    Patrol,
    PatrolStatus,
    Visit,
    VisitResult,
)
from reporting.models import Article, MonthlyReport, ReportStatus
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
URL = reverse("reporting:archive")


def file_month(community: OrgUnit, author, day: dt.date, *, label: str = "") -> dict:
    """One of each kind of record for `community` on `day`, as they would be filed."""
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
    patrol = Patrol.objects.create(
        community=community, date=day, created_by=author, status=PatrolStatus.ARCHIVED
    )
    article = Article.objects.create(
        community=community,
        title=f"稿件{label}",
        activity_ended_on=day,
        body="正文",
        author=author,
        submitted_at=moment,
    )
    lead = Lead.objects.create(
        community=community, source=LeadSource.INSPECTOR, description="线索", reporter=author
    )
    Lead.objects.filter(pk=lead.pk).update(reported_at=moment)  # reported_at is stamped on creation
    incident = Incident.objects.create(
        community=community,
        unit_name=f"单位{label}",
        place="文三路",
        occurred_at=moment,
        reported_at=moment,
        facts="腹泻",
        reported_by=author,
    )
    visit = Visit.objects.create(
        patrol=patrol,
        establishment=EstablishmentFactory(community=community),
        visited_at=moment,
        result=VisitResult.ISSUES,
    )
    finding = Finding.objects.create(
        visit=visit,
        establishment=visit.establishment,
        community=community,
        kind=FindingKind.SAFETY_RISK,
        category=FindingCategory.HYGIENE,
        description="地面积水",
    )
    Finding.objects.filter(pk=finding.pk).update(created_at=moment)  # stamped on creation too
    return {
        "patrols": patrol,
        "findings": finding,
        "articles": article,
        "leads": lead,
        "incidents": incident,
    }


def report(unit: OrgUnit, period: dt.date = OCTOBER, **kwargs) -> MonthlyReport:
    return MonthlyReport.objects.create(unit=unit, period=period, **kwargs)


def shown(response, key: str) -> set:
    section = next(s for s in response.context["sections"] if s.key == key)
    return {row.obj for row in section.rows}


@pytest.fixture
def filed(inspector_a, inspector_b, community_a, community_b, community_c, district_officer_c):
    inspector_c = district_officer_c  # any author will do for another district's records
    return {
        "a": file_month(community_a, inspector_a, dt.date(2026, 10, 15), label="A"),
        "a_september": file_month(community_a, inspector_a, dt.date(2026, 9, 30), label="A9"),
        "b": file_month(community_b, inspector_b, dt.date(2026, 10, 1), label="B"),
        "c": file_month(community_c, inspector_c, dt.date(2026, 10, 31), label="C"),
        "report_a": report(community_a, status=ReportStatus.SUBMITTED, late=True),
        "report_a_september": report(community_a, dt.date(2026, 9, 1)),
        "report_c": report(community_c),
    }


def test_finds_everything_of_the_community_in_the_month_and_nothing_else(
    client, district_officer_a, community_a, filed
):
    client.force_login(district_officer_a)
    response = client.get(URL, {"unit": community_a.pk, "month": "2026-10"})
    assert response.status_code == 200
    for key, record in filed["a"].items():
        assert shown(response, key) == {record}, key
    assert shown(response, "reports") == {filed["report_a"]}
    reports = next(s for s in response.context["sections"] if s.key == "reports")
    assert reports.rows[0].url == reverse("reporting:report", args=[community_a.pk, "2026-10"])
    assert reports.rows[0].badges[0][0] == "state-late"


def test_district_sees_all_its_communities_but_not_another_district(
    client, district_officer_a, district_a, community_b, filed
):
    client.force_login(district_officer_a)
    response = client.get(URL, {"unit": district_a.pk, "month": "2026-10"})
    for key in ("patrols", "findings", "articles", "leads", "incidents"):
        assert shown(response, key) == {filed["a"][key], filed["b"][key]}, key
    # Units that owed a report and filed none are listed too, so gaps in the archive show.
    assert shown(response, "reports") == {filed["report_a"], community_b, district_a}


def test_city_sees_every_district(client, city_officer, city, filed):
    client.force_login(city_officer)
    response = client.get(URL, {"unit": city.pk, "month": "2026-10"})
    assert shown(response, "incidents") == {filed[k]["incidents"] for k in ("a", "b", "c")}


def test_defaults_to_own_unit_and_last_month(client, inspector_a, filed):
    client.force_login(inspector_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["unit"] == inspector_a.org_unit
    assert response.context["period"].day == 1
    assert [u.pk for u in response.context["units"]] == [inspector_a.org_unit_id]


def test_september_is_kept_apart(client, inspector_a, filed):
    client.force_login(inspector_a)
    response = client.get(URL, {"month": "2026-09"})
    for key, record in filed["a_september"].items():
        assert shown(response, key) == {record}, key
    assert shown(response, "reports") == {filed["report_a_september"]}


def test_unit_of_another_district_is_404(client, district_officer_a, district_c, community_c, filed):
    client.force_login(district_officer_a)
    assert client.get(URL, {"unit": district_c.pk}).status_code == 404
    assert client.get(URL, {"unit": community_c.pk}).status_code == 404
    assert client.get(URL, {"unit": "abc"}).status_code == 404


def test_community_user_cannot_open_a_neighbour(client, inspector_b, community_a, district_a):
    client.force_login(inspector_b)
    assert client.get(URL, {"unit": community_a.pk}).status_code == 404
    assert client.get(URL, {"unit": district_a.pk}).status_code == 404


def test_malformed_month_is_404(client, inspector_a):
    client.force_login(inspector_a)
    assert client.get(URL, {"month": "2026/10"}).status_code == 404


def test_volunteer_has_no_archive(client, volunteer_a):
    client.force_login(volunteer_a)
    assert client.get(URL).status_code == 403


def test_each_section_is_paged(client, inspector_a, community_a):
    for day in range(1, 31):
        file_month(community_a, inspector_a, dt.date(2026, 10, day))
    client.force_login(inspector_a)
    first = client.get(URL, {"month": "2026-10"})
    patrols = next(s for s in first.context["sections"] if s.key == "patrols")
    assert (patrols.count, len(patrols.rows)) == (30, 20)
    second = client.get(URL, {"month": "2026-10", "patrols_page": 2})
    assert len(next(s for s in second.context["sections"] if s.key == "patrols").rows) == 10


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_costs_the_same_for_few_and_many_records(
    client, district_officer_a, district_a, community_a, community_b, inspector_a, inspector_b
):
    client.force_login(district_officer_a)
    params = {"unit": district_a.pk, "month": "2026-10"}
    file_month(community_a, inspector_a, dt.date(2026, 10, 2))
    report(community_a)
    few = count_queries(client, params)
    for day in range(3, 28):
        file_month(community_a, inspector_a, dt.date(2026, 10, day))
        file_month(community_b, inspector_b, dt.date(2026, 10, day))
    report(community_b, status=ReportStatus.SUBMITTED)
    many = count_queries(client, params)
    assert few == many
