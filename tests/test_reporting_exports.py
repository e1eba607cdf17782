"""A month's Excel workbook and PDF summary (§6): content, fonts, scoping, fixed query counts."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Role
from patrols.services import records
from reporting import exports, rollup
from reporting.services import monthly_report_for, monthly_report_submit
from tests.factories import CommunityFactory, EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def patrol_days(clock, community, days: list[int]) -> None:
    one, two = (UserFactory(role=Role.INSPECTOR, org_unit=community) for _ in range(2))
    shop = EstablishmentFactory(community=community, risk_class="A", registered_on=dt.date(2026, 1, 1))
    for day in days:
        date = dt.date(2026, 10, day)
        clock.set(at(date))
        patrol = records.patrol_start(user=one, team=[two], date=date)[0]
        records.visit_record(
            user=one, patrol=patrol, establishment=shop, result="compliant", visited_at=at(date)
        )
        records.patrol_submit(user=one, patrol=patrol)


def sheet_rows(content: bytes, name: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True)[name].iter_rows(values_only=True))


def column(rows: list[tuple], header: str) -> int:
    for row in rows:
        if header in row:
            return row.index(header)
    raise AssertionError(header)


def test_district_workbook_has_one_row_per_community_and_a_total(
    clock, community_a, community_b, head_a, district_a, district_officer_a, client
):
    patrol_days(clock, community_a, [1, 2, 3])
    patrol_days(clock, community_b, [5])
    clock.set(at(dt.date(2026, 11, 3)))
    monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    patrol_days(clock, community_a, [20])  # after submitting: the frozen report keeps 3 days
    clock.set(at(dt.date(2026, 11, 7)))
    client.force_login(district_officer_a)

    response = client.get(reverse("reporting:export_xlsx", args=[district_a.pk, "2026-10"]))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert (
        f'filename="report-{district_a.code}-2026-10.xlsx"' in disposition
        and "filename*=UTF-8''" in disposition
    )
    content = b"".join(response.streaming_content)
    rows = sheet_rows(content, "汇总")
    days = column(rows, "巡查天数")
    by_name = {row[0]: row for row in rows if row and row[0]}
    included = column(rows, "计入合计")
    assert (by_name[community_a.name][days], by_name[community_a.name][included]) == (3, "是")
    # Community B has not reported: listed with its live figures, not counted in the district's total.
    assert (by_name[community_b.name][days], by_name[community_b.name][included]) == (1, "否")
    assert by_name["合计"][days] == 3
    assert "问题分类" in load_workbook(io.BytesIO(content), read_only=True).sheetnames


def test_city_workbook_has_totals_and_community_detail(
    clock, city, community_a, community_c, city_officer, client
):
    patrol_days(clock, community_c, [2, 9])
    clock.set(at(dt.date(2026, 11, 12)))
    client.force_login(city_officer)
    response = client.get(reverse("reporting:export_xlsx", args=[city.pk, "2026-10"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert {"汇总", "社区明细"} <= set(book.sheetnames)
    detail = [row for row in book["社区明细"].iter_rows(values_only=True) if row]
    assert any(community_c.name in row for row in detail)


def test_pdf_summary_embeds_a_chinese_font_and_reads_back_in_chinese(
    clock, community_a, district_a, district_officer_a, client, tmp_path
):
    patrol_days(clock, community_a, [1, 2])
    clock.set(at(dt.date(2026, 11, 7)))
    client.force_login(district_officer_a)
    response = client.get(reverse("reporting:export_pdf", args=[district_a.pk, "2026-10"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.content)

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert district_a.name in text and community_a.name in text
    assert "工作月报摘要" in text and "巡查天数" in text


@pytest.mark.parametrize("name", ["reporting:export_xlsx", "reporting:export_pdf"])
def test_exports_of_another_district_are_not_found(name, community_a, district_a, district_officer_c, client):
    client.force_login(district_officer_c)
    for unit in (district_a, community_a):
        assert client.get(reverse(name, args=[unit.pk, "2026-10"])).status_code == 404


@pytest.mark.parametrize("name", ["reporting:export_xlsx", "reporting:export_pdf"])
def test_community_cannot_export_its_neighbour_and_volunteers_none(
    name, community_a, community_b, head_a, volunteer_a, client
):
    client.force_login(head_a)
    assert client.get(reverse(name, args=[community_b.pk, "2026-10"])).status_code == 404
    client.force_login(volunteer_a)
    assert client.get(reverse(name, args=[community_a.pk, "2026-10"])).status_code == 403


@pytest.mark.parametrize("name", ["reporting:export_xlsx", "reporting:export_pdf"])
def test_district_exports_cost_the_same_for_2_and_6_communities(
    name, clock, district_a, community_a, community_b, district_officer_a, client
):
    clock.set(at(dt.date(2026, 11, 7)))
    client.force_login(district_officer_a)
    url = reverse(name, args=[district_a.pk, "2026-10"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(4):
        patrol_days(clock, CommunityFactory(parent=district_a), [4])
    clock.set(at(dt.date(2026, 11, 7)))
    assert count() == few


def export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_city_workbook_costs_the_same_for_2_and_4_communities_a_district(
    clock, city, district_a, district_c, community_a, community_b, community_c, city_officer, client
):
    CommunityFactory(parent=district_c)  # two communities in each district
    clock.set(at(dt.date(2026, 11, 7)))
    client.force_login(city_officer)
    url = reverse("reporting:export_xlsx", args=[city.pk, "2026-10"])

    few = export_queries(client, url)
    for district in (district_a, district_c):
        for _ in range(2):
            patrol_days(clock, CommunityFactory(parent=district), [4])
    clock.set(at(dt.date(2026, 11, 7)))
    assert export_queries(client, url) == few


def workbook_values(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


@pytest.mark.parametrize("unit", ["city", "district_a"])
def test_workbook_written_one_unit_at_a_time_is_the_same(
    unit, request, monkeypatch, clock, community_a, community_b, community_c, head_a, city_officer
):
    patrol_days(clock, community_a, [1, 2, 3])
    patrol_days(clock, community_c, [2, 9])
    clock.set(at(dt.date(2026, 11, 3)))
    monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    clock.set(at(dt.date(2026, 11, 12)))
    exported = request.getfixturevalue(unit)

    def export() -> dict[str, list[tuple]]:
        return workbook_values(exports.month_workbook(user=city_officer, unit=exported, period=OCTOBER))

    in_one_chunk = export()
    monkeypatch.setattr(rollup, "UNITS_PER_CHUNK", 1)
    one_at_a_time = export()

    assert one_at_a_time == in_one_chunk
    summary = one_at_a_time["汇总"]
    days = column(summary, "巡查天数")
    # The total counts only the reports received: community A's, not community C's live days.
    assert next(row for row in summary if row[0] == "合计")[days] == 3
    if unit == "city":
        detail = one_at_a_time["社区明细"]
        days, included = column(detail, "巡查天数"), column(detail, "计入合计")
        by_name = {row[1]: row for row in detail if row and len(row) > days}
        assert (by_name[community_a.name][days], by_name[community_a.name][included]) == (3, "是")
        assert (by_name[community_c.name][days], by_name[community_c.name][included]) == (2, "否")
