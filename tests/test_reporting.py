"""Monthly roll-up reports (§6): figures, snapshots, deadlines, returns, exceptions, dashboards."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from orgs.models import OrgUnitKind, Role
from patrols import schedule
from patrols.models import (
    Establishment,
    Finding,
    FindingKind,
    FindingStatus,
    Incident,
    Lead,
    LeadStatus,
    Patrol,
    Status,
    Visit,
    WatchList,
)
from patrols.services import incidents as incident_services
from patrols.services import leads as lead_services
from patrols.services import records
from patrols.services.rectifications import rectification_evidence_add
from reporting import periods
from reporting.figures import community_figures
from reporting.models import MonthlyReport, ReportAction, ReportStatus
from reporting.rollup import month_rollup, unit_months
from reporting.selectors import UnitState, reporting_rates
from reporting.services import (
    monthly_report_for,
    monthly_report_reopen,
    monthly_report_return,
    monthly_report_submit,
    report_reminder_send,
)
from tests.factories import CommunityFactory, DistrictFactory, EstablishmentFactory, UserFactory
from tests.security_world import jpeg_upload

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)


def at(day: dt.date, hour: int = 10, minute: int = 0, second: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=SHANGHAI)


def october(day: int) -> dt.date:
    return dt.date(2026, 10, day)


def patrol_on(clock, day: dt.date, inspector, partner) -> Patrol:
    clock.set(at(day, 9))
    return records.patrol_start(user=inspector, team=[partner], date=day)[0]


def visit(clock, patrol, inspector, shop, **kwargs) -> Visit:
    clock.set(at(patrol.date, 10))
    kwargs.setdefault("result", "compliant")
    return records.visit_record(
        user=inspector, patrol=patrol, establishment=shop, visited_at=at(patrol.date, 10), **kwargs
    )[0]


def submit(clock, inspector, *patrols: Patrol) -> None:
    for patrol in patrols:
        clock.set(at(patrol.date, 18))
        records.patrol_submit(user=inspector, patrol=patrol)


def risk(category: str, deadline: dt.date) -> records.FindingInput:
    return records.FindingInput(
        kind=FindingKind.SAFETY_RISK, category=category, description="问题", rectification_deadline=deadline
    )


@pytest.fixture
def october_records(clock, community_a, community_b, inspector_a, partner_a, inspector_b, district_officer_a):
    """A month of community A's work, with records before, after and elsewhere that must not count."""
    shop = {
        "a1": EstablishmentFactory(community=community_a, risk_class="A", registered_on=dt.date(2026, 6, 1)),
        "a2": EstablishmentFactory(community=community_a, risk_class="A", registered_on=dt.date(2026, 6, 1)),
        "b1": EstablishmentFactory(community=community_a, risk_class="B", registered_on=dt.date(2026, 1, 1)),
        "c1": EstablishmentFactory(community=community_a, risk_class="C", registered_on=dt.date(2026, 8, 1)),
        "black": EstablishmentFactory(
            community=community_a,
            risk_class="C",
            watch_list=WatchList.BLACK,
            registered_on=dt.date(2026, 1, 1),
        ),
        "closed": EstablishmentFactory(
            community=community_a, risk_class="A", status=Status.CLOSED, registered_on=dt.date(2026, 1, 1)
        ),
        "new": EstablishmentFactory(
            community=community_a, risk_class="A", registered_on=dt.date(2026, 11, 1)
        ),
    }
    # September: visits that decide what falls due in October.
    september = patrol_on(clock, dt.date(2026, 9, 20), inspector_a, partner_a)
    visit(clock, september, inspector_a, shop["b1"])
    visit(clock, september, inspector_a, shop["black"])
    # October.
    p2 = patrol_on(clock, october(2), inspector_a, partner_a)
    visit(clock, p2, inspector_a, shop["a1"])
    p12 = patrol_on(clock, october(12), inspector_a, partner_a)
    visit(
        clock, p12, inspector_a, shop["black"], result="issues", finding_items=[risk("hygiene", october(20))]
    )
    expired = visit(
        clock, p12, inspector_a, shop["b1"], result="issues", finding_items=[risk("expired", october(15))]
    ).finding_set.get()
    visit(
        clock,
        p12,
        inspector_a,
        shop["c1"],
        result="issues",
        finding_items=[
            records.FindingInput(
                kind=FindingKind.SUSPECTED_VIOLATION, category="unlicensed_sales", description="无证售药"
            )
        ],
    )
    p20 = patrol_on(clock, october(20), inspector_a, partner_a)
    # The fix is shown by a photo and confirmed by the team-mate, not the finder (整改, §4).
    rectification_evidence_add(user=inspector_a, finding=expired, upload=jpeg_upload())
    visit(clock, p20, partner_a, shop["b1"], follow_up_of=expired, rectified=True, result="compliant")
    # Starting the 20th again resumes its record: one record per community and day.
    p20b = patrol_on(clock, october(20), inspector_a, partner_a)
    assert p20b == p20
    visit(clock, p20b, inspector_a, shop["a1"])
    submit(clock, inspector_a, september, p2, p12, p20)
    # A draft never submitted, and an empty record: they count for nothing.
    draft = patrol_on(clock, october(25), inspector_a, partner_a)
    visit(clock, draft, inspector_a, shop["a2"])
    patrol_on(clock, october(26), inspector_a, partner_a)
    # A lead from the public, verified and filed in October.
    clock.set(at(october(21)))
    lead = lead_services.lead_report(community=community_a, description="售卖过期食品", source="public")
    lead_services.lead_verify(user=district_officer_a, lead=lead)
    lead_services.lead_file(user=district_officer_a, lead=lead)
    # An incident reported three hours after it happened: late.
    clock.set(at(october(15), 13))
    incident_services.incident_report(
        user=inspector_a, unit_name="张记面馆", place="文三路", occurred_at=at(october(15), 10), facts="腹泻"
    )
    # November and community B: not October's community A.
    november = patrol_on(clock, dt.date(2026, 11, 1), inspector_a, partner_a)
    visit(clock, november, inspector_a, shop["a2"])
    partner_b = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    other = patrol_on(clock, october(3), inspector_b, partner_b)
    visit(clock, other, inspector_b, EstablishmentFactory(community=community_b, risk_class="A"))
    submit(clock, inspector_a, november)
    submit(clock, inspector_b, other)
    clock.set(at(dt.date(2026, 11, 3)))
    return shop


def count_from_records(community, period: dt.date, on: dt.date) -> dict:
    """The month's figures counted one record at a time, the way a clerk would with the paper ledger."""
    first, last = period, periods.period_last_day(period)
    patrols = [
        p
        for p in Patrol.objects.all()
        if p.community_id == community.pk
        and first <= p.date <= last
        and p.status in ("submitted", "archived")
        and p.visits.exists()
    ]
    visits = [v for v in Visit.objects.select_related("patrol") if v.patrol in patrols]
    due, covered = {"A": 0, "B": 0, "C": 0}, {"A": 0, "B": 0, "C": 0}
    for shop in community.establishments.all():
        if shop.status != Status.OPEN or shop.registered_on > last:
            continue
        earlier = [
            v.patrol.date
            for v in shop.visits.select_related("patrol")
            if v.patrol.date < first and v.patrol.status in ("submitted", "archived")
        ]
        next_due = schedule.next_visit_due(
            last_visited=max(earlier, default=None),
            registered=shop.registered_on,
            risk_class=shop.risk_class,
            tightened_months=shop.tightened_interval_months,
            black_listed=shop.watch_list == WatchList.BLACK,
        )
        if next_due <= last:
            due[shop.risk_class] += 1
            covered[shop.risk_class] += any(v.establishment_id == shop.pk for v in visits)
    findings = [f for f in Finding.objects.select_related("visit__patrol") if f.visit.patrol in patrols]
    start, end = at(first, 0), at(last + dt.timedelta(days=1), 0)
    leads = [lead for lead in Lead.objects.all() if lead.community_id == community.pk]
    incidents = [
        i for i in Incident.objects.all() if i.community_id == community.pk and start <= i.occurred_at < end
    ]
    open_risks = [
        f
        for f in Finding.objects.all()
        if f.community_id == community.pk
        and f.kind == FindingKind.SAFETY_RISK
        and f.status == FindingStatus.OPEN
    ]
    return {
        "days": 31,
        "patrol_days": len({p.date for p in patrols}),
        "patrols": len(patrols),
        "visits": len(visits),
        "visits_with_issues": sum(v.result == "issues" for v in visits),
        "due": sum(due.values()),
        "covered": sum(covered.values()),
        **{f"due_{risk}": due[risk] for risk in due},
        **{f"covered_{risk}": covered[risk] for risk in due},
        "findings": len(findings),
        "rectified": sum(f.status == FindingStatus.CLOSED for f in findings),
        "open": sum(f.status == FindingStatus.OPEN for f in findings),
        "reported": sum(f.status == FindingStatus.REPORTED for f in findings),
        "leads_reported": sum(start <= lead.reported_at < end for lead in leads),
        "leads_filed": sum(
            lead.status == LeadStatus.FILED and lead.closed_at and start <= lead.closed_at < end
            for lead in leads
        ),
        "incidents": len(incidents),
        "incidents_late": sum(i.first_report_late for i in incidents),
        "open_risks": len(open_risks),
        "overdue_risks": sum(f.rectification_deadline < on for f in open_risks if f.rectification_deadline),
    }


# The figures


def test_report_figures_equal_a_count_made_from_the_records(october_records, community_a):
    on = dt.date(2026, 11, 3)
    figures = community_figures([community_a], OCTOBER, on=on)[community_a.pk]
    expected = count_from_records(community_a, OCTOBER, on)

    for key, value in expected.items():
        assert figures[key] == value, key
    # And the story of the month, told in numbers a head would recognise.
    assert (figures["patrol_days"], figures["patrols"], figures["visits"]) == (3, 3, 6)
    assert [figures[f"{key}_{risk}"] for risk in "ABC" for key in ("due", "covered")] == [2, 1, 0, 0, 1, 1]
    assert figures["findings_hygiene"] == 1 and figures["findings_unlicensed_sales"] == 1
    assert (figures["rectified"], figures["open"], figures["reported"]) == (1, 1, 1)
    assert (figures["leads_reported"], figures["leads_filed"]) == (2, 1)
    assert (figures["incidents"], figures["incidents_late"]) == (1, 1)
    assert figures["patrol_day_rate"] == round(100 * 3 / 31)
    assert figures["overdue_risks"] == 1  # the hygiene risk, due 20 October, still open on 3 November


def test_coverage_reads_visits_older_than_the_longest_interval_as_the_clerk_does(
    clock, community_a, inspector_a, partner_a
):
    """A month's coverage reads visits from schedule.visits_matter_from on (1 April for October), so
    that it costs the same whatever the history; visits before that still make a shop due."""
    assert schedule.visits_matter_from(OCTOBER) == dt.date(2026, 4, 1)
    long_ago = EstablishmentFactory(community=community_a, risk_class="C", registered_on=dt.date(2025, 1, 1))
    corrected = EstablishmentFactory(community=community_a, risk_class="C", registered_on=dt.date(2025, 1, 1))
    lately = EstablishmentFactory(community=community_a, risk_class="C", registered_on=dt.date(2025, 1, 1))
    march = patrol_on(clock, dt.date(2026, 3, 2), inspector_a, partner_a)
    visit(clock, march, inspector_a, long_ago)
    visit(clock, march, inspector_a, corrected)
    may = patrol_on(clock, dt.date(2026, 5, 10), inspector_a, partner_a)
    visit(clock, may, inspector_a, lately)
    submit(clock, inspector_a, march, may)
    # The registration date corrected to after the shop's last visit: the visit still counts.
    Establishment.objects.filter(pk=corrected.pk).update(registered_on=dt.date(2026, 7, 1))

    figures = community_figures([community_a], OCTOBER, on=dt.date(2026, 11, 3))[community_a.pk]

    assert (figures["due_C"], figures["covered_C"]) == (2, 0)  # long_ago and corrected, due 2 September
    expected = count_from_records(community_a, OCTOBER, dt.date(2026, 11, 3))
    assert {key: figures[key] for key in ("due", "due_C", "covered")} == {
        key: expected[key] for key in ("due", "due_C", "covered")
    }


def test_a_community_opened_mid_month_counts_only_its_days(clock, district_a):
    late_comer = CommunityFactory(parent=district_a, opened_on=dt.date(2026, 10, 22))
    figures = community_figures([late_comer], OCTOBER, on=dt.date(2026, 11, 3))[late_comer.pk]
    assert figures["days"] == 10


# Submitting and the snapshot


def test_submitted_report_does_not_change_when_the_records_change(
    clock, october_records, community_a, head_a, inspector_a, partner_a, client
):
    report = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="十月巡查正常。"
    )
    frozen = dict(report.figures)

    # A patrol logged late for October, and an open risk put right afterwards.
    late_patrol = patrol_on(clock, october(28), inspector_a, partner_a)
    visit(clock, late_patrol, inspector_a, october_records["a2"])
    submit(clock, inspector_a, late_patrol)
    Finding.objects.filter(community=community_a, status=FindingStatus.OPEN).update(
        status=FindingStatus.CLOSED
    )

    report.refresh_from_db()
    assert report.figures == frozen
    assert report.figures["patrol_days"] == 3
    assert (
        community_figures([community_a], OCTOBER, on=dt.date(2026, 11, 3))[community_a.pk]["patrol_days"] == 4
    )
    client.force_login(head_a)
    page = client.get(reverse("reporting:report", args=[community_a.pk, "2026-10"]))
    assert page.context["own"].figures["patrol_days"] == 3
    assert page.context["frozen"] is True


def test_submitting_needs_a_summary_and_keeps_what_was_saved(clock, community_a, head_a):
    clock.set(at(dt.date(2026, 11, 2)))
    report = monthly_report_for(unit=community_a, period=OCTOBER)
    with pytest.raises(ValidationError) as error:
        monthly_report_submit(user=head_a, report=report, narrative="  ")
    assert "narrative" in error.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.figures == {}


def test_a_month_cannot_be_reported_before_it_ends(clock, community_a, head_a):
    clock.set(at(dt.date(2026, 10, 31), 23, 59))
    with pytest.raises(ValidationError):
        monthly_report_submit(
            user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="x"
        )


def test_an_inspector_cannot_submit_the_community_report(clock, community_a, inspector_a):
    clock.set(at(dt.date(2026, 11, 2)))
    with pytest.raises(PermissionDenied):
        monthly_report_submit(
            user=inspector_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="x"
        )


# Deadlines, in Asia/Shanghai time


def test_report_is_on_time_until_the_5th_ends_in_shanghai(clock, community_a, head_a):
    clock.set(at(dt.date(2026, 11, 5), 23, 59, 59, 999999))
    report = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="按时报送"
    )
    assert report.late is False


def test_period_locks_at_midnight_of_the_5th_even_while_utc_is_still_on_the_5th(clock, community_a, head_a):
    clock.set(dt.datetime(2026, 11, 5, 16, 0, tzinfo=dt.UTC))  # 00:00 on the 6th in Shanghai
    report = monthly_report_for(unit=community_a, period=OCTOBER)
    assert report.is_locked()
    with translation.override("en"), pytest.raises(ValidationError, match="locked"):
        monthly_report_submit(user=head_a, report=report, narrative="晚了")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_exception_from_the_district_reopens_a_locked_period_and_the_report_is_late(
    clock, community_a, head_a, district_officer_a, district_officer_c
):
    clock.set(at(dt.date(2026, 11, 6), 0, 0, 0))
    with pytest.raises(PermissionDenied):
        monthly_report_reopen(
            user=district_officer_c, unit=community_a, period=OCTOBER, reason="x", until=dt.date(2026, 11, 8)
        )
    with pytest.raises(PermissionDenied):
        monthly_report_reopen(
            user=head_a, unit=community_a, period=OCTOBER, reason="x", until=dt.date(2026, 11, 8)
        )
    report = monthly_report_reopen(
        user=district_officer_a,
        unit=community_a,
        period=OCTOBER,
        reason="系统故障",
        until=dt.date(2026, 11, 8),
    )
    event = report.events.get()
    assert (event.action, event.actor, "系统故障" in event.note) == (
        ReportAction.REOPENED,
        district_officer_a,
        True,
    )

    report = monthly_report_submit(user=head_a, report=report, narrative="补报")
    assert report.late is True and report.is_submitted

    # The exception runs out at the end of its last day.
    other = monthly_report_reopen(
        user=district_officer_a,
        unit=CommunityFactory(parent=community_a.parent),
        period=OCTOBER,
        reason="补报",
        until=dt.date(2026, 11, 8),
    )
    clock.set(at(dt.date(2026, 11, 9), 0, 0))
    assert other.is_locked()


def test_district_deadline_is_the_10th(clock, district_a, district_officer_a):
    clock.set(at(dt.date(2026, 11, 10), 23, 59, 59))
    report = monthly_report_submit(
        user=district_officer_a,
        report=monthly_report_for(unit=district_a, period=OCTOBER),
        narrative="督查情况",
    )
    assert report.late is False
    assert periods.report_deadline(OrgUnitKind.DISTRICT, OCTOBER) == at(dt.date(2026, 11, 11), 0)


def test_deadline_day_comes_from_settings(settings):
    settings.REPORT_DUE_DAYS = {"community": 3, "district": 8}
    assert periods.report_deadline("community", OCTOBER) == at(dt.date(2026, 11, 4), 0)


# Returning and resubmitting


def test_district_returns_a_report_with_a_reason_and_the_community_resubmits(
    clock, community_a, head_a, district_officer_a, inspector_b
):
    clock.set(at(dt.date(2026, 11, 4)))
    report = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="初稿"
    )
    with pytest.raises(ValidationError):
        monthly_report_return(user=district_officer_a, report=report, reason=" ")
    with pytest.raises(PermissionDenied):
        monthly_report_return(user=inspector_b, report=report, reason="不行")

    clock.set(at(dt.date(2026, 11, 7)))  # after the deadline: the return itself reopens the report
    report = monthly_report_return(user=district_officer_a, report=report, reason="缺少宣传情况")
    assert report.status == ReportStatus.RETURNED
    assert Notification.objects.filter(recipient=head_a, body="缺少宣传情况").exists()

    report = monthly_report_submit(user=head_a, report=report, narrative="补充了宣传情况")
    assert report.is_submitted and report.late is False  # lateness is decided by the first submission
    assert list(report.events.values_list("action", flat=True)) == ["submitted", "returned", "submitted"]


# The district report


def test_district_report_compiles_the_community_reports_it_received(
    clock, october_records, community_a, community_b, head_a, district_a, district_officer_a
):
    clock.set(at(dt.date(2026, 11, 6), 9))  # community B is missing, community A sent its report late
    monthly_report_reopen(
        user=district_officer_a, unit=community_a, period=OCTOBER, reason="补报", until=dt.date(2026, 11, 6)
    )
    submitted = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="十月"
    )
    report = monthly_report_submit(
        user=district_officer_a,
        report=monthly_report_for(unit=district_a, period=OCTOBER),
        narrative="区督查",
    )
    figures = report.figures
    received = {key: figures[f"communities_{key}"] for key in ("expected", "received", "late", "missing")}
    assert received == {"expected": 2, "received": 1, "late": 1, "missing": 1}
    assert figures["visits"] == submitted.figures["visits"]  # community B's October visit was never reported
    rows = {row["unit_id"]: row["state"] for row in figures["rows"]}
    assert rows == {community_a.pk: UnitState.LATE, community_b.pk: UnitState.MISSING}


def test_the_citys_row_for_a_district_follows_its_community_reports_as_they_come_and_go(
    clock, october_records, community_a, head_a, inspector_a, partner_a, district_a, district_officer_a, city
):
    """The city's row for a district that has not submitted adds up the community reports it has
    received; the totals it keeps follow a report's submission, its return and its second
    submission at once, though the same number of reports is then received as before."""
    city_officer = UserFactory(role=Role.CITY_OFFICER, org_unit=city)

    def city_row() -> tuple[int, int]:
        rollup = month_rollup(user=city_officer, unit=city, period=OCTOBER, now=timezone.now())
        row = next(row for row in rollup.rows if row.unit == district_a)
        return row.figures["communities_received"], row.figures["visits"]

    clock.set(at(dt.date(2026, 11, 3)))
    assert city_row() == (0, 0)
    report = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="十月"
    )
    first_visits = report.figures["visits"]
    assert first_visits > 0 and city_row() == (1, first_visits)
    report = monthly_report_return(user=district_officer_a, report=report, reason="漏了28日的巡查")
    assert city_row() == (0, 0)
    # The month reopened by the return: the forgotten record is entered and the report sent again.
    forgotten = patrol_on(clock, october(28), inspector_a, partner_a)
    visit(clock, forgotten, inspector_a, EstablishmentFactory(community=community_a, risk_class="A"))
    submit(clock, inspector_a, forgotten)
    clock.set(at(dt.date(2026, 11, 4)))
    monthly_report_submit(user=head_a, report=report, narrative="十月（补）")
    assert city_row() == (1, first_visits + 1)


# Rates with correct denominators


def test_reporting_rates_count_only_months_the_unit_existed(clock, district_a, district_officer_a):
    clock.set(at(dt.date(2026, 11, 20)))
    old = CommunityFactory(parent=district_a, opened_on=dt.date(2020, 1, 1))
    new = CommunityFactory(parent=district_a, opened_on=dt.date(2026, 9, 15))
    head_new = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=new, certificate_no="")
    clock.set(at(dt.date(2026, 10, 3)))
    monthly_report_submit(
        user=head_new, report=monthly_report_for(unit=new, period=dt.date(2026, 9, 1)), narrative="九月"
    )
    clock.set(at(dt.date(2026, 11, 20)))
    months = [dt.date(2026, m, 1) for m in range(1, 12)]  # November's report is not due yet
    rates = reporting_rates([old, new], months, now=at(dt.date(2026, 11, 20)))

    assert (rates[old.pk].expected, rates[old.pk].submitted, rates[old.pk].reporting_rate) == (10, 0, 0)
    assert (rates[new.pk].expected, rates[new.pk].submitted) == (2, 1)  # September and October only
    assert (rates[new.pk].reporting_rate, rates[new.pk].on_time_rate) == (50, 50)


# Reminders


def test_one_click_reminds_only_the_communities_that_have_not_submitted(
    clock, community_a, community_b, head_a, info_officer_a, district_officer_a, client
):
    head_b = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_b, certificate_no="")
    clock.set(at(dt.date(2026, 11, 3)))
    monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    client.force_login(district_officer_a)

    response = client.post(reverse("reporting:remind"), {"month": "2026-10"})

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=head_b, title__contains="2026-10").count() == 1
    assert not Notification.objects.filter(
        recipient__in=[head_a, info_officer_a], title__contains="Reminder"
    ).exists()


def test_a_community_head_cannot_send_reminders(clock, community_a, community_b, head_a, client):
    head_b = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_b, certificate_no="")
    client.force_login(head_a)
    assert client.post(reverse("reporting:remind"), {"month": "2026-10"}).status_code == 403
    assert report_reminder_send(user=head_a, units=[community_b], period=OCTOBER) == 0
    assert not Notification.objects.filter(recipient=head_b).exists()


# Pages and scoping


def test_district_officer_cannot_open_another_districts_report(
    clock, community_a, district_a, district_officer_c, head_a, client
):
    clock.set(at(dt.date(2026, 11, 3)))
    report = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    client.force_login(district_officer_c)
    for unit in (community_a, district_a):
        assert client.get(reverse("reporting:report", args=[unit.pk, "2026-10"])).status_code == 404
    response = client.post(
        reverse("reporting:report", args=[community_a.pk, "2026-10"]), {"action": "return", "reason": "x"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_community_cannot_open_a_neighbours_report(community_b, head_a, client):
    client.force_login(head_a)
    assert client.get(reverse("reporting:report", args=[community_b.pk, "2026-10"])).status_code == 404


def test_volunteer_cannot_read_reports(community_a, volunteer_a, client):
    client.force_login(volunteer_a)
    assert client.get(reverse("reporting:report", args=[community_a.pk, "2026-10"])).status_code == 403


def test_head_writes_and_submits_the_report_on_its_page(clock, october_records, community_a, head_a, client):
    clock.set(at(dt.date(2026, 11, 2)))
    client.force_login(head_a)
    url = reverse("reporting:report", args=[community_a.pk, "2026-10"])
    page = client.get(url)
    assert page.status_code == 200 and page.context["can_edit"]
    assert page.context["own"].figures["patrol_days"] == 3

    client.post(url, {"action": "save", "narrative": "草稿"})
    assert MonthlyReport.objects.get(unit=community_a).narrative == "草稿"
    client.post(url, {"action": "submit", "narrative": "十月工作小结"})

    report = MonthlyReport.objects.get(unit=community_a)
    assert (report.status, report.narrative, report.late) == (ReportStatus.SUBMITTED, "十月工作小结", False)
    assert report.figures["visits"] == 6


def test_late_submission_through_the_page_shows_the_error_and_keeps_the_text(
    clock, community_a, head_a, client
):
    clock.set(at(dt.date(2026, 11, 4)))
    client.force_login(head_a)
    url = reverse("reporting:report", args=[community_a.pk, "2026-10"])
    client.post(url, {"action": "save", "narrative": "已保存的草稿"})
    clock.set(at(dt.date(2026, 11, 6)))
    page = client.post(url, {"action": "submit", "narrative": "新的文字"})
    assert page.status_code == 200
    assert any("locked" in str(m) or "锁定" in str(m) for m in page.context["messages"])
    assert MonthlyReport.objects.get(unit=community_a).narrative == "已保存的草稿"


# Dashboards


def test_district_dashboard_shows_each_community_state(
    clock, october_records, community_a, community_b, head_a, district_officer_a, client
):
    clock.set(at(dt.date(2026, 11, 5), 20))
    monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    clock.set(at(dt.date(2026, 11, 7)))
    client.force_login(district_officer_a)
    page = client.get(reverse("reporting:dashboard"), {"month": "2026-10"})
    rows = {row.unit: row for row in page.context["rows"]}
    assert rows[community_a].state == UnitState.ON_TIME and rows[community_a].figures["visits"] == 6
    assert rows[community_b].state == UnitState.MISSING and rows[community_b].provisional
    assert rows[community_a].figures["overdue_risks"] == 1
    assert len(page.context["charts"]) == 3 and "<svg" in page.context["charts"][0]
    # The timeliness chart and the rates read the same reports: October, one on time, one missing.
    with translation.override("zh-hans"):
        chart = str(page.context["charts"][2])
        for name, count in (("On time", 1), ("Late", 0), ("Missing", 1)):
            assert f"26-10 {translation.gettext(name)}：{count}<" in chart
    october_rates = reporting_rates([community_a, community_b], [OCTOBER], now=timezone.now())
    assert [(r.expected, r.submitted, r.on_time) for r in october_rates.values()] == [(1, 1, 1), (1, 0, 0)]
    year = reporting_rates([community_a, community_b], periods.year_to_date(OCTOBER), now=timezone.now())
    for unit in (community_a, community_b):
        shown, alone = rows[unit].rates, year[unit.pk]
        assert (shown.expected, shown.submitted, shown.on_time) == (
            alone.expected,
            alone.submitted,
            alone.on_time,
        )


def test_city_dashboard_lists_districts(
    clock, city, district_a, district_c, city_officer, district_officer_a, client
):
    clock.set(at(dt.date(2026, 11, 9)))
    monthly_report_submit(
        user=district_officer_a, report=monthly_report_for(unit=district_a, period=OCTOBER), narrative="区报"
    )
    clock.set(at(dt.date(2026, 11, 12)))
    client.force_login(city_officer)
    page = client.get(reverse("reporting:dashboard"), {"month": "2026-10"})
    states = {row.unit: row.state for row in page.context["rows"]}
    assert states == {district_a: UnitState.ON_TIME, district_c: UnitState.MISSING}
    # A submitted district report shows its own figures, without reading its communities' rows.
    frozen = next(row for row in page.context["rows"] if row.unit == district_a)
    stored = MonthlyReport.objects.get(unit=district_a, period=OCTOBER).figures
    assert "rows" in stored and frozen.figures == {k: v for k, v in stored.items() if k != "rows"}


def dashboard_rows_of(client, month: str = "2026-10") -> dict:
    page = client.get(reverse("reporting:dashboard"), {"month": month})
    assert page.status_code == 200
    return {row.unit.name: row for row in page.context["rows"]}


def test_the_dashboard_shows_records_and_reports_on_the_next_request(
    clock, october_records, community_a, community_b, head_a, district_officer_a, inspector_b, client
):
    """This month's figures, a report submitted or returned and a new community show at once."""
    clock.set(at(dt.date(2026, 11, 4)))
    client.force_login(district_officer_a)

    # This month's records count at once.
    november = dashboard_rows_of(client, "2026-11")["文新社区"].figures["visits"]
    partner_b = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    patrol = patrol_on(clock, dt.date(2026, 11, 4), inspector_b, partner_b)
    visit(clock, patrol, inspector_b, EstablishmentFactory(community=community_b))
    submit(clock, inspector_b, patrol)
    clock.set(at(dt.date(2026, 11, 4), 19))
    assert dashboard_rows_of(client, "2026-11")["文新社区"].figures["visits"] == november + 1

    # A report submitted, then returned, shows on the next request each time.
    report = monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    row = dashboard_rows_of(client)["翠苑社区"]
    assert (row.state, row.provisional, row.rates.submitted) == (UnitState.ON_TIME, False, 1)
    monthly_report_return(user=district_officer_a, report=report, reason="请补充")
    assert dashboard_rows_of(client)["翠苑社区"].state == UnitState.RETURNED

    # A community opened in the district shows as a row of its own.
    CommunityFactory(parent=community_a.parent, name="新开社区", opened_on=dt.date(2026, 9, 1))
    assert set(dashboard_rows_of(client)) == {"翠苑社区", "文新社区", "新开社区"}


def test_a_district_officer_sees_only_their_districts_dashboard(
    clock, october_records, district_officer_a, district_c, community_c, client
):
    clock.set(at(dt.date(2026, 11, 4)))
    client.force_login(district_officer_a)
    assert set(dashboard_rows_of(client)) == {"翠苑社区", "文新社区"}
    other = UserFactory(role=Role.DISTRICT_OFFICER, org_unit=district_c, certificate_no="")
    client.force_login(other)
    assert set(dashboard_rows_of(client)) == {"北山社区"}
    # An officer moved to the other district reads that district's.
    district_officer_a.org_unit = district_c
    district_officer_a.save()
    client.force_login(district_officer_a)
    assert set(dashboard_rows_of(client)) == {"北山社区"}


def queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def busy_community(clock, district, index: int):
    community = CommunityFactory(parent=district)
    one, two = (UserFactory(role=Role.INSPECTOR, org_unit=community) for _ in range(2))
    head = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community, certificate_no="")
    shop = EstablishmentFactory(community=community, risk_class="A", registered_on=dt.date(2026, 1, 1))
    patrol = patrol_on(clock, october(1 + index), one, two)
    visit(clock, patrol, one, shop, result="issues", finding_items=[risk("hygiene", october(25))])
    if index % 2:
        clock.set(at(dt.date(2026, 11, 2)))
        monthly_report_submit(
            user=head, report=monthly_report_for(unit=community, period=OCTOBER), narrative="好"
        )
    return community


def test_district_dashboard_costs_the_same_for_2_and_8_communities(
    clock, district_a, district_officer_a, client
):
    client.force_login(district_officer_a)
    url = reverse("reporting:dashboard") + "?month=2026-10"
    for i in range(2):
        busy_community(clock, district_a, i)
    clock.set(at(dt.date(2026, 11, 7)))
    few = queries(lambda: client.get(url))
    for i in range(2, 8):
        busy_community(clock, district_a, i)
    clock.set(at(dt.date(2026, 11, 7)))
    assert queries(lambda: client.get(url)) == few


def test_city_dashboard_costs_the_same_for_2_and_5_districts(clock, city, city_officer, client):
    client.force_login(city_officer)
    url = reverse("reporting:dashboard") + "?month=2026-10"
    for i in range(2):
        busy_community(clock, DistrictFactory(parent=city), i)
    clock.set(at(dt.date(2026, 11, 12)))
    few = queries(lambda: client.get(url))
    for i in range(2, 5):
        busy_community(clock, DistrictFactory(parent=city), i)
        busy_community(clock, DistrictFactory(parent=city), i + 1)
    clock.set(at(dt.date(2026, 11, 12)))
    assert queries(lambda: client.get(url)) == few


def test_an_ended_months_live_figures_are_counted_once_and_the_current_months_on_every_view(
    clock, october_records, community_a, inspector_a, partner_a, district_officer_a, client
):
    """A month that is over is counted once per ENDED_MONTH_CACHE_SECONDS; this month is always live."""
    shop = EstablishmentFactory(community=community_a, risk_class="A", registered_on=dt.date(2026, 1, 1))
    client.force_login(district_officer_a)

    def visits(month: str) -> int:
        clock.set(at(dt.date(2026, 11, 7)))
        page = client.get(reverse("reporting:dashboard"), {"month": month})
        return {row.unit: row for row in page.context["rows"]}[community_a].figures["visits"]

    first_view = queries(lambda: client.get(reverse("reporting:dashboard"), {"month": "2026-10"}))
    assert queries(lambda: client.get(reverse("reporting:dashboard"), {"month": "2026-10"})) < first_view
    november = visits("2026-11")
    assert visits("2026-10") == 6

    # A late record of October, and today's patrol.
    late = patrol_on(clock, october(30), inspector_a, partner_a)
    today = patrol_on(clock, dt.date(2026, 11, 7), inspector_a, partner_a)
    visit(clock, late, inspector_a, shop)
    visit(clock, today, inspector_a, shop)
    submit(clock, inspector_a, late, today)
    assert visits("2026-11") == november + 1
    assert visits("2026-10") == 6  # until the kept figures expire
    cache.clear()
    assert visits("2026-10") == 7


def test_unit_months_use_the_frozen_figures_of_submitted_reports(clock, october_records, community_a, head_a):
    monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="好"
    )
    MonthlyReport.objects.filter(unit=community_a).update(
        figures={**community_figures([community_a], OCTOBER, on=OCTOBER)[community_a.pk], "visits": 99}
    )
    rows = unit_months([community_a], OCTOBER, now=at(dt.date(2026, 11, 7)), year_months=[OCTOBER])
    assert rows[0].figures["visits"] == 99 and not rows[0].provisional
