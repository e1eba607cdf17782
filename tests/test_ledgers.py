"""Ledgers (台账, item 7 of issue #22): an Excel file per ledger, for any unit and period the user may see."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Role
from patrols.models import (
    Finding,
    FindingCategory,
    FindingKind,
    Incident,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStatus,
    Patrol,
    PatrolStatus,
    RapidTest,
    RapidTestMethod,
    RapidTestResult,
    RectificationStep,
    StepKind,
    Visit,
    VisitResult,
)
from patrols.services import incidents as incident_services
from patrols.services import leads as lead_services
from patrols.services import records
from patrols.services.rectifications import rectification_evidence_add, rectification_follow_up
from publicity.models import TrainingOutsider, TrainingSession
from reporting.ledgers import LEDGERS, hazard_ledger_rows
from reporting.rollup import month_rollup
from tests.factories import EstablishmentFactory, UserFactory
from tests.security_world import jpeg_upload

# The city's October of the consistency test (tests/test_one_truth.py), for the one-truth check.
from tests.test_one_truth import OCTOBER, month  # noqa: F401

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 9, tzinfo=SHANGHAI)
DOWNLOAD = reverse("reporting:ledger_download")


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def download(client, ledger: str, unit, first="2026-10-01", last="2026-10-31"):
    return client.get(DOWNLOAD, {"ledger": ledger, "unit": unit.pk, "first": first, "last": last})


def sheet_rows(response) -> tuple[list[str], list[dict]]:
    """The header and the rows of a downloaded ledger, each row keyed by its Chinese header."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(rows) if row and ("社区" in row or "区" in row))
    header = list(rows[header_at])
    return header, [dict(zip(header, row, strict=False)) for row in rows[header_at + 1 :] if any(row)]


@pytest.fixture
def october(clock, community_a, community_b, district_officer_a):
    """Community A's October: a risk found and put right, a public lead filed, an incident reported
    late with a follow-up. Community B has a risk of its own; A has a risk in September."""
    one = UserFactory(role=Role.INSPECTOR, org_unit=community_a, full_name="张三")
    two = UserFactory(role=Role.INSPECTOR, org_unit=community_a, full_name="李四")
    shop = EstablishmentFactory(community=community_a, name="好又多超市", registered_on=dt.date(2026, 1, 1))

    def risk(patrol, shop, category, deadline, visited):
        visit = records.visit_record(
            user=patrol.created_by,
            patrol=patrol,
            establishment=shop,
            visited_at=visited,
            result="issues",
            finding_items=[
                records.FindingInput(
                    kind=FindingKind.SAFETY_RISK,
                    category=category,
                    description="冷柜温度过高",
                    rectification_deadline=deadline,
                )
            ],
        )[0]
        return visit.finding_set.get()

    def patrol(user, team, day):
        clock.set(at(day, 8))
        return records.patrol_start(user=user, team=[team], date=day)[0]

    def submit(user, p):
        clock.set(at(p.date, 18))
        records.patrol_submit(user=user, patrol=p)

    september = patrol(one, two, dt.date(2026, 9, 28))
    clock.set(at(dt.date(2026, 9, 28), 9))
    risk(september, shop, "hygiene", dt.date(2026, 10, 5), at(dt.date(2026, 9, 28), 9))
    submit(one, september)

    p = patrol(one, two, dt.date(2026, 10, 12))
    clock.set(at(dt.date(2026, 10, 12), 10))
    finding = risk(p, shop, "storage", dt.date(2026, 10, 19), at(dt.date(2026, 10, 12), 10))
    submit(one, p)
    clock.set(at(dt.date(2026, 10, 15), 9))
    rectification_evidence_add(user=one, finding=finding, upload=jpeg_upload())
    clock.set(at(dt.date(2026, 10, 16), 9))
    rectification_follow_up(user=two, finding=finding, passed=True, note="已整改")

    b_one = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    b_two = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    pb = patrol(b_one, b_two, dt.date(2026, 10, 13))
    clock.set(at(dt.date(2026, 10, 13), 10))
    risk(
        pb,
        EstablishmentFactory(community=community_b, name="乙社区小店"),
        "labelling",
        dt.date(2026, 10, 20),
        at(dt.date(2026, 10, 13), 10),
    )
    submit(b_one, pb)

    clock.set(at(dt.date(2026, 10, 21)))
    lead = lead_services.lead_report(
        community=community_a,
        establishment=shop,
        description="售卖过期食品",
        source=LeadSource.PUBLIC,
        reporter_name="王五",
        reporter_phone="13800001111",
    )
    clock.set(at(dt.date(2026, 10, 22)))
    lead_services.lead_verify(user=district_officer_a, lead=lead, note="已核实")
    clock.set(at(dt.date(2026, 10, 23)))
    lead_services.lead_file(user=district_officer_a, lead=lead)

    clock.set(at(dt.date(2026, 10, 15), 13))
    incident = incident_services.incident_report(
        user=one,
        unit_name="张记面馆",
        place="文三路",
        occurred_at=at(dt.date(2026, 10, 15), 10),
        facts="腹泻",
    )
    clock.set(at(dt.date(2026, 10, 15), 17))
    incident_services.incident_follow_up(user=one, incident=incident, text="三人已出院", is_final=True)
    clock.set(at(dt.date(2026, 10, 15), 18))
    incident_services.incident_escalate(user=district_officer_a, incident=incident, note="涉及多人")
    clock.set(NOW)
    return {"finding": finding, "lead": lead, "incident": incident}


def test_the_hazard_ledger_lists_the_months_risks_with_their_rectification_history(
    client, october, community_a, head_a
):
    client.force_login(head_a)
    header, rows = sheet_rows(download(client, "hazards", community_a))
    assert header[:5] == ["区", "社区", "商户", "发现日期", "类别"]
    assert "整改过程" in header and "销号日期" in header
    # October's risk of A only: not September's, not community B's.
    assert len(rows) == 1
    row = rows[0]
    assert (row["商户"], row["隐患等级"], row["状态"]) == ("好又多超市", "一般", "已整改")
    assert row["发现日期"].date() == dt.date(2026, 10, 12)
    assert row["整改照片数"] == 1 and row["销号日期"].date() == dt.date(2026, 10, 16)
    steps = row["整改过程"].splitlines()
    assert steps[0].startswith("2026-10-12 10:00")
    assert any(line.startswith("2026-10-16 09:00") and "已整改" in line and "李四" in line for line in steps)


def test_the_lead_ledger_shows_steps_and_the_reporter_only_to_the_district(
    client, october, community_a, head_a, district_officer_a, district_a
):
    client.force_login(district_officer_a)
    header, rows = sheet_rows(download(client, "leads", district_a))
    assert "办理过程" in header and "报告人电话" in header
    (row,) = rows
    assert (row["报告人"], row["报告人电话"], row["状态"]) == ("王五", "13800001111", "已立案")
    assert row["奖励（元）"] == 100
    steps = row["办理过程"].splitlines()
    assert len(steps) == 3 and "已核实" in steps[1]
    # The community sees the kind of reporter, never the name or the phone.
    client.force_login(head_a)
    response = download(client, "leads", community_a)
    _header, rows = sheet_rows(response)
    (row,) = rows
    assert row["报告人"] == "群众" and not row["报告人电话"]
    assert "王五" not in str(rows) and "13800001111" not in str(rows)


def test_the_incident_ledger_lists_the_reports_with_the_late_flag(
    client, october, community_a, city_officer, city
):
    client.force_login(city_officer)
    header, rows = sheet_rows(download(client, "incidents", city))
    assert "报告记录" in header
    (row,) = rows
    assert (row["涉事单位"], row["初报是否迟报"]) == ("张记面馆", "是")
    assert (row["区"], row["社区"]) == (community_a.parent.name, community_a.name)
    reports = row["报告记录"].splitlines()
    assert reports[0].startswith("2026-10-15 13:00 初报（迟报）")
    assert reports[1].startswith("2026-10-15 17:00 终报") and "三人已出院" in reports[1]
    assert reports[2].startswith("2026-10-15 18:00 已上报市局") and "涉及多人" in reports[2]
    assert row["结案时间"] == dt.datetime(2026, 10, 15, 17)


def test_the_page_offers_every_ledger_and_the_units_below(
    client, clock, head_a, district_officer_a, community_a
):
    clock.set(NOW)
    client.force_login(district_officer_a)
    page = client.get(reverse("reporting:ledgers"))
    assert page.status_code == 200
    body = page.content.decode()
    assert all(f'value="{ledger.key}"' in body for ledger in LEDGERS)
    assert f'value="{community_a.pk}"' in body and "隐患台账" in body
    # Last month by default, in the form a date input takes.
    assert 'value="2026-10-01"' in body and 'value="2026-10-31"' in body


def test_another_communitys_ledger_is_not_found(
    client, october, community_a, community_b, inspector_b, district_officer_c
):
    for outsider, unit in ((inspector_b, community_a), (district_officer_c, community_a)):
        client.force_login(outsider)
        for ledger in LEDGERS:
            assert download(client, ledger.key, unit).status_code == 404
        assert client.get(reverse("reporting:ledgers"), {"unit": unit.pk}).status_code == 404
    # A community's own ledger has none of the other community's records.
    client.force_login(inspector_b)
    _header, rows = sheet_rows(download(client, "hazards", community_b))
    assert [row["商户"] for row in rows] == ["乙社区小店"]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2021-01-01", "2026-01-01", "一份台账最长覆盖 3 年"),
        ("2026-11-01", "2026-11-30", "该日期晚于今天"),
        ("2026-10-31", "2026-10-01", "截止日期早于起始日期"),
        ("1999-12-31", "2000-01-31", "请输入 2000-01-01 至 2026-11-20 之间的日期"),
        ("2026-13-01", "2026-10-31", "日期"),
        ("", "2026-10-31", "该字段是必填项"),
    ],
)
def test_a_bad_period_is_refused_in_chinese(client, clock, head_a, community_a, first, last, message):
    clock.set(NOW)
    client.force_login(head_a)
    response = download(client, "hazards", community_a, first, last)
    assert response.status_code == 400
    assert message in response.content.decode(), response.content.decode().split("<form")[1][:3000]


def test_an_unknown_ledger_is_refused(client, clock, head_a, community_a):
    clock.set(NOW)
    client.force_login(head_a)
    assert download(client, "nothing", community_a).status_code == 400


def _records(community, author, shop, count: int, day: dt.date) -> None:
    """`count` records of each ledger's kind, each with two steps, straight into the tables."""
    patrol = Patrol.objects.create(
        community=community, date=day, created_by=author, status=PatrolStatus.SUBMITTED
    )
    for n in range(count):
        moment = at(day, 8 + n)
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
            rectification_deadline=day + dt.timedelta(days=7),
        )
        for kind in (StepKind.OPENED, StepKind.EVIDENCE):
            RectificationStep.objects.create(finding=finding, kind=kind, actor=author, at=moment)
        lead = Lead.objects.create(
            community=community,
            establishment=shop,
            source=LeadSource.INSPECTOR,
            description="线索",
            reporter=author,
        )
        Lead.objects.filter(pk=lead.pk).update(reported_at=moment)
        for status in (LeadStatus.REPORTED, LeadStatus.VERIFYING):
            LeadEvent.objects.create(lead=lead, status=status, actor=author)
        Incident.objects.create(
            community=community,
            unit_name="单位",
            place="路",
            occurred_at=moment,
            reported_at=moment,
            facts="腹泻",
            reported_by=author,
        )
        RapidTest.objects.create(
            visit=visit,
            community=community,
            tested_at=moment,
            sample="青菜",
            item="有机磷农药残留",
            method=RapidTestMethod.TEST_STRIP,
            result=RapidTestResult.NEGATIVE,
            tested_by=author,
        )
        session = TrainingSession.objects.create(
            community=community,
            organiser=community,
            date=day,
            created_by=author,
            topic="食品安全知识",
            hours=Decimal("2.0"),
            attendance=10,
        )
        session.attendees.add(author)
        TrainingOutsider.objects.create(session=session, name="赵六", workplace="面馆")


def test_a_ledger_costs_the_same_queries_for_one_record_as_for_five(
    client,
    clock,
    community_a,
    community_b,
    district_officer_a,
    district_a,
    inspector_a,
    shop_a,
    inspector_b,
    shop_b,
):
    clock.set(NOW)
    _records(community_a, inspector_a, shop_a, 1, dt.date(2026, 10, 5))
    client.force_login(district_officer_a)

    def queries(ledger: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            _header, rows = sheet_rows(download(client, ledger, district_a))
        return len(captured), len(rows)

    one = {ledger.key: queries(ledger.key) for ledger in LEDGERS}
    _records(community_b, inspector_b, shop_b, 5, dt.date(2026, 10, 6))
    five = {ledger.key: queries(ledger.key) for ledger in LEDGERS}
    for ledger in LEDGERS:
        assert (one[ledger.key][1], five[ledger.key][1]) == (1, 6), ledger.key
        assert one[ledger.key][0] == five[ledger.key][0], ledger.key


def test_the_hazard_ledger_of_october_counts_what_the_monthly_report_counts(
    month,  # noqa: F811 (the fixture imported above)
    community_a,
    head_a,
    district_a,
    district_officer_a,
):
    """One truth: the month's findings figure is its risks and its suspected violations, which all go
    to the district as leads (`reported`); the ledger lists the risks."""
    for user, unit in ((head_a, community_a), (district_officer_a, district_a)):
        figures = month_rollup(user=user, unit=unit, period=OCTOBER).own.figures
        rows = list(hazard_ledger_rows(user, unit, OCTOBER, dt.date(2026, 10, 31)))
        assert figures["findings"] - figures["reported"] == len(rows) > 0
