"""One truth (§6): every output of a month shows the figures a clerk counts from the raw rows.

October 2026 in a city of two districts, with what goes wrong in a real month:
- community A has the shop sign the visit record at some visits and a shop refuses at another
  (a signature on the draft counts for nothing); community B's shop refuses;
- community A logs a visit at 23:50 on 31 October that its phone sends after midnight; it
  enters a patrol of 20 October late; it keeps a draft with a visit and an empty record that
  must count for nothing; a risk found in October is put right in November; its report is
  submitted, returned and submitted again; it holds a training and a drill, and the district
  office holds a training in it (a session of 30 September is not October's);
  submitted, returned and submitted again; it tests samples at its visits (快检), one positive,
  one on the draft, and one at 23:55 on the 31st, while district A's test room tests one too;
- community B never submits, so its live figures are shown as provisional and are not in its
  district's totals;
- community N opened on 15 October and reports late under an exception granted by the district;
- district A submits; district C does not, so its figures are provisional, compiled from the
  one community report it received; the city adds up the two.

The clerk counts each figure from the rows, the way it would be done by hand; the dashboards,
the report pages, the API, every Excel cell, the PDF's text, the archive and the assessment's
prefilled items must show exactly that.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from PIL import Image, ImageDraw

from assessment.figures import METRIC_GROUPS, also_shown, unit_figures
from orgs.models import OrgUnit, Role
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
    RapidTest,
    Status,
    Visit,
    WatchList,
)
from patrols.services import incidents as incident_services
from patrols.services import leads as lead_services
from patrols.services import records
from patrols.services.rapid_tests import RapidTestInput, rapid_test_in_room, rapid_test_on_visit
from patrols.services.rectifications import rectification_evidence_add
from publicity.models import TrainingKind, TrainingSession
from publicity.services import training_session_add
from reporting import catalogue, periods
from reporting.models import MonthlyReport
from reporting.services import (
    monthly_report_for,
    monthly_report_reopen,
    monthly_report_return,
    monthly_report_submit,
)
from tests.factories import CommunityFactory, EstablishmentFactory, UserFactory
from tests.security_world import jpeg_upload

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 11, 12, 9, tzinfo=SHANGHAI)
COUNTED = ("submitted", "archived")


def _signature() -> bytes:
    image = Image.new("RGB", (200, 80), "white")
    ImageDraw.Draw(image).line([(10, 60), (90, 10), (190, 70)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


SIGNATURE = _signature()


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def oct_(day: int) -> dt.date:
    return dt.date(2026, 10, day)


def nov(day: int) -> dt.date:
    return dt.date(2026, 11, day)


class Team:
    def __init__(self, clock, community: OrgUnit) -> None:
        self.clock = clock
        self.one, self.two = (UserFactory(role=Role.INSPECTOR, org_unit=community) for _ in range(2))

    def patrol(self, day: dt.date, *, entered: dt.datetime | None = None, **kind) -> Patrol:
        self.clock.set(entered or at(day, 8))
        return records.patrol_start(user=self.one, team=[self.two], date=day, **kind)[0]

    def visit(
        self, patrol: Patrol, shop: Establishment, *, at_time: dt.datetime, synced=None, by=None, **kwargs
    ) -> Visit:
        self.clock.set(synced or at_time)
        kwargs.setdefault("result", "compliant")
        return records.visit_record(
            user=by or self.one, patrol=patrol, establishment=shop, visited_at=at_time, **kwargs
        )[0]

    def sign(self, visit: Visit) -> None:
        records.visit_shop_sign(user=self.one, visit=visit, signer_name="店长", signature=SIGNATURE)

    def refuse(self, visit: Visit) -> None:
        records.visit_shop_refuse(user=self.one, visit=visit, reason="负责人不在")

    def photograph_fix(self, finding: Finding, *, when: dt.datetime) -> None:
        """A photo of the risk put right: a rectification is closed only with one."""
        self.clock.set(when)
        rectification_evidence_add(user=self.one, finding=finding, upload=jpeg_upload())

    def rapid_test(self, visit: Visit, result: str, *, at_time: dt.datetime) -> None:
        self.clock.set(max(at_time, self.clock.now or at_time))
        rapid_test_on_visit(
            user=self.one,
            visit=visit,
            data=RapidTestInput(
                tested_at=at_time,
                sample="青菜",
                item="有机磷农药残留",
                method="enzyme_inhibition",
                result=result,
            ),
        )

    def submit(self, patrol: Patrol, *, when: dt.datetime | None = None) -> None:
        self.clock.set(when or at(patrol.date, 18))
        records.patrol_submit(user=self.one, patrol=patrol)


def risk(category: str, deadline: dt.date) -> records.FindingInput:
    return records.FindingInput(
        kind=FindingKind.SAFETY_RISK, category=category, description="问题", rectification_deadline=deadline
    )


@pytest.fixture
def month(
    clock,
    settings,
    tmp_path,
    city,
    district_a,
    district_c,
    community_a,
    community_b,
    community_c,
    head_a,
    district_officer_a,
):
    """The city's October, as described in the module's docstring."""
    settings.MEDIA_ROOT = tmp_path / "media"  # the shops' signatures
    community_n = CommunityFactory(parent=district_a, name="新开社区", opened_on=oct_(15))
    head_b = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_b)
    head_c = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_c)
    head_n = UserFactory(role=Role.COMMUNITY_HEAD, org_unit=community_n)
    a, b, c, n = (Team(clock, unit) for unit in (community_a, community_b, community_c, community_n))

    def shop(unit, risk_class, registered, **kwargs):
        return EstablishmentFactory(community=unit, risk_class=risk_class, registered_on=registered, **kwargs)

    a1, a2 = shop(community_a, "A", dt.date(2026, 6, 1)), shop(community_a, "A", dt.date(2026, 6, 1))
    b1 = shop(community_a, "B", dt.date(2026, 1, 1))
    black = shop(community_a, "C", dt.date(2026, 1, 1), watch_list=WatchList.BLACK)
    shop(community_a, "A", dt.date(2026, 1, 1), status=Status.CLOSED)
    shop(community_a, "A", dt.date(2026, 11, 1))  # registered after the month
    n1 = shop(community_n, "A", dt.date(2026, 1, 1))  # moved in when N opened: due at once
    shop(community_n, "C", dt.date(2026, 9, 1))
    bshop, cshop = shop(community_b, "A", dt.date(2026, 1, 1)), shop(community_c, "B", dt.date(2026, 1, 1))

    # September decides what falls due in October.
    # A risk found in September is put right in October: a rectification closed with evidence
    # in October, though not one of October's findings.
    september = a.patrol(dt.date(2026, 9, 20))
    september_risk = a.visit(
        september,
        b1,
        at_time=at(dt.date(2026, 9, 20)),
        result="issues",
        finding_items=[risk("storage", dt.date(2026, 9, 27))],
    ).finding_set.get()
    a.visit(september, black, at_time=at(dt.date(2026, 9, 20), 11))
    a.submit(september)

    # Community A's October.
    p2 = a.patrol(oct_(2))
    a.sign(a.visit(p2, a1, at_time=at(oct_(2))))
    a.refuse(a.visit(p2, black, at_time=at(oct_(2), 11)))
    a.submit(p2)
    p12 = a.patrol(oct_(12))
    a.photograph_fix(september_risk, when=at(oct_(12), 9, 30))
    # The follow-up (复查) is by the team-mate: the finder does not confirm their own fix.
    hygiene_visit = a.visit(
        p12,
        b1,
        at_time=at(oct_(12)),
        by=a.two,
        result="issues",
        follow_up_of=september_risk,
        rectified=True,
        finding_items=[risk("hygiene", oct_(20))],
    )
    a.sign(hygiene_visit)
    hygiene = hygiene_visit.finding_set.get()
    violation_visit = a.visit(
        p12,
        a2,
        at_time=at(oct_(12), 11),
        result="issues",
        finding_items=[
            records.FindingInput(
                kind=FindingKind.SUSPECTED_VIOLATION, category="unlicensed_sales", description="无证售药"
            )
        ],
    )
    # Rapid tests at the visits (快检): a positive one opens a finding with it; a negative one nothing.
    clock.set(at(oct_(12), 11, 20))
    a.rapid_test(violation_visit, "positive", at_time=at(oct_(12), 11, 15))
    a.rapid_test(hygiene_visit, "negative", at_time=at(oct_(12), 10, 30))
    a.submit(p12)
    # The night check of the 12th is a record of its own beside the day's patrol (夜查), and a
    # joint check with other departments on the 2nd: the same days patrolled, two more records.
    night = a.patrol(oct_(12), entered=at(oct_(12), 20), kind="night")
    a.visit(night, a1, at_time=at(oct_(12), 21))
    a.submit(night, when=at(oct_(12), 22))
    joint = a.patrol(oct_(2), entered=at(oct_(2), 13), kind="joint", joint_departments="市场监管、卫健")
    a.visit(joint, b1, at_time=at(oct_(2), 14))
    a.submit(joint, when=at(oct_(2), 16))
    # A visit at 23:50 on the 31st, sent by the phone after midnight: it is October's.
    p31 = a.patrol(oct_(31))
    night_visit = a.visit(
        p31,
        a1,
        at_time=at(oct_(31), 23, 50),
        synced=at(nov(1), 0, 10),
        result="issues",
        finding_items=[risk("storage", nov(10))],
    )
    a.rapid_test(night_visit, "invalid", at_time=at(oct_(31), 23, 55))  # October's, sent in November
    a.submit(p31, when=at(nov(1), 0, 12))
    # A draft with a visit, and an empty record: they count for nothing.
    draft_visit = a.visit(a.patrol(oct_(25)), a2, at_time=at(oct_(25)))
    a.sign(draft_visit)
    a.rapid_test(draft_visit, "negative", at_time=at(oct_(25), 10, 5))
    # A test in district A's rapid-test room is the district's, not a community's figure.
    clock.set(at(oct_(22)))
    rapid_test_in_room(
        user=district_officer_a,
        district=district_a,
        data=RapidTestInput(
            tested_at=at(oct_(22), 9),
            sample="猪肉",
            item="瘦肉精",
            method="colloidal_gold",
            result="negative",
        ),
        sample_source="市民送检",
    )
    a.patrol(oct_(26))
    # A lead from the public, filed in October; an incident first reported three hours late.
    clock.set(at(oct_(21)))
    lead = lead_services.lead_report(community=community_a, description="售卖过期食品", source="public")
    lead_services.lead_verify(user=district_officer_a, lead=lead)
    lead_services.lead_file(user=district_officer_a, lead=lead)
    clock.set(at(oct_(15), 13))
    incident_services.incident_report(
        user=a.one, unit_name="张记面馆", place="文三路", occurred_at=at(oct_(15), 10), facts="腹泻"
    )
    # Training (issue #22): a session with hours and named people, a district session held in A,
    # a drill; a session of 30 September is not October's.
    for user, day, kind, hours, people, where in (
        (a.one, oct_(10), "training", "1.5", 12, None),
        (district_officer_a, oct_(14), "training", "2", 20, community_a),
        (a.one, oct_(15), "drill", "1", 30, None),
        (a.one, dt.date(2026, 9, 30), "training", "3", 9, None),
    ):
        training_session_add(
            user=user,
            session=TrainingSession(
                kind=kind,
                topic="食品安全培训",
                audience="staff",
                hours=Decimal(hours),
                attendance=people,
                date=day,
            ),
            attendees=[a.two],
            outsiders=[("王师傅", "张记面馆")],
            community=where,
        )
    # November: the October risk put right at the follow-up; the report sent, returned, sent again.
    p_nov = a.patrol(nov(2))
    a.photograph_fix(hygiene, when=at(nov(2), 9))
    a.visit(p_nov, b1, at_time=at(nov(2)), follow_up_of=hygiene, rectified=True)
    a.submit(p_nov)
    clock.set(at(nov(2), 19))
    monthly_report_submit(
        user=head_a, report=monthly_report_for(unit=community_a, period=OCTOBER), narrative="十月"
    )
    late_entry = a.patrol(oct_(20), entered=at(nov(3), 9))  # entered late, counted on its own day
    a.visit(late_entry, a2, at_time=at(oct_(20)), synced=at(nov(3), 9, 5))
    a.submit(late_entry, when=at(nov(3), 9, 10))
    clock.set(at(nov(4)))
    report_a = MonthlyReport.objects.get(unit=community_a, period=OCTOBER)
    monthly_report_return(user=district_officer_a, report=report_a, reason="补录10月20日记录")
    clock.set(at(nov(4), 15))
    monthly_report_submit(user=head_a, report=report_a, narrative="十月（已补录）")

    # Community B: works, never reports.
    pb = b.patrol(oct_(5))
    b.refuse(b.visit(pb, bshop, at_time=at(oct_(5))))
    b.submit(pb)
    # Community N: opened on the 15th, reports late under the district's exception.
    pn = n.patrol(oct_(16))
    n.visit(pn, n1, at_time=at(oct_(16)))
    n.submit(pn)
    clock.set(at(nov(7), 9))
    monthly_report_reopen(
        user=district_officer_a, unit=community_n, period=OCTOBER, reason="新设社区", until=nov(7)
    )
    clock.set(at(nov(7), 10))
    monthly_report_submit(
        user=head_n, report=monthly_report_for(unit=community_n, period=OCTOBER), narrative="首月"
    )
    # Community C reports on time; district C does not; district A does.
    pc = c.patrol(oct_(9))
    c.visit(pc, cshop, at_time=at(oct_(9)))
    c.submit(pc)
    clock.set(at(nov(5), 9))
    monthly_report_submit(
        user=head_c, report=monthly_report_for(unit=community_c, period=OCTOBER), narrative="好"
    )
    clock.set(at(nov(8), 9))
    monthly_report_submit(
        user=district_officer_a, report=monthly_report_for(unit=district_a, period=OCTOBER), narrative="区"
    )
    assert head_b and MonthlyReport.objects.filter(unit=community_b).count() == 0
    clock.set(NOW)
    return {"n": community_n, "frozen_at": {community_a.pk: at(nov(4), 15), community_n.pk: at(nov(7), 10)}}


# The clerk


def clerk_count(community: OrgUnit, *, on: dt.date) -> dict:
    """October's figures of one community, counted row by row from what is stored."""
    first, last = OCTOBER, periods.period_last_day(OCTOBER)
    start, end = at(first, 0), at(last + dt.timedelta(days=1), 0)
    patrols = [
        p
        for p in Patrol.objects.filter(community=community)
        if first <= p.date <= last and p.status in COUNTED and p.visits.exists()
    ]
    visits = [v for v in Visit.objects.select_related("patrol") if v.patrol in patrols]
    figures = dict.fromkeys(catalogue.ADDITIVE, 0)
    opened = max(community.opened_on or first, first)
    figures["days"] = (last - opened).days + 1
    figures["patrol_days"] = len({p.date for p in patrols})
    figures["patrols"] = len(patrols)
    figures["night_checks"] = sum(p.kind == "night" for p in patrols)
    figures["campaign_checks"] = sum(p.kind == "campaign" for p in patrols)
    figures["joint_checks"] = sum(p.kind == "joint" for p in patrols)
    figures["holiday_checks"] = sum(p.kind == "holiday" for p in patrols)
    figures["visits"] = len(visits)
    figures["visits_with_issues"] = sum(v.result == "issues" for v in visits)
    figures["visit_records_signed"] = sum(v.shop_signed_at is not None for v in visits)
    figures["visit_records_refused"] = sum(v.shop_refused_at is not None for v in visits)
    for shop in Establishment.objects.filter(community=community):
        if shop.status != Status.OPEN or shop.registered_on > last:
            continue
        earlier = [
            v.patrol.date
            for v in shop.visits.select_related("patrol")
            if v.patrol.date < first and v.patrol.status in COUNTED
        ]
        due = schedule.next_visit_due(
            last_visited=max(earlier, default=None),
            registered=shop.registered_on,
            risk_class=shop.risk_class,
            tightened_months=shop.tightened_interval_months,
            black_listed=shop.watch_list == WatchList.BLACK,
        )
        if due <= last:
            figures["due"] += 1
            figures[f"due_{shop.risk_class}"] += 1
            if any(v.establishment_id == shop.pk for v in visits):
                figures["covered"] += 1
                figures[f"covered_{shop.risk_class}"] += 1
    findings = [f for f in Finding.objects.select_related("visit__patrol") if f.visit.patrol in patrols]
    figures["findings"] = len(findings)
    for finding in findings:
        figures[f"findings_{finding.category}"] += 1
    figures["rectified"] = sum(f.status == FindingStatus.CLOSED for f in findings)
    figures["open"] = sum(f.status == FindingStatus.OPEN for f in findings)
    figures["reported"] = sum(f.status == FindingStatus.REPORTED for f in findings)
    open_risks = [
        f
        for f in Finding.objects.filter(community=community)
        if f.kind == FindingKind.SAFETY_RISK and f.status == FindingStatus.OPEN
    ]
    figures["rectified_with_evidence"] = sum(
        f.kind == FindingKind.SAFETY_RISK
        and f.status == FindingStatus.CLOSED
        and start <= f.closed_at < end
        and f.evidence.exists()
        for f in Finding.objects.filter(community=community)
    )
    figures["open_risks"] = len(open_risks)
    figures["overdue_risks"] = sum(f.rectification_deadline < on for f in open_risks)
    leads = list(Lead.objects.filter(community=community))
    figures["leads_reported"] = sum(start <= lead.reported_at < end for lead in leads)
    figures["leads_filed"] = sum(
        lead.status == LeadStatus.FILED and start <= lead.closed_at < end for lead in leads
    )
    rapid_tests = [
        t
        for t in RapidTest.objects.select_related("visit__patrol")
        if t.community_id == community.pk and t.visit.patrol.status in COUNTED and start <= t.tested_at < end
    ]
    figures["rapid_tests"] = len(rapid_tests)
    figures["rapid_tests_positive"] = sum(t.result == "positive" for t in rapid_tests)
    incidents = [i for i in Incident.objects.filter(community=community) if start <= i.occurred_at < end]
    figures["incidents"] = len(incidents)
    figures["incidents_late"] = sum(i.first_report_late for i in incidents)
    sessions = [s for s in TrainingSession.objects.filter(community=community) if first <= s.date <= last]
    held = [s for s in sessions if s.kind != TrainingKind.DRILL]
    figures["trainings"] = len(held)
    figures["training_attendance"] = sum(s.attendance for s in held)
    # Hours added up, then half an hour rounded up to a whole hour.
    figures["training_hours"] = int(sum(s.hours for s in held) + Decimal("0.5"))
    figures["drills"] = len(sessions) - len(held)
    return catalogue.with_rates(figures)


def clerk_room(district: OrgUnit) -> dict:
    """The batches a district's own test room tested in October, by the local day tested."""
    tests = [
        test
        for test in RapidTest.objects.filter(district=district)
        if periods.period_of(test.tested_at.astimezone(periods.local_zone()).date()) == OCTOBER
    ]
    return {
        "room_rapid_tests": len(tests),
        "room_rapid_tests_positive": sum(test.result == "positive" for test in tests),
    }


def added(*many: dict, expected: int | None = None, late: int = 0) -> dict:
    result = dict.fromkeys(catalogue.ADDITIVE, 0)
    for figures in many:
        for key in catalogue.ADDITIVE:
            result[key] += figures[key]
    if expected is not None:
        result.update(
            communities_expected=expected,
            communities_received=len(many),
            communities_late=late,
            communities_missing=expected - len(many),
        )
    return catalogue.with_rates(result)


@pytest.fixture
def truth(month, community_a, community_b, community_c):
    """What the clerk says each unit's October is: a community's as of its report's freezing."""
    n = month["n"]
    frozen_on = {pk: moment.date() for pk, moment in month["frozen_at"].items()}
    community = {
        community_a.pk: clerk_count(community_a, on=frozen_on[community_a.pk]),
        community_b.pk: clerk_count(community_b, on=NOW.date()),
        community_c.pk: clerk_count(community_c, on=dt.date(2026, 11, 5)),
        n.pk: clerk_count(n, on=frozen_on[n.pk]),
    }
    district_a = added(community[community_a.pk], community[n.pk], expected=3, late=1)
    district_a.update(clerk_room(community_a.parent))
    district_c = added(community[community_c.pk], expected=1)
    district_c.update(clerk_room(community_c.parent))
    city = added(district_a, district_c)
    # The district's own test room tested one sample in October: the district's work, no community's.
    assert (district_a["room_rapid_tests"], district_a["room_rapid_tests_positive"]) == (1, 0)
    # Not reported counts: the story of the month, as a head would tell it.
    a = community[community_a.pk]
    assert (a["patrol_days"], a["patrols"], a["visits"], a["findings"]) == (4, 6, 8, 4)
    assert (a["night_checks"], a["joint_checks"]) == (1, 1)
    # Three tests at visits of counted records (one positive, its finding among the four); the
    # draft's test and the district room's count for nothing here.
    assert (a["rapid_tests"], a["rapid_tests_positive"]) == (3, 1)
    # The suspected violation went to the district as a lead, beside the public one.
    assert (a["rectified"], a["leads_reported"], a["leads_filed"], a["incidents_late"]) == (1, 2, 1, 1)
    # September's risk was closed with a photo in October; October's, in November.
    assert a["rectified_with_evidence"] == 1
    assert (a["trainings"], a["training_attendance"], a["training_hours"], a["drills"]) == (2, 32, 4, 1)
    assert (community[n.pk]["days"], community[n.pk]["due"], community[n.pk]["covered"]) == (17, 1, 1)
    return {"community": community, "district_a": district_a, "district_c": district_c, "city": city}


# Reading the outputs


def page_cells(html: str, unit_pk: int | None = None) -> dict[str, str]:
    """The figure cells of a page: the whole page's, or one unit's row of a table."""
    if unit_pk is not None:
        match = re.search(rf'<tr data-unit="{unit_pk}">(.*?)</tr>', html, re.S)
        assert match, unit_pk
        html = match.group(1)
    return dict(re.findall(r'data-figure="([a-z_A-Z]+)">([^<]*)<', html))


def own_cells(html: str) -> dict[str, str]:
    """The unit's own figures on its report page."""
    return page_cells(html.split('id="own-figures"')[1].split("<!-- /own-figures -->")[0])


def expected_cells(figures: dict, output: str, tier: str) -> dict[str, str]:
    return {f.key: catalogue.display(f, figures[f.key]) for f in catalogue.shown(output, tier)}


def pdf_text(client, unit: OrgUnit, tmp_path) -> str:
    response = client.get(reverse("reporting:export_pdf", args=[unit.pk, "2026-10"]))
    assert response.status_code == 200
    path = tmp_path / f"{unit.pk}.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def assert_pdf_shows(text: str, figures: dict, tier: str) -> None:
    labels = dict(
        zip(
            catalogue.shown(catalogue.PDF, tier),
            _zh_labels(catalogue.shown(catalogue.PDF, tier)),
            strict=True,
        )
    )
    for figure, label in labels.items():
        value = catalogue.display(figure, figures[figure.key])
        assert re.search(rf"(^|\s){re.escape(label)}\s+{re.escape(value)}(\s|$)", text, re.M), (label, value)


def _zh_labels(figures) -> list[str]:
    from reporting.exports import bureau_labels

    return bureau_labels(figures)


def workbook_totals(client, unit: OrgUnit) -> tuple[dict, dict[str, tuple]]:
    response = client.get(reverse("reporting:export_xlsx", args=[unit.pk, "2026-10"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)["汇总"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    header = next(row for row in rows if row[0] == "单位")
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in rows}
    return by_name["合计"], by_name


def assert_workbook_row(row: dict, figures: dict, tier: str) -> None:
    shown = catalogue.shown(catalogue.EXCEL, tier)
    for figure, label in zip(shown, _zh_labels(shown), strict=True):
        value = figures[figure.key]
        if figure.kind == catalogue.RATE:
            value = None if value is None else value / 100
        assert row[label] == value, (label, row[label], value)


def api_rollup(api, user, unit: OrgUnit) -> dict:
    api.force_authenticate(user)
    response = api.get(reverse("monthly-report-rollup"), {"unit": unit.pk, "period": "2026-10"})
    assert response.status_code == 200, response.content
    return response.json()


# The checks


def test_a_communitys_month_is_the_same_in_every_output(
    truth, community_a, head_a, district_officer_a, client, api, tmp_path
):
    expected = truth["community"][community_a.pk]
    # Two records signed and one refused on counted records; the signature on the draft is not counted.
    assert (expected["visit_records_signed"], expected["visit_records_refused"]) == (2, 1)
    client.force_login(head_a)
    page = client.get(reverse("reporting:report", args=[community_a.pk, "2026-10"]))
    assert page.context["frozen"] and page.context["own"].submitted_at == at(nov(4), 15)
    assert own_cells(page.content.decode()) == expected_cells(expected, catalogue.REPORT, "community")

    assert api_rollup(api, head_a, community_a)["own"]["figures"] == {
        f.key: expected[f.key] for f in catalogue.shown(catalogue.API, "community")
    }
    reports = api.get(reverse("monthly-report-list"), {"unit": community_a.pk, "period": "2026-10"}).json()
    listed = reports["results"][0] if isinstance(reports, dict) else reports[0]
    assert {key: listed["figures"][key] for key in catalogue.ADDITIVE} == {
        key: expected[key] for key in catalogue.ADDITIVE
    }

    total, _rows = workbook_totals(client, community_a)
    assert_workbook_row(total, expected, "community")
    text = pdf_text(client, community_a, tmp_path)
    assert "2026-11-04 15:00 提交" in text
    assert_pdf_shows(text, expected, "community")

    # The archive lists and counts the month's records by the day of their event.
    archive = client.get(reverse("reporting:archive"), {"unit": community_a.pk, "month": "2026-10"})
    counts = {section.key: section.count for section in archive.context["sections"]}
    assert (counts["patrols"], counts["findings"]) == (expected["patrols"], expected["findings"])
    assert (counts["leads"], counts["incidents"]) == (expected["leads_reported"], expected["incidents"])

    # The assessment's prefilled items take the same month.
    items = unit_figures(community_a, [OCTOBER], now=NOW)
    assert (items["patrol_day_rate"].values["patrol_days"], items["patrol_day_rate"].values["days"]) == (
        expected["patrol_days"],
        expected["days"],
    )
    assert items["coverage_rate"].values == {"covered": expected["covered"], "due": expected["due"]}
    assert items["rectification_rate"].values["rectified"] == expected["rectified"]
    assert items["rectification_rate"].values["findings"] == expected["findings"]
    assert items["leads"].values["reported"] == expected["leads_reported"]
    assert items["leads"].values["filed"] == expected["leads_filed"]
    # Every other count the catalogue marks for the assessment (night checks, rapid tests,
    # training hours, drills...) is prefilled in its metric's item with the month's value.
    also = {key: metric for metric in METRIC_GROUPS for key in also_shown(metric, ())}
    marked = {
        figure.key
        for figure in catalogue.FIGURES
        if catalogue.ASSESSMENT in figure.outputs and figure.kind != catalogue.RATE
    }
    assert {"night_checks", "rapid_tests", "training_hours", "drills"} <= marked == set(also)
    for key in marked - {"patrol_days", "days", "covered", "due", "rectified", "findings"}:
        if key in ("leads_reported", "leads_filed", "bulletin_met", "slogan_met"):
            continue
        assert items[also[key]].values[key] == expected[key], key
        assert f"{catalogue.BY_KEY[key].label} {expected[key]}" in str(items[also[key]].source), key


def test_a_districts_month_is_the_same_in_every_output_and_on_the_citys_dashboard(
    truth,
    month,
    district_a,
    community_a,
    community_b,
    district_officer_a,
    city_officer,
    client,
    api,
    tmp_path,
):
    expected = truth["district_a"]
    n = month["n"]
    client.force_login(district_officer_a)
    page = client.get(reverse("reporting:report", args=[district_a.pk, "2026-10"])).content.decode()
    assert own_cells(page) == expected_cells(expected, catalogue.REPORT, "district")
    dashboard = client.get(reverse("reporting:dashboard"), {"month": "2026-10"}).content.decode()
    assert page_cells(dashboard, district_a.pk) == expected_cells(expected, catalogue.DASHBOARD, "community")
    # Each community's row: A and N as frozen, B live and provisional, not in the district's totals.
    for community in (community_a, n):
        frozen = truth["community"][community.pk]
        assert page_cells(dashboard, community.pk) == expected_cells(frozen, catalogue.DASHBOARD, "community")
    b_live = truth["community"][community_b.pk]
    assert page_cells(dashboard, community_b.pk) == expected_cells(b_live, catalogue.DASHBOARD, "community")
    row_b = re.search(rf'<tr data-unit="{community_b.pk}">(.*?)</tr>', dashboard, re.S).group(1)
    assert "未计入合计" in row_b and "*" in row_b

    rollup = api_rollup(api, district_officer_a, district_a)
    assert rollup["own"]["figures"] == {
        f.key: expected[f.key] for f in catalogue.shown(catalogue.API, "district")
    }
    assert rollup["own"]["provisional"] is False
    # The district's test-room page shows the month's own work as its report does.
    room = client.get(reverse("patrols:rapid_test_room"), {"month": "2026-10"}).content.decode()
    assert f'data-figure="room_month">{expected["room_rapid_tests"]}<' in room
    assert f'data-figure="room_month_positive">{expected["room_rapid_tests_positive"]}<' in room
    assert {row["unit_name"]: row["included"] for row in rollup["rows"]} == {
        community_a.name: True,
        community_b.name: False,
        n.name: True,
    }

    total, rows = workbook_totals(client, district_a)
    assert_workbook_row(total, expected, "community")
    assert_workbook_row(rows[community_b.name], b_live, "community")
    assert rows[community_b.name]["计入合计"] == "否" and rows[n.name]["报送状态"] == "迟报"
    text = pdf_text(client, district_a, tmp_path)
    assert "报送状态：按时（2026-11-08 09:00 提交）" in text
    assert_pdf_shows(text, expected, "district")

    # The city's dashboard row for the district is the same month.
    client.force_login(city_officer)
    city_dashboard = client.get(reverse("reporting:dashboard"), {"month": "2026-10"}).content.decode()
    assert page_cells(city_dashboard, district_a.pk) == expected_cells(
        expected, catalogue.DASHBOARD, "district"
    )


def trend_bars(html: str, month: str) -> dict[str, str]:
    """What a dashboard's trend charts say of one month: {series name: value} from the bars' titles."""
    return dict(re.findall(rf"<title>{month} ([^<：]+)：([^<]+)</title>", html))


def test_a_months_trend_adds_up_the_rows_listed_for_it_whatever_changed_after_the_reports(
    truth,
    month,
    district_a,
    community_a,
    community_b,
    community_c,
    head_a,
    district_officer_a,
    city_officer,
    client,
):
    """The trend bar of October is the month as the rows list it: A and N as their reports froze
    October, B counted live. A record the head sends back after A's report was submitted stops
    counting live, but changes neither A's row nor the bar."""
    n = month["n"]
    sent_back = Patrol.objects.counted().filter(community=community_a, date__month=10).first()
    records.patrol_return(user=head_a, patrol=sent_back, reason="照片不清楚，请补拍")

    def bars_of(*communities: OrgUnit) -> dict[str, str]:
        rows = [truth["community"][c.pk] for c in communities]
        rate = catalogue.percent(sum(r["patrol_days"] for r in rows), sum(r["days"] for r in rows))
        with translation.override("zh-hans"):
            return {
                str(catalogue.BY_KEY["patrol_day_rate"].label): f"{rate}%",
                str(catalogue.BY_KEY["visits"].label): str(sum(r["visits"] for r in rows)),
                str(catalogue.BY_KEY["findings"].label): str(sum(r["findings"] for r in rows)),
            }

    client.force_login(district_officer_a)
    dashboard = client.get(reverse("reporting:dashboard"), {"month": "2026-10"}).content.decode()
    assert page_cells(dashboard, community_a.pk) == expected_cells(
        truth["community"][community_a.pk], catalogue.DASHBOARD, "community"
    )
    expected = bars_of(community_a, n, community_b)
    assert {
        name: value for name, value in trend_bars(dashboard, "26-10").items() if name in expected
    } == expected
    client.force_login(city_officer)
    city_dashboard = client.get(reverse("reporting:dashboard"), {"month": "2026-10"}).content.decode()
    expected = bars_of(community_a, n, community_b, community_c)
    assert {
        name: value for name, value in trend_bars(city_dashboard, "26-10").items() if name in expected
    } == expected


def test_the_citys_month_adds_up_its_districts_whatever_they_have_submitted(
    truth, city, district_c, city_officer, client, api, tmp_path
):
    client.force_login(city_officer)
    dashboard = client.get(reverse("reporting:dashboard"), {"month": "2026-10"}).content.decode()
    # District C has not submitted: provisional, compiled from the one community report it received.
    assert page_cells(dashboard, district_c.pk) == expected_cells(
        truth["district_c"], catalogue.DASHBOARD, "district"
    )
    assert page_cells(dashboard, city.pk) == expected_cells(truth["city"], catalogue.DASHBOARD, "district")
    rollup = api_rollup(api, city_officer, city)
    assert rollup["own"]["figures"] == {
        f.key: truth["city"][f.key] for f in catalogue.shown(catalogue.API, "city")
    }
    assert rollup["own"]["provisional"] is True
    total, _rows = workbook_totals(client, city)
    assert_workbook_row(total, truth["city"], "district")
    assert_pdf_shows(pdf_text(client, city, tmp_path), truth["city"], "city")


def test_a_community_opened_mid_year_owes_only_the_months_it_existed(truth, month):
    """Assessed over September and October, N owes October only: days, coverage and publicity."""
    n = month["n"]
    items = unit_figures(n, [dt.date(2026, 9, 1), OCTOBER], now=NOW)
    october = truth["community"][n.pk]
    assert items["patrol_day_rate"].values == {"patrol_days": 1, "days": 17, "visits": 1, "night_checks": 0}
    assert items["coverage_rate"].values == {"covered": october["covered"], "due": october["due"]}
    assert items["publicity"].values["owed"] == 1  # October's bulletin board; no quarter of its own ended
    assert items["report_timeliness"].values["expected"] == 1
